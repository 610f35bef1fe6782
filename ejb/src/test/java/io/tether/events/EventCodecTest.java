package io.tether.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.registry.SessionItem;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.bind.JsonbException;
import java.io.StringReader;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventCodecTest {
  private final EventCodec codec = EventCodec.open();

  @AfterEach
  void close() {
    codec.close();
  }

  private static JsonObject parse(String json) {
    return Json.createReader(new StringReader(json)).readObject();
  }

  @Test
  void aSessionEventSurvivesTheTrip() {
    SessionEvent event =
        new SessionEvent(
            "closed",
            "abc",
            "alice",
            "node1",
            Instant.parse("2026-01-02T03:04:05.678Z"),
            0,
            "killed-by-admin",
            "The session was ended by an administrator.",
            null);

    String json = codec.toJson(event);

    assertEquals(event, codec.event(json));
    JsonObject object = parse(json);
    assertEquals("closed", object.getString("type"));
    assertEquals("2026-01-02T03:04:05.678Z", object.getString("at"));
  }

  @Test
  void anEventCarriesTheSessionAsWritten() {
    SessionItem session =
        new SessionItem(
            "abc",
            "alice",
            "node1",
            "attached",
            1,
            1,
            Instant.parse("2026-01-02T03:04:05Z"),
            Instant.parse("2026-01-02T03:05:00Z"),
            Instant.parse("2026-01-02T04:05:00Z"),
            120,
            40,
            123_456_789_012L,
            "vim notes.txt",
            7);
    SessionEvent event =
        new SessionEvent("updated", "abc", "alice", "node1", Instant.EPOCH, 1, null, null, session);

    String json = codec.toJson(event);

    assertEquals(event, codec.event(json));
    JsonObject item = parse(json).getJsonObject("session");
    assertEquals("alice", item.getString("user"));
    assertEquals("vim notes.txt", item.getString("command"));
    assertEquals(123_456_789_012L, item.getJsonNumber("outputBytes").longValue());
    assertEquals("2026-01-02T04:05:00Z", item.getString("idleDeadline"));
    assertEquals(7, item.getInt("revision"));
  }

  @Test
  void absentMembersAreNull() {
    SessionEvent event = codec.event("{\"type\":\"opened\",\"sessionId\":\"abc\"}");

    assertEquals(new SessionEvent("opened", "abc", null, null, null, 0, null, null, null), event);
  }

  @Test
  void aRecordedEventCarriesItsNumber() {
    RecordedEvent recorded =
        new RecordedEvent(
            42, "attached", "abc", "alice", "node1", Instant.EPOCH, 1, null, "c1", null);

    JsonObject object = parse(codec.toJson(recorded));

    assertEquals(42, object.getInt("seq"));
    assertEquals("attached", object.getString("type"));
    assertTrue(!object.containsKey("reason"), "nulls are left out: " + object);
  }

  @Test
  void aSessionCommandSurvivesTheTrip() {
    for (SessionCommand command :
        new SessionCommand[] {
          SessionCommand.kill("abc", "node1", "admin"),
          SessionCommand.end("abc", "node1", "alice"), // who ended it travels with it
          SessionCommand.notice("abc", "node2", "Maintenance at 18:00.", "admin"),
          SessionCommand.noticeAll("Everyone out.", "admin"),
        }) {
      assertEquals(command, codec.command(codec.toJson(command)));
    }
    assertEquals("kill", parse(codec.toJson(SessionCommand.kill("a", "n", "x"))).getString("kind"));
  }

  @Test
  void whatIsNotAnEventIsRefused() {
    assertThrows(JsonbException.class, () -> codec.event("{\"detail\":\"no type\"}"));
    assertThrows(JsonbException.class, () -> codec.event("not json"));
    assertThrows(RuntimeException.class, () -> codec.command("{\"kind\":\"reboot\"}"));
  }
}
