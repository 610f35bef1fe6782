package io.tether.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tether.protocol.ClientMessage;
import io.tether.protocol.OffsetFrame;
import io.tether.session.Attachment;
import io.tether.session.QuietShell;
import io.tether.session.RecordingChannel;
import io.tether.session.TerminalSession;
import io.tether.session.TestSessions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session is announced on the tick after its output or activity moved, once more on the tick
 * after that (a command started by the keystroke is seen), and not while it stays quiet.
 */
class ActivityAnnouncementsTest {
  private final TerminalSession session = TestSessions.session("s1", new QuietShell());
  private final List<String> announced = new ArrayList<>();
  private final ActivityAnnouncements announcements =
      new ActivityAnnouncements(() -> List.of(session), s -> announced.add(s.id()));

  @Test
  void aQuietSessionIsNotAnnouncedAndAMovingOneOncePerTick() throws Exception {
    assertEquals(0, announcements.tick(), "a new session was announced by its opening");
    assertEquals(0, announcements.tick(), "nothing moved");

    Attachment client =
        session.attach(
            new RecordingChannel(), new ClientMessage.Hello("t", "s1", 0, "c1", 0, 81, 24, false));
    client.input(new OffsetFrame(0, ByteBuffer.wrap("ls\r".getBytes(StandardCharsets.UTF_8))));
    client.input(new OffsetFrame(3, ByteBuffer.wrap("ls\r".getBytes(StandardCharsets.UTF_8))));

    assertEquals(1, announcements.tick(), "moved since the last tick: announced once");
    assertEquals(1, announcements.tick(), "the tick after a change looks once more");
    assertEquals(0, announcements.tick(), "quiet again");
    assertEquals(List.of("s1", "s1"), announced);
  }

  @Test
  void aFailingAnnouncementDoesNotStopTheTicks() {
    ActivityAnnouncements failing =
        new ActivityAnnouncements(
            () -> List.of(session),
            s -> {
              throw new IllegalStateException("registry unreachable");
            });
    failing.tick();
    session.resize(100, 30);
    assertEquals(1, failing.tick());
  }
}
