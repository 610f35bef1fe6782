package io.tether.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionCommandTest {
  /** Records what a node was told to do. */
  static final class RecordingHandler implements SessionCommandHandler {
    final List<String> calls = new ArrayList<>();

    @Override
    public boolean kill(String sessionId, String by) {
      calls.add("kill " + sessionId + " by " + by);
      return true;
    }

    @Override
    public boolean endOwn(String sessionId, String user) {
      calls.add("end " + sessionId + " by its user " + user);
      return true;
    }

    @Override
    public boolean notice(String sessionId, String message, String by) {
      calls.add("notice " + sessionId + " from " + by + ": " + message);
      return true;
    }

    @Override
    public boolean detach(String sessionId, String by) {
      calls.add("detach " + sessionId + " by " + by);
      return true;
    }

    @Override
    public void noticeAll(String message, String by) {
      calls.add("notice all from " + by + ": " + message);
    }

    @Override
    public void drain(String by) {
      calls.add("drain by " + by);
    }

    @Override
    public void undrain(String by) {
      calls.add("undrain by " + by);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "node1, node1, true",
    "node1, node2, false",
    "*, node2, true",
  })
  void aCommandIsForItsOwnerNodeOrForAll(String target, String self, boolean expected) {
    SessionCommand command =
        "*".equals(target)
            ? SessionCommand.noticeAll("hi", "admin")
            : SessionCommand.kill("s1", target, "admin");

    assertEquals(expected, command.isFor(self));
  }

  @Test
  void eachKindReachesItsHandlerMethod() {
    RecordingHandler handler = new RecordingHandler();

    SessionCommand.kill("s1", "node1", "admin").applyTo(handler);
    SessionCommand.end("s4", "node1", "alice").applyTo(handler);
    SessionCommand.notice("s2", "node1", "Maintenance at 18:00.", "admin").applyTo(handler);
    SessionCommand.detach("s3", "node1", "root").applyTo(handler);
    SessionCommand.noticeAll("Everyone out.", "admin").applyTo(handler);
    SessionCommand.drain("node1", "admin").applyTo(handler);
    SessionCommand.undrain("node1", "ops").applyTo(handler);

    assertEquals(
        List.of(
            "kill s1 by admin",
            "end s4 by its user alice",
            "notice s2 from admin: Maintenance at 18:00.",
            "detach s3 by root",
            "notice all from admin: Everyone out.",
            "drain by admin",
            "undrain by ops"),
        handler.calls);
  }

  @Test
  void malformedCommandsAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new SessionCommand("reboot", "s1", "node1", null, "admin"));
    assertThrows(
        IllegalArgumentException.class, () -> SessionCommand.notice("s1", "node1", " ", "admin"));
    assertThrows(IllegalArgumentException.class, () -> SessionCommand.kill("*", "*", "admin"));
    assertThrows(IllegalArgumentException.class, () -> SessionCommand.end("*", "*", "alice"));
    assertThrows(NullPointerException.class, () -> SessionCommand.detach(null, "node1", "admin"));
    assertThrows(IllegalArgumentException.class, () -> SessionCommand.drain("*", "admin"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SessionCommand("drain", "s1", "node1", null, "admin"));
  }
}
