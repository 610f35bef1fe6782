package io.tether.config;

import java.time.Duration;

/**
 * The idle limits for one kind of user.
 *
 * @param attached how long a session with a client attached may go without input or resize
 * @param detached how long a session may stay with no client attached and no input
 * @param warning how long before an attached session's idle end its clients are warned
 */
public record IdleLimits(Duration attached, Duration detached, Duration warning) {
  public IdleLimits {
    if (attached.isNegative() || attached.isZero() || detached.isNegative() || detached.isZero()) {
      throw new IllegalArgumentException("idle limits must be positive");
    }
    if (warning.isNegative() || warning.compareTo(attached) >= 0) {
      throw new IllegalArgumentException("the idle warning must come before the attached limit");
    }
  }
}
