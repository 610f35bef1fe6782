package io.tether.node;

import io.tether.config.TetherSettings;
import io.tether.protocol.CloseCode;
import io.tether.session.Durations;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.sweep.IdlePolicy;
import io.tether.sweep.IdleSweep;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The idle sweep's timer: non-persistent, so every node sweeps its own sessions (a persistent timer
 * would fire on one node of a cluster only), at the configured interval.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class IdleSweeper {
  private static final Logger LOG = Logger.getLogger(IdleSweeper.class.getName());

  @Resource TimerService timers;
  @Inject NodeSessions sessions;
  @Inject ShellStarter starter;
  @Inject TetherSettings settings;

  @PostConstruct
  void schedule() {
    long interval = settings.sweepInterval().toMillis();
    timers.createIntervalTimer(interval, interval, new TimerConfig("tether-idle-sweep", false));
    LOG.info(
        () ->
            "idle sweep every "
                + settings.sweepInterval().toSeconds()
                + " s; users "
                + settings.idleLimits(false)
                + "; admins "
                + settings.idleLimits(true));
  }

  @Timeout
  void sweep() {
    // Nothing may escape a timeout method: an exception here could cancel the timer for good.
    try {
      IdleSweep.Report report =
          IdleSweep.run(
              sessions.all(),
              (TerminalSession s) -> settings.idleLimits(s.isAdmin()),
              IdleSweeper::endIdle);
      // An isolated session's leftovers are found by its cgroup.
      int reconciled = sessions.reconcile() + starter.reapOrphans();
      LOG.info(
          () ->
              String.format(
                  "idle sweep: %d session(s) in %d ms: %d warned, %d ended, %d failed, %d"
                      + " reconciled",
                  report.lookedAt(),
                  report.took().toMillis(),
                  report.warned(),
                  report.ended(),
                  report.failed(),
                  reconciled));
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "idle sweep failed", e);
    }
  }

  /** The sweep decided this session has been idle too long. */
  private static void endIdle(TerminalSession session, IdlePolicy.End idle) {
    LOG.info(
        () ->
            String.format(
                "session %s: idle timeout (%s): idle for %s, limit %s",
                session.id(),
                idle.attached() ? "attached" : "detached",
                Durations.format(idle.idleFor()),
                Durations.format(idle.limit())));
    session.end(
        SessionEnd.of(
            CloseCode.IDLE_TIMEOUT,
            "The session was closed after being idle for "
                + Durations.format(idle.idleFor())
                + "."));
  }
}
