package io.tether.it.events;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * An administrator observes a user's session read-only: the screen so far and what follows, live; a
 * keystroke or a resize from the observer closes it with {@code 4016} and never reaches the shell.
 * Anyone else is refused.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ObserveIT {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void anAdminSeesTheSessionLiveAndCannotType() {
    try (EventStreamClient stream = EventStreamClient.open(ADMIN, null);
        Terminal t = Terminal.open(ALICE)) {
      String id = t.sessionId();
      t.type("echo before-$((1+1))\r");
      t.awaitOutput("before-2");

      try (Terminal observer = Terminal.observe(TetherServer.baseUri(), ADMIN, id)) {
        JsonObject attached = observer.connect().expectAttached();
        assertTrue(attached.getBoolean("observer"), attached.toString());
        assertEquals(100, attached.getInt("cols"), "the user's size: " + attached);
        assertEquals(30, attached.getInt("rows"), "the user's size: " + attached);
        observer.awaitOutput("before-2"); // the screen so far, replayed
        t.type("echo live-$((2+2))\r");
        observer.awaitOutput("live-4");

        // The user resizes: the observer is told the new size, to draw the screen as it is.
        t.connection().send("{\"type\":\"resize\",\"cols\":132,\"rows\":43}");
        JsonObject size = observer.awaitMessage("size", null, 1, WAIT);
        assertEquals(132, size.getInt("cols"), size.toString());
        assertEquals(43, size.getInt("rows"), size.toString());
        t.connection().send("{\"type\":\"resize\",\"cols\":100,\"rows\":30}");
        observer.awaitMessage("size", null, 2, WAIT);
        assertTrue(t.messages().stream().noneMatch(m -> m.getString("type").equals("size")));

        // The console sees an observer, and the user is still the only attached client.
        Event event =
            stream.await(
                e ->
                    e.is("attached", id)
                        && e.json().getJsonObject("session").getInt("observers") == 1,
                WAIT,
                "attached event with an observer");
        JsonObject session = event.json().getJsonObject("session");
        assertEquals(1, session.getInt("attachedClients"), session.toString());
        HttpResponse<String> item = AdminApi.get(ADMIN, "api/admin/sessions/" + id);
        assertEquals(200, item.statusCode(), AdminApi.describe(item));
        assertEquals(1, AdminApi.json(item).getInt("observers"), item.body());

        // A resize from the observer is refused and changes nothing.
        observer.connection().send("{\"type\":\"resize\",\"cols\":20,\"rows\":5}");
        Terminal.Closed refused = observer.connection().expectClosed();
        assertEquals(4016, refused.code(), refused.toString());
        assertEquals(
            "This connection only observes the session; it cannot type.", refused.reason());

        // So is a keystroke, on a new connection.
        observer.connect().expectAttached();
        observer.type("echo typed-by-observer\r");
        refused = observer.connection().expectClosed();
        assertEquals(4016, refused.code(), refused.toString());
      }

      t.type("stty size; echo after-$((5*5))\r");
      t.awaitOutput("after-25");
      assertFalse(
          t.output().contains("typed-by-observer"), "the observer's keys reached the shell");
      assertTrue(t.output().contains("30 100"), "the observer resized the terminal: " + t.output());
      assertFalse(t.connection().closed.isDone(), "the user's connection was closed");
      t.exitShell();
    }
  }

  @Test
  void aUserWithoutTheAdminRoleCannotObserve() {
    try (Terminal t = Terminal.open(ALICE)) {
      for (var who : new TetherServer.Credentials[] {BOB, ALICE}) {
        try (Terminal observer = Terminal.observe(TetherServer.baseUri(), who, t.sessionId())) {
          Terminal.Closed refused = observer.connect().expectClosed();
          assertEquals(4003, refused.code(), who.user() + ": " + refused);
          assertEquals("Observing a session needs the admin role.", refused.reason());
        }
      }
      t.type("echo untouched-$((3+3))\r");
      t.awaitOutput("untouched-6");
      t.exitShell();
    }
  }

  @Test
  void observingASessionThatDoesNotExistIsRefused() {
    try (Terminal observer =
        Terminal.observe(TetherServer.baseUri(), ADMIN, "no-such-session-here")) {
      Terminal.Closed refused = observer.connect().expectClosed();
      assertEquals(4004, refused.code(), refused.toString());
    }
  }
}
