package io.tether.sweep;

import io.tether.config.IdleLimits;
import io.tether.session.TerminalSession;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One pass over a node's sessions: warns the idle and ends those past their limit. A session that
 * fails never stops the pass; each failure is logged and counted. (The records are kept current by
 * {@code ActivityAnnouncements}, spread over every second: a pass that also refreshed every record
 * held a node of 2,000 sessions busy for 0.3-1.2 s every sweep, and delayed every echo meanwhile.)
 */
public final class IdleSweep {
  private static final Logger LOG = Logger.getLogger(IdleSweep.class.getName());

  /** What a pass did. */
  public record Report(int lookedAt, int warned, int ended, int failed, Duration took) {}

  private IdleSweep() {}

  /**
   * @param limits the idle limits for a session (by its owner's role)
   * @param end ends a session that has been idle too long
   */
  public static Report run(
      Collection<TerminalSession> sessions,
      Function<TerminalSession, IdleLimits> limits,
      BiConsumer<TerminalSession, IdlePolicy.End> end) {
    long started = System.nanoTime();
    Instant now = Instant.now();
    int warned = 0;
    int ended = 0;
    int failed = 0;
    for (TerminalSession session : sessions) {
      try {
        IdlePolicy.Decision decision =
            IdlePolicy.decide(session.idleFacts(), limits.apply(session), now);
        if (decision instanceof IdlePolicy.Warn warn) {
          LOG.info(
              () ->
                  String.format(
                      "session %s: idle warning, ends in %d s unless there is input",
                      session.id(), warn.left().toSeconds()));
          session.warnIdle(warn.left());
          warned++;
        } else if (decision instanceof IdlePolicy.End idle) {
          end.accept(session, idle);
          ended++;
        }
      } catch (RuntimeException e) {
        failed++;
        LOG.log(Level.SEVERE, "idle sweep: session " + session.id() + " failed", e);
      }
    }
    return new Report(
        sessions.size(), warned, ended, failed, Duration.ofNanos(System.nanoTime() - started));
  }
}
