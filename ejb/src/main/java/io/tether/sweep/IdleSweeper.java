package io.tether.sweep;

import io.tether.config.TetherSettings;
import io.tether.session.SessionManager;
import io.tether.session.TerminalSession;
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
  @Inject SessionManager sessions;
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
              sessions.sessions(),
              (TerminalSession s) -> settings.idleLimits(s.isAdmin()),
              sessions::endIdle,
              sessions::refreshAndAnnounce);
      int reconciled = sessions.reconcile();
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
}
