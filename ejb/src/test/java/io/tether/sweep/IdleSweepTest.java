package io.tether.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tether.config.IdleLimits;
import io.tether.protocol.CloseCode;
import io.tether.session.QuietShell;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.session.TestSessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleSweepTest {
  /** Every session is already past this limit. */
  private static final IdleLimits EXPIRED =
      new IdleLimits(Duration.ofNanos(2), Duration.ofNanos(2), Duration.ofNanos(1));

  private static final TerminalSession.Listener QUIET = new TerminalSession.Listener() {};

  private static TerminalSession session(String id, QuietShell shell) {
    return TestSessions.session(id, shell, TestSessions.SMALL, QUIET);
  }

  @Test
  void aSessionWhoseCloseThrowsDoesNotStopTheSweep() {
    QuietShell failing = new QuietShell();
    failing.hangUpFailure = new IllegalStateException("signal delivery failed");
    List<TerminalSession> sessions =
        List.of(
            session("first", new QuietShell()),
            session("broken", failing),
            session("last", new QuietShell()));

    IdleSweep.Report report =
        IdleSweep.run(
            sessions,
            s -> EXPIRED,
            (s, idle) -> s.end(SessionEnd.of(CloseCode.IDLE_TIMEOUT, null)));

    assertEquals(3, report.lookedAt());
    assertEquals(2, report.ended());
    assertEquals(1, report.failed());
    assertNotNull(sessions.get(0).ended());
    assertNotNull(sessions.get(2).ended(), "the session after the broken one was still swept");
    assertNotNull(report.took());
  }

  @Test
  void aSessionWithinItsLimitsIsLeftAlone() {
    TerminalSession fresh = session("fresh", new QuietShell());
    List<String> ended = new ArrayList<>();
    IdleLimits generous =
        new IdleLimits(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(1));
    IdleSweep.Report report =
        IdleSweep.run(List.of(fresh), s -> generous, (s, idle) -> ended.add(s.id()));
    assertEquals(List.of(), ended);
    assertEquals(1, report.lookedAt());
    assertEquals(0, report.ended() + report.warned() + report.failed());
    assertNull(fresh.ended());
  }
}
