package io.tether.it.events;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.events.EventStreamClient.Event;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Session events travel from the session manager over the JMS lifecycle topic to this node's
 * consumer, and from there to the admin API: as a list after a sequence number, and as a live
 * server-sent event stream that resumes with {@code Last-Event-ID} without gaps or repeats.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LifecycleEventsIT {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void aSessionsLifeIsListedFromOpenedToClosedWithItsReason() {
    try (EventStreamClient stream = EventStreamClient.open(ADMIN, null)) {
      assertEquals(200, stream.status());
      long start = stream.await("ready", WAIT).seq();
      String id;
      try (Terminal t = Terminal.open(ALICE)) {
        id = t.sessionId();
        stream.await(e -> e.is("attached", id), WAIT, "attached of " + id);

        List<JsonObject> listed = listedOf(id, AdminApi.eventsAfter(start));
        // An "updated" (the record naming the shell once it is up) may come between them.
        List<JsonObject> lifecycle =
            listed.stream().filter(e -> !e.getString("type").equals("updated")).toList();
        assertEquals("opened", lifecycle.get(0).getString("type"), listed.toString());
        assertEquals("attached", lifecycle.get(1).getString("type"), listed.toString());
        for (JsonObject event : listed) {
          assertEquals("alice", event.getString("user"), event.toString());
          assertNotNull(event.getString("node", null), event.toString());
          assertNotNull(event.getString("at", null), event.toString());
          assertTrue(event.getJsonNumber("seq").longValue() > start, event.toString());
        }
        assertEquals(1, lifecycle.get(1).getInt("attachedClients"), listed.toString());

        t.exitShell();
      }
      Event closed = stream.await(e -> e.is("closed", id), WAIT, "closed of " + id);

      assertEquals("shell-exited", closed.json().getString("reason"), closed.toString());
      List<JsonObject> listed = listedOf(id, AdminApi.eventsAfter(start));
      JsonObject listedClosed =
          listed.stream()
              .filter(e -> e.getString("type").equals("closed"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no closed in " + listed));
      assertEquals("shell-exited", listedClosed.getString("reason"), listed.toString());
      assertEquals(
          closed.seq(), listedClosed.getJsonNumber("seq").longValue(), "the same numbering");
      assertIncreasing(listed);
    }
  }

  @Test
  void theListStartsAfterTheGivenNumber() {
    try (EventStreamClient stream = EventStreamClient.open(ADMIN, null);
        Terminal t = Terminal.open(ALICE)) {
      String id = t.sessionId();
      Event attached = stream.await(e -> e.is("attached", id), WAIT, "attached of " + id);

      List<JsonObject> after = AdminApi.eventsAfter(attached.seq());

      assertTrue(
          after.stream().allMatch(e -> e.getJsonNumber("seq").longValue() > attached.seq()),
          after.toString());
      assertFalse(listedOf(id, after).stream().anyMatch(e -> e.getString("type").equals("opened")));
      t.exitShell();
    }
  }

  @Test
  void theStreamResumesAfterLastEventIdWithNothingMissingOrRepeated() {
    try (Terminal t = Terminal.open(ALICE)) {
      String id = t.sessionId();
      String lastSeen;
      try (EventStreamClient first = EventStreamClient.open(ADMIN, null)) {
        first.await("ready", WAIT);
        t.reconnect(); // live: detached and attached again while the console watches
        Event detached = first.await(e -> e.is("detached", id), WAIT, "detached of " + id);
        first.await(
            e -> e.is("attached", id) && e.seq() > detached.seq(), WAIT, "attached of " + id);
        lastSeen = first.lastEventId();
      }

      // While no console is connected: a blip, then the shell exits.
      t.reconnect();
      t.exitShell();

      try (EventStreamClient second = EventStreamClient.open(ADMIN, lastSeen)) {
        Event ready = second.await("ready", WAIT);
        assertEquals(lastSeen, ready.id(), "it continues where the first stream stopped");
        second.await(e -> e.is("closed", id), WAIT, "closed of " + id);

        List<Event> events = second.sessionEvents();
        long expected = ready.seq() + 1;
        for (Event e : events) {
          assertEquals(expected++, e.seq(), "no gap and no repeat: " + events);
        }
        List<String> types =
            streamedOf(id, events).stream().map(e -> e.json().getString("type")).toList();
        assertTrue(types.contains("detached"), types.toString());
        assertTrue(types.contains("attached"), types.toString());
        assertTrue(types.contains("closed"), types.toString());
        assertEquals("ready", second.events().get(0).name(), "ready comes first");
      }
    }
  }

  @Test
  void aPositionFromAnotherNodeOrStartIsAReset() {
    try (EventStreamClient stream = EventStreamClient.open(ADMIN, "7@another-node")) {
      Event first = stream.await(e -> true, WAIT, "any event");

      assertEquals("reset", first.name(), first.toString());
      JsonObject data = first.json();
      assertEquals(first.seq(), data.getJsonNumber("seq").longValue());
      assertTrue(first.id().endsWith("@" + data.getString("epoch")), first.toString());
    }
  }

  private static List<JsonObject> listedOf(String sessionId, List<JsonObject> events) {
    return events.stream().filter(e -> sessionId.equals(e.getString("sessionId"))).toList();
  }

  private static List<Event> streamedOf(String sessionId, List<Event> events) {
    return events.stream()
        .filter(e -> sessionId.equals(e.json().getString("sessionId", null)))
        .toList();
  }

  private static void assertIncreasing(List<JsonObject> events) {
    long previous = 0;
    for (JsonObject e : events) {
      long seq = e.getJsonNumber("seq").longValue();
      assertTrue(seq > previous, events.toString());
      previous = seq;
    }
  }
}
