package io.tether.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.protocol.ClientMessage;
import io.tether.protocol.OffsetFrame;
import io.tether.session.Attachment;
import io.tether.session.QuietShell;
import io.tether.session.RecordingChannel;
import io.tether.session.TerminalSession;
import io.tether.session.TestSessions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session is announced on the tick after its output or activity moved, once more on the tick
 * after that (a command started by the keystroke is seen), and not while it stays quiet.
 */
class ActivityAnnouncementsTest {
  private final TerminalSession session = TestSessions.session("s1", new QuietShell());
  private final List<String> announced = new ArrayList<>();
  // One slice: each tick is a whole round; no quiet session's refresh within these tests' ticks.
  private final ActivityAnnouncements announcements =
      new ActivityAnnouncements(
          () -> List.of(session),
          s -> announced.add(s.id()),
          Duration.ofMillis(100),
          Integer.MAX_VALUE);

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
            },
            Duration.ofMillis(100),
            Integer.MAX_VALUE);
    failing.tick();
    session.resize(100, 30);
    assertEquals(1, failing.tick());
  }

  /**
   * A hundred sessions typing: each is announced once in a second's round of ticks, and no tick
   * takes on much more than its share, instead of one tick doing all hundred.
   */
  @Test
  void theSecondsAnnouncementsAreSpreadOverItsTicks() throws Exception {
    List<TerminalSession> typing = new ArrayList<>();
    List<Attachment> clients = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      TerminalSession s = TestSessions.session("typing-" + i, new QuietShell());
      typing.add(s);
      clients.add(
          s.attach(
              new RecordingChannel(),
              new ClientMessage.Hello("t", s.id(), 0, "c" + i, 0, 81, 24, false)));
    }
    List<String> seen = new ArrayList<>();
    ActivityAnnouncements spread = new ActivityAnnouncements(() -> typing, s -> seen.add(s.id()));
    assertEquals(10, spread.ticksPerRound());
    for (int tick = 0; tick < spread.ticksPerRound(); tick++) {
      spread.tick(); // the first round: every session is new, announced by its opening
    }
    for (int i = 0; i < clients.size(); i++) {
      clients
          .get(i)
          .input(new OffsetFrame(0, ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8))));
    }

    int most = 0;
    for (int tick = 0; tick < spread.ticksPerRound(); tick++) {
      most = Math.max(most, spread.tick());
    }

    assertEquals(100, seen.size(), "each typing session announced once in the round");
    assertEquals(100, new HashSet<>(seen).size());
    assertTrue(most <= 30, "the busiest tick announced " + most + " of 100");
  }

  @Test
  void aQuietSessionIsHandedOverOnceEveryRefreshPeriodAllTheSame() {
    ActivityAnnouncements refreshing =
        new ActivityAnnouncements(
            () -> List.of(session), s -> announced.add(s.id()), Duration.ofMillis(100), 30);
    refreshing.tick(); // its first look: announced by its opening
    for (int round = 0; round < 60; round++) {
      refreshing.tick();
    }
    assertEquals(List.of("s1", "s1"), announced, "nothing moved, yet looked at twice in 60 rounds");
  }

  /**
   * 2,000 quiet sessions: each record is checked once in 30 seconds, a few at every tick, not all
   * in one run as the idle sweep did.
   */
  @Test
  void theQuietSessionsRefreshesAreSpreadOverEveryTick() {
    List<TerminalSession> quiet = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      quiet.add(TestSessions.session("quiet-" + i, new QuietShell()));
    }
    List<String> seen = new ArrayList<>();
    ActivityAnnouncements spread = new ActivityAnnouncements(() -> quiet, s -> seen.add(s.id()));
    int ticks = spread.ticksPerRound() * ActivityAnnouncements.REFRESH_ROUNDS;
    for (int tick = 0; tick < spread.ticksPerRound(); tick++) {
      spread.tick(); // the first round: every session is new, announced by its opening
    }
    int most = 0;
    for (int tick = 0; tick < ticks; tick++) {
      most = Math.max(most, spread.tick());
    }
    assertEquals(2000, seen.size(), "each checked once in the refresh period");
    assertEquals(2000, new HashSet<>(seen).size());
    assertTrue(most <= 3 * 2000 / ticks, "the busiest tick checked " + most + " of 2000");
  }
}
