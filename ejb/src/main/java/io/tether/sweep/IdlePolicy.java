package io.tether.sweep;

import io.tether.config.IdleLimits;
import io.tether.session.IdleFacts;
import java.time.Duration;
import java.time.Instant;

/**
 * Decides what a sweep does with one session. Pure: the sweep feeds it what it knows, so every rule
 * is testable without a server or a clock.
 */
public final class IdlePolicy {
  /** What to do with a session. */
  public sealed interface Decision {}

  /** Nothing to do. */
  public record Keep() implements Decision {}

  /** Tell the attached clients the session ends in {@code left} unless they type. */
  public record Warn(Duration left) implements Decision {}

  /** End the session: it has been idle for {@code idleFor}, past {@code limit}. */
  public record End(Duration idleFor, Duration limit, boolean attached) implements Decision {}

  private IdlePolicy() {}

  /**
   * When a sweep would end the session if nothing happens from now on (it ends at the first sweep
   * at or after this instant). For the admin console's "time until the idle limit".
   */
  public static Instant deadline(IdleFacts facts, IdleLimits limits) {
    if (facts.attached()) {
      return facts.lastActivity().plus(limits.attached());
    }
    return idleSince(facts).plus(limits.detached());
  }

  public static Decision decide(IdleFacts facts, IdleLimits limits, Instant now) {
    if (facts.attached()) {
      Duration idle = Duration.between(facts.lastActivity(), now);
      if (idle.compareTo(limits.attached()) >= 0) {
        return new End(idle, limits.attached(), true);
      }
      Duration left = limits.attached().minus(idle);
      if (!facts.warned() && left.compareTo(limits.warning()) <= 0) {
        return new Warn(left);
      }
      return new Keep();
    }
    // Detached: nobody can be warned; the clock runs from whichever came last, the last input or
    // the last client leaving, so a reattach (or typing) in time always saves the session.
    Duration idle = Duration.between(idleSince(facts), now);
    if (idle.compareTo(limits.detached()) >= 0) {
      return new End(idle, limits.detached(), false);
    }
    return new Keep();
  }

  private static Instant idleSince(IdleFacts facts) {
    return facts.detachedSince().isAfter(facts.lastActivity())
        ? facts.detachedSince()
        : facts.lastActivity();
  }
}
