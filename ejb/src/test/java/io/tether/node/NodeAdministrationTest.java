package io.tether.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.session.QuietShell;
import io.tether.session.RecordingChannel;
import io.tether.session.TerminalSession;
import io.tether.session.TestSessions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An administrator's commands, as the command consumer delivers them to the owner node. */
class NodeAdministrationTest {
  private final TestNode node = new TestNode();
  private final RecordingChannel alice = new RecordingChannel();
  private final RecordingChannel bob = new RecordingChannel();

  @AfterEach
  void stopNode() {
    node.close();
  }

  private TerminalSession live(String id, RecordingChannel client) throws Exception {
    TerminalSession session =
        TestSessions.session(id, new QuietShell(), TestSessions.SMALL, node.sessions.listener());
    node.sessions.live(session);
    node.mirror.started(session);
    session.attach(client, new ClientMessage.Hello("t", id, 0, "c-" + id, 0, 80, 24, false));
    return session;
  }

  @Test
  void killEndsOnlyThatSession() throws Exception {
    TerminalSession first = live("s1", alice);
    TerminalSession second = live("s2", bob);

    assertTrue(node.administration.kill("s1", "admin"), "s1 was held here");

    assertEquals(CloseCode.KILLED_BY_ADMIN, first.ended().code());
    assertEquals(CloseCode.KILLED_BY_ADMIN, alice.closedWith());
    assertNull(second.ended());
    assertNull(bob.closedWith());
    // A session that ended meanwhile: nothing done, and the sender is told so.
    assertFalse(node.administration.kill("gone", "admin"));
    assertFalse(node.administration.detach("gone", "admin"));
    assertFalse(node.administration.notice("gone", "hello", "admin"));
  }

  @Test
  void aSessionEndedByItsUserSaysSoAndNotThatAnAdministratorKilledIt() throws Exception {
    TerminalSession session = live("s1", alice);

    node.administration.endOwn("s1", "alice");

    assertEquals(CloseCode.ENDED_BY_USER, session.ended().code());
    assertEquals(CloseCode.ENDED_BY_USER, alice.closedWith());
    assertEquals(CloseCode.ENDED_BY_USER, node.endedSessions.get("s1").code());
  }

  @Test
  void detachClosesTheClientsAndTheSessionLivesOn() throws Exception {
    TerminalSession session = live("s1", alice);

    node.administration.detach("s1", "admin");

    assertEquals(CloseCode.DETACHED_BY_ADMIN, alice.closedWith());
    assertNull(session.ended());
    assertEquals(0, session.attachedClients());
    assertTrue(node.registry.find("s1").isPresent());
  }

  @Test
  void noticesReachTheirSessionOrEverySession() throws Exception {
    live("s1", alice);
    live("s2", bob);

    node.administration.notice("s1", "back in five", "root");
    node.administration.noticeAll("maintenance at noon", "admin");

    assertTrue(
        alice.texts().stream()
            .anyMatch(t -> t.contains("back in five") && t.contains("\"from\":\"root\"")));
    assertTrue(
        bob.texts().stream()
            .anyMatch(t -> t.contains("maintenance at noon") && t.contains("\"from\":\"admin\"")));
    assertTrue(bob.texts().stream().noneMatch(t -> t.contains("back in five")));
    assertTrue(alice.texts().stream().anyMatch(t -> t.contains("maintenance at noon")));
    assertTrue(bob.texts().stream().anyMatch(t -> t.contains("maintenance at noon")));
  }

  @Test
  void drainingIsToldToTheClusterAndTheUsersAndUndoneByUndrain() throws Exception {
    live("s1", alice);

    node.administration.drain("admin");
    assertTrue(node.administration.draining());
    assertEquals(Boolean.TRUE, node.nodeStates.draining.get("node1"));
    assertTrue(alice.texts().stream().anyMatch(t -> t.contains("\"kind\":\"draining\"")));

    node.administration.undrain("admin");
    assertEquals(false, node.administration.draining());
    assertEquals(Boolean.FALSE, node.nodeStates.draining.get("node1"));
  }
}
