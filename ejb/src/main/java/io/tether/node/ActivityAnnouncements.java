package io.tether.node;

import io.tether.session.TerminalSession;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the admin console's rows live: once a second, every session of this node whose output or
 * last activity moved since it was last looked at is handed to {@code announce} (the node's
 * refresh, which rewrites the record and publishes {@code updated} only when the record changed). A
 * session is announced once more a second after its last change, so a foreground command that
 * started just after the keystroke that launched it is seen, and then left alone while it is quiet.
 * That bounds the announcements to one per session per second. A quiet session is handed over once
 * every {@value #REFRESH_ROUNDS} seconds all the same, at a phase of its own: the record is
 * rewritten from the session if it differs, which mends one whose announcement was lost (a registry
 * that could not be reached). The idle sweep used to do that for every session in one run.
 *
 * <p>The second is served in slices ({@link SessionSlices}): each tick, every 100 ms, looks at a
 * tenth of the sessions, rather than all at once: with 100 sessions typing, a round makes 100
 * registry reads and writes, {@code /proc} reads and JMS events, and every echo due during one run
 * of them would wait behind it.
 */
public final class ActivityAnnouncements {
  private static final Logger LOG = Logger.getLogger(ActivityAnnouncements.class.getName());

  /** What a tick compares: the output head and the last activity. */
  private record Seen(long head, Instant lastActivity, boolean settled) {}

  private final Supplier<Collection<TerminalSession>> sessions;
  private final Consumer<TerminalSession> announce;
  private final SessionSlices<TerminalSession> slices;
  private final int refreshRounds;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private long round = -1; // rounds begun so far, less one; only the scheduler's thread uses it

  /** Looks at every session each {@link #PERIOD}, a slice of them each tick. */
  public ActivityAnnouncements(
      Supplier<Collection<TerminalSession>> sessions, Consumer<TerminalSession> announce) {
    this(sessions, announce, PERIOD, REFRESH_ROUNDS);
  }

  /**
   * @param period how long a round over every session takes; a period of at most one slice makes
   *     each tick a whole round
   * @param refreshRounds every how many rounds a quiet session is handed over all the same
   */
  ActivityAnnouncements(
      Supplier<Collection<TerminalSession>> sessions,
      Consumer<TerminalSession> announce,
      Duration period,
      int refreshRounds) {
    this.sessions = sessions;
    this.announce = announce;
    this.slices = new SessionSlices<>(period.toMillis(), TerminalSession::id);
    this.refreshRounds = refreshRounds;
  }

  /** Every how many rounds (seconds) a quiet session's record is checked all the same. */
  static final int REFRESH_ROUNDS = 30;

  /** How often rows may change: about once a second, as a person reads them. */
  public static final Duration PERIOD = Duration.ofSeconds(1);

  /** Runs {@link #tick()} every slice period on {@code scheduler}; cancel the future to stop. */
  public static ScheduledFuture<?> start(
      ScheduledExecutorService scheduler,
      Supplier<Collection<TerminalSession>> sessions,
      Consumer<TerminalSession> announce) {
    ActivityAnnouncements announcements = new ActivityAnnouncements(sessions, announce);
    long millis = announcements.slices.periodMillis();
    return scheduler.scheduleAtFixedRate(
        announcements::tick, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** How many ticks make a round over every session. */
  int ticksPerRound() {
    return slices.slices();
  }

  /**
   * One tick: looks at the sessions of the next slice.
   *
   * @return how many sessions were handed to {@code announce}
   */
  public int tick() {
    int[] announced = {0};
    try {
      Collection<TerminalSession> all = sessions.get();
      if (slices.roundBegins()) {
        round++;
        // Once a round, the sessions that ended are forgotten.
        Set<String> live = new HashSet<>();
        all.forEach(session -> live.add(session.id()));
        seen.keySet().retainAll(live);
      }
      slices.run(
          all,
          session -> {
            if (look(session)) {
              announced[0]++;
            }
          });
    } catch (RuntimeException e) {
      // Nothing may escape a scheduled task: it would never run again.
      LOG.log(Level.WARNING, "activity announcements failed", e);
    }
    return announced[0];
  }

  /**
   * Whether this round is the quiet session's turn to be handed over all the same. The turn comes
   * from the id, as the slice does, but from other bits of it: the sessions due in one round are in
   * every slice, not all in one tick.
   */
  private boolean refreshDue(TerminalSession session) {
    int phase = Math.floorDiv(session.id().hashCode(), slices.slices());
    return Math.floorMod(phase, refreshRounds) == Math.floorMod(round, refreshRounds);
  }

  /** Looks at one session; true if it was handed to {@code announce}. */
  private boolean look(TerminalSession session) {
    Seen before = seen.get(session.id());
    long head = session.head();
    Instant activity = session.lastActivity();
    boolean moved =
        before == null || before.head() != head || !before.lastActivity().equals(activity);
    // New sessions were announced by their opening: only a change after that counts.
    boolean announceNow = before != null && (moved || !before.settled() || refreshDue(session));
    seen.put(session.id(), new Seen(head, activity, before == null || !moved));
    if (!announceNow || session.ended() != null) {
      return false;
    }
    try {
      announce.accept(session);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "session " + session.id() + ": could not announce its update", e);
    }
    return true;
  }
}
