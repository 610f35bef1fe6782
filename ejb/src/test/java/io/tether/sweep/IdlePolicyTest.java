package io.tether.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.config.IdleLimits;
import io.tether.session.IdleFacts;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdlePolicyTest {
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  // Attached: 600 s, detached: 300 s, warning 60 s ahead.
  private static final IdleLimits LIMITS =
      new IdleLimits(Duration.ofSeconds(600), Duration.ofSeconds(300), Duration.ofSeconds(60));

  /**
   * One row per situation: seconds since the last activity, seconds since the last client left
   * (blank while attached), whether already warned, and the decision.
   */
  @ParameterizedTest(name = "idle {0}s, detached {1}s, warned {2} -> {3}")
  @CsvSource({
    "0,    ,    false, keep",
    "539,  ,    false, keep",
    "540,  ,    false, warn 60",
    "550,  ,    false, warn 50",
    "550,  ,    true,  keep",
    "600,  ,    true,  end 600 attached",
    "601,  ,    false, end 601 attached",
    "900,  100, false, keep", // long idle, but detached only 100 s: the detached clock runs from
    // then
    "900,  300, false, end 300 detached",
    "200,  250, false, keep", // typed after leaving? no: last activity 200 s ago, left 250 s ago
    "300,  400, false, end 300 detached",
    "100,  0,   false, keep",
  })
  void decides(long idleSeconds, Long detachedSeconds, boolean warned, String expected) {
    Instant now = T0.plusSeconds(10_000);
    IdleFacts facts =
        new IdleFacts(
            now.minusSeconds(idleSeconds),
            detachedSeconds == null ? null : now.minusSeconds(detachedSeconds),
            warned);
    assertEquals(expected, describe(IdlePolicy.decide(facts, LIMITS, now)));
  }

  /**
   * The deadline agrees with the decisions: one second before it a sweep keeps (or warns), at it a
   * sweep ends the session.
   */
  @ParameterizedTest(name = "idle {0}s, detached {1}s -> ends in {2}s")
  @CsvSource({
    "0,    , 600",
    "550,  , 50",
    "900,  100, 200", // detached: the clock runs from the later of input and leaving
    "200,  250, 100",
    "100,  0,   300",
  })
  void theDeadlineIsWhenASweepWouldEndTheSession(
      long idleSeconds, Long detachedSeconds, long endsInSeconds) {
    Instant now = T0.plusSeconds(10_000);
    IdleFacts facts =
        new IdleFacts(
            now.minusSeconds(idleSeconds),
            detachedSeconds == null ? null : now.minusSeconds(detachedSeconds),
            true);
    Instant deadline = IdlePolicy.deadline(facts, LIMITS);
    assertEquals(now.plusSeconds(endsInSeconds), deadline);
    assertEquals("keep", describe(IdlePolicy.decide(facts, LIMITS, deadline.minusSeconds(1))));
    assertTrue(describe(IdlePolicy.decide(facts, LIMITS, deadline)).startsWith("end "));
  }

  private static String describe(IdlePolicy.Decision decision) {
    if (decision instanceof IdlePolicy.Warn warn) {
      return "warn " + warn.left().toSeconds();
    }
    if (decision instanceof IdlePolicy.End end) {
      return "end " + end.idleFor().toSeconds() + (end.attached() ? " attached" : " detached");
    }
    return "keep";
  }

  @Test
  void aWarningMustComeBeforeTheLimit() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new IdleLimits(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5)));
  }
}
