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
 * Keeps the admin console's rows live: once a tick (a second), every session of this node whose
 * output or last activity moved since the last tick is handed to {@code announce} (the node's
 * refresh, which rewrites the record and publishes {@code updated} only when the record changed). A
 * session is announced once more on the tick after its last change, so a foreground command that
 * started just after the keystroke that launched it is seen, and then left alone while it is quiet.
 * That bounds the announcements to one per session per tick, and to none for a quiet session.
 */
public final class ActivityAnnouncements {
  private static final Logger LOG = Logger.getLogger(ActivityAnnouncements.class.getName());

  /** What a tick compares: the output head and the last activity. */
  private record Seen(long head, Instant lastActivity, boolean settled) {}

  private final Supplier<Collection<TerminalSession>> sessions;
  private final Consumer<TerminalSession> announce;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  public ActivityAnnouncements(
      Supplier<Collection<TerminalSession>> sessions, Consumer<TerminalSession> announce) {
    this.sessions = sessions;
    this.announce = announce;
  }

  /** How often rows may change: about once a second, as a person reads them. */
  public static final Duration PERIOD = Duration.ofSeconds(1);

  /** Runs {@link #tick()} every {@link #PERIOD} on {@code scheduler}; cancel the future to stop. */
  public static ScheduledFuture<?> start(
      ScheduledExecutorService scheduler,
      Supplier<Collection<TerminalSession>> sessions,
      Consumer<TerminalSession> announce) {
    ActivityAnnouncements announcements = new ActivityAnnouncements(sessions, announce);
    long millis = PERIOD.toMillis();
    return scheduler.scheduleWithFixedDelay(
        announcements::tick, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * One pass over the node's sessions.
   *
   * @return how many sessions were handed to {@code announce}
   */
  public int tick() {
    int announced = 0;
    Set<String> live = new HashSet<>();
    try {
      for (TerminalSession session : sessions.get()) {
        live.add(session.id());
        Seen before = seen.get(session.id());
        long head = session.head();
        Instant activity = session.lastActivity();
        boolean moved =
            before == null || before.head() != head || !before.lastActivity().equals(activity);
        // New sessions were announced by their opening: only a change after that counts.
        boolean announceNow = before != null && (moved || !before.settled());
        seen.put(session.id(), new Seen(head, activity, before == null || !moved));
        if (announceNow && session.ended() == null) {
          announced++;
          try {
            announce.accept(session);
          } catch (RuntimeException e) {
            LOG.log(
                Level.WARNING, "session " + session.id() + ": could not announce its update", e);
          }
        }
      }
      seen.keySet().retainAll(live);
    } catch (RuntimeException e) {
      // Nothing may escape a scheduled task: it would never run again.
      LOG.log(Level.WARNING, "activity announcements failed", e);
    }
    return announced;
  }
}
