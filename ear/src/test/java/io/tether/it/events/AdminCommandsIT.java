package io.tether.it.events;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tether.it.events.EventStreamClient.Event;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An admin acts on a user's session through the REST API; the command travels over the JMS commands
 * topic to the owner node, and the user's terminal sees the result.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminCommandsIT {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void killEndsTheSessionAndItsTerminalSaysAnAdministratorEndedIt() {
    try (EventStreamClient stream = EventStreamClient.open(ADMIN, null);
        Terminal t = Terminal.open(ALICE)) {
      String id = t.sessionId();

      HttpResponse<String> response = AdminApi.post(ADMIN, kill(id), null);

      assertEquals(200, response.statusCode(), AdminApi.describe(response));
      JsonObject accepted = AdminApi.json(response);
      assertEquals("kill", accepted.getString("kind"));
      assertEquals(id, accepted.getString("sessionId"));
      Terminal.Closed closed = t.connection().expectClosed();
      assertEquals(4009, closed.code(), closed.toString());
      assertEquals("The session was ended by an administrator.", closed.reason());
      Event event = stream.await(e -> e.is("closed", id), WAIT, "closed of " + id);
      assertEquals("killed-by-admin", event.json().getString("reason"), event.toString());

      Terminal.Closed again = Terminal.resume(ALICE, id, 0).connect().expectClosed();
      assertEquals(4009, again.code(), "a returning client is told why: " + again);
    }
  }

  @Test
  void aUserEndingTheirOwnSessionIsToldSoEverywhereAndNotAsAnAdministratorsKill() {
    try (EventStreamClient stream = EventStreamClient.open(ADMIN, null);
        Terminal t = Terminal.open(ALICE)) {
      String id = t.sessionId();

      // The sessions panel's "end", from another tab: this terminal is that other tab.
      HttpResponse<String> response = AdminApi.post(ALICE, "api/sessions/" + id + "/end", null);

      assertEquals(200, response.statusCode(), AdminApi.describe(response));
      Terminal.Closed closed = t.connection().expectClosed();
      assertEquals(4020, closed.code(), closed.toString());
      assertEquals("The session was ended by its user.", closed.reason());
      Event event = stream.await(e -> e.is("closed", id), WAIT, "closed of " + id);
      assertEquals("ended-by-user", event.json().getString("reason"), event.toString());

      Terminal.Closed again = Terminal.resume(ALICE, id, 0).connect().expectClosed();
      assertEquals(4020, again.code(), "a returning client is told why: " + again);
    }
  }

  @Test
  void aDrainedNodeRefusesNewSessionsWhileItsSessionsGoOnAndAreTold() {
    try (Terminal t = Terminal.open(ALICE)) {
      String node = t.messages().get(0).getString("node");
      try {
        HttpResponse<String> drained =
            AdminApi.post(ADMIN, "api/admin/nodes/" + node + "/drain", null);
        assertEquals(200, drained.statusCode(), AdminApi.describe(drained));

        JsonObject told = t.awaitMessage("notice", "draining", 1, WAIT);
        assertEquals("draining", told.getString("kind"));
        // A new session is refused with node-draining, which a page treats as "try elsewhere".
        Terminal.Closed refused = Terminal.resume(BOB, null, 0).connect().expectClosed();
        assertEquals(4011, refused.code(), refused.toString());
        // The existing session goes on.
        t.type("echo still-here-$((6*6))\r");
        t.awaitOutput("still-here-36");
      } finally {
        HttpResponse<String> undrained =
            AdminApi.post(ADMIN, "api/admin/nodes/" + node + "/undrain", null);
        assertEquals(200, undrained.statusCode(), AdminApi.describe(undrained));
      }
      // Commands travel asynchronously: a new session is accepted again once the undrain lands.
      Terminal fresh = awaitNewSession(BOB);
      fresh.exitShell();
      t.exitShell();
    }
  }

  @Test
  void drainingANodeThatIsNotInTheClusterIs404() {
    HttpResponse<String> response =
        AdminApi.post(ADMIN, "api/admin/nodes/no-such-node/drain", null);
    assertEquals(404, response.statusCode(), AdminApi.describe(response));
  }

  /** Opens a new session for {@code who}, retrying while the node still refuses with 4011. */
  private static Terminal awaitNewSession(TetherServer.Credentials who) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (; ; ) {
      Terminal candidate = Terminal.resume(who, null, 0);
      Terminal.Connection c = candidate.connect();
      try {
        c.expectAttached();
        return candidate;
      } catch (AssertionError refused) {
        if (System.nanoTime() > deadline) {
          throw refused;
        }
      }
    }
  }

  @Test
  void aNoticeReachesTheSessionsTerminal() {
    try (Terminal t = Terminal.open(ALICE)) {
      HttpResponse<String> response =
          AdminApi.post(
              ADMIN,
              "api/admin/sessions/" + t.sessionId() + "/notice",
              AdminApi.message("Maintenance at 18:00."));

      assertEquals(200, response.statusCode(), AdminApi.describe(response));
      JsonObject notice = t.awaitMessage("notice", "broadcast", 1, WAIT);
      assertEquals("Maintenance at 18:00.", notice.getString("message"));
      assertEquals("admin", notice.getString("from"), "the administrator who sent it");
      t.exitShell();
    }
  }

  @Test
  void aNoticeToAllReachesEverySession() {
    try (Terminal alice = Terminal.open(ALICE);
        Terminal bob = Terminal.open(BOB)) {
      HttpResponse<String> response =
          AdminApi.post(ADMIN, "api/admin/notice", AdminApi.message("Everyone: restart at 6."));

      assertEquals(200, response.statusCode(), AdminApi.describe(response));
      assertEquals(
          "Everyone: restart at 6.",
          alice.awaitMessage("notice", "broadcast", 1, WAIT).getString("message"));
      JsonObject toBob = bob.awaitMessage("notice", "broadcast", 1, WAIT);
      assertEquals("Everyone: restart at 6.", toBob.getString("message"));
      assertEquals("admin", toBob.getString("from"), "the administrator who sent it");
      alice.exitShell();
      bob.exitShell();
    }
  }

  @Test
  void detachClosesTheConnectionAndTheSessionCanBeResumed() {
    try (Terminal t = Terminal.open(ALICE)) {
      String id = t.sessionId();
      t.type("echo before-$((1+1))\r");
      t.awaitOutput("before-2");

      HttpResponse<String> response =
          AdminApi.post(ADMIN, "api/admin/sessions/" + id + "/detach", null);

      assertEquals(200, response.statusCode(), AdminApi.describe(response));
      Terminal.Closed closed = t.connection().expectClosed();
      assertEquals(4013, closed.code(), closed.toString());
      assertEquals("An administrator detached this page.", closed.reason());

      JsonObject attached = t.connect().expectAttached();
      assertEquals(id, attached.getString("sessionId"), "the same session lives on");
      t.type("echo after-$((2+3))\r");
      t.awaitOutput("after-5");
      t.exitShell();
    }
  }

  @Test
  void commandsForAnUnknownSessionAre404() {
    for (String path :
        new String[] {
          kill("no-such-session"), "api/admin/sessions/no-such-session/detach",
        }) {
      HttpResponse<String> response = AdminApi.post(ADMIN, path, null);

      assertEquals(404, response.statusCode(), AdminApi.describe(response));
      assertEquals("no-such-session", AdminApi.json(response).getString("error"));
    }
    HttpResponse<String> notice =
        AdminApi.post(
            ADMIN, "api/admin/sessions/no-such-session/notice", AdminApi.message("hello"));
    assertEquals(404, notice.statusCode(), AdminApi.describe(notice));
  }

  @Test
  void aNoticeWithoutAMessageIs400() {
    try (Terminal t = Terminal.open(ALICE)) {
      for (String body : new String[] {"{}", AdminApi.message("  ")}) {
        HttpResponse<String> response =
            AdminApi.post(ADMIN, "api/admin/sessions/" + t.sessionId() + "/notice", body);

        assertEquals(400, response.statusCode(), AdminApi.describe(response));
        assertEquals("bad-request", AdminApi.json(response).getString("error"));
      }
      HttpResponse<String> all = AdminApi.post(ADMIN, "api/admin/notice", "{}");
      assertEquals(400, all.statusCode(), AdminApi.describe(all));
      t.exitShell();
    }
  }

  private static String kill(String id) {
    return "api/admin/sessions/" + id + "/kill";
  }
}
