package io.tether.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.events.SessionEvent;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.registry.SessionItem;
import io.tether.registry.SessionRecord;
import io.tether.session.Attachment;
import io.tether.session.QuietShell;
import io.tether.session.RecordingChannel;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.session.TestSessions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the cluster sees of a session: its record's revisions and the events, in order. */
class RecordMirrorTest {
  private final TestNode node = new TestNode();
  private final TerminalSession session =
      TestSessions.session("s1", new QuietShell(), TestSessions.SMALL, node.sessions.listener());

  @AfterEach
  void stopNode() {
    node.close();
  }

  private static ClientMessage.Hello hello(String client, boolean observe) {
    return new ClientMessage.Hello("t", "s1", 0, client, 0, 120, 40, observe);
  }

  private SessionRecord record() {
    return node.registry.find("s1").orElseThrow();
  }

  private SessionEvent last() {
    return node.events.get(node.events.size() - 1);
  }

  /**
   * A record is written as the session starts, while what starts the shell may still be in the
   * terminal's foreground; once the shell's first output comes, the record names the shell.
   */
  @Test
  void theRecordNamesTheShellOnceItsFirstOutputComes() throws Exception {
    List<String> slowStart =
        List.of("/bin/sh", "-c", "sleep 0.5; exec /bin/bash --norc --noprofile", "sh");
    try (TestNode slow = new TestNode(slowStart)) {
      slow.launcher.open(
          TestNode.ticket("alice", "user"), TestNode.newSession("c1"), new RecordingChannel());
      TerminalSession session = slow.sessions.all().iterator().next();
      String first = slow.registry.find(session.id()).orElseThrow().command();
      assertFalse(first.startsWith("/bin/bash"), first); // what starts it: bash comes in 0.5 s
      java.time.Instant deadline = java.time.Instant.now().plusSeconds(10);
      while (!slow.registry.find(session.id()).orElseThrow().command().startsWith("/bin/bash")) {
        assertTrue(
            java.time.Instant.now().isBefore(deadline),
            "still " + slow.registry.find(session.id()).orElseThrow().command());
        Thread.sleep(20); // polling the registry: the refresh is the node's own, with no event here
      }
      assertTrue(slow.eventTypes().contains("updated"), slow.eventTypes().toString());
    }
  }

  @Test
  void everyChangeIsTheRecordsNextRevisionAndOneEvent() throws Exception {
    node.mirror.started(session);
    assertEquals(0, record().revision());
    assertEquals(List.of("opened"), node.eventTypes());

    Attachment client = session.attach(new RecordingChannel(), hello("c1", false));
    // The attach resizes the terminal to the client's size, then attaches it: one new revision
    // holds both, and each is announced with it.
    assertEquals(List.of("opened", "resized", "attached"), node.eventTypes());
    assertEquals(1, record().revision());
    assertEquals(1, record().attachedClients());
    assertEquals(120, record().cols());
    assertEquals(SessionItem.of(record()), last().session(), "the event carries the record");

    session.attach(new RecordingChannel(), hello("admin-1", true));
    assertEquals(1, record().observers());
    assertEquals(2, record().revision());
    assertEquals("admin-1 (observer)", last().detail());

    client.lost();
    assertEquals("detached", last().type());
    assertEquals(0, record().attachedClients());
    assertEquals(3, record().revision());
  }

  @Test
  void aRefreshWithNothingNewWritesAndAnnouncesNothing() {
    node.mirror.started(session);
    node.mirror.refreshAndAnnounce(session);
    assertEquals(List.of("opened"), node.eventTypes());
    assertEquals(0, record().revision());
  }

  @Test
  void theEndRemovesTheRecordRemembersWhyAndSaysClosed() {
    node.mirror.started(session);

    session.end(SessionEnd.of(CloseCode.KILLED_BY_ADMIN, null));

    assertTrue(node.registry.find("s1").isEmpty());
    assertEquals(CloseCode.KILLED_BY_ADMIN, node.endedSessions.get("s1").code());
    assertEquals("closed", last().type());
    assertEquals("killed-by-admin", last().reason());
    assertNull(last().session());
    assertTrue(node.sessions.find("s1").isEmpty());

    // Its last client detaches after the end (often on the transport's I/O thread): the record is
    // gone, and nobody asks the cluster about it.
    int finds = node.registry.finds.get();
    assertNull(node.mirror.refresh(session).record());
    assertEquals(finds, node.registry.finds.get());
  }
}
