package io.tether.node;

import io.tether.config.TetherSettings;
import io.tether.events.LifecycleEvents;
import io.tether.events.SessionEvent;
import io.tether.pty.ForegroundCommand;
import io.tether.registry.SessionItem;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import io.tether.session.Attachment;
import io.tether.session.Durations;
import io.tether.session.EndedSessions;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.sweep.IdlePolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Mirrors this node's sessions into the cluster: each change of a session becomes its registry
 * record's next revision and a lifecycle event, and is logged. Called by {@link NodeSessions} for
 * every session's {@link TerminalSession.Listener} call; it never changes a session.
 */
@ApplicationScoped
public class RecordMirror {
  private static final Logger LOG = Logger.getLogger(RecordMirror.class.getName());

  @Inject TetherSettings settings;
  @Inject SessionRegistry registry;
  @Inject EndedSessions ended;
  @Inject LifecycleEvents events;

  /** What {@link #refresh} found or wrote. */
  public record Refreshed(SessionRecord record, boolean changed) {}

  /** A session just started: its first record, and {@code opened}. */
  public void started(TerminalSession session) {
    SessionRecord record = recordOf(session, 0);
    registry.register(record);
    publish("opened", session, null, "pid " + session.pid(), record);
  }

  /**
   * A live session of this node had no record: the cluster declared it lost while this node was cut
   * off or frozen, or a split lost its record. Its record is written again, the end the cluster
   * remembered for it forgotten, and {@code returned} tells the consoles that it lives.
   *
   * @return whether the record had to be written (false if it was there)
   */
  public boolean returned(TerminalSession session, String why) {
    SessionRecord record = recordOf(session, 0);
    if (!registry.register(record)) {
      return false;
    }
    ended.forget(session.id());
    publish("returned", session, null, why, record);
    LOG.warning(
        () -> "session " + session.id() + ": alive without a record (" + why + "); recorded again");
    return true;
  }

  public void attached(TerminalSession session, Attachment attachment) {
    String client = describe(attachment);
    announce("attached", session, client, refresh(session).record());
    LOG.info(
        () ->
            String.format(
                "session %s: %s attached via %s (%d attached, session age %s)",
                session.id(),
                client,
                attachment.channel().describe(),
                session.attachedClients(),
                Durations.format(session.age())));
  }

  public void detached(TerminalSession session, Attachment attachment, String why) {
    announce("detached", session, describe(attachment) + ": " + why, refresh(session).record());
    LOG.info(
        () ->
            String.format(
                "session %s: %s detached (%s) after %s connected (%d attached, session age %s)",
                session.id(),
                attachment.clientId(),
                why,
                Durations.format(attachment.connectedFor()),
                session.attachedClients(),
                Durations.format(session.age())));
  }

  /** The session ended: its record goes, its end is remembered for late resumes, and announced. */
  public void ended(TerminalSession session, SessionEnd end) {
    try {
      removeRecord(session.id());
      ended.remember(session.id(), end);
      publish("closed", session, end.code().label(), end.reason(), null);
    } catch (RuntimeException e) {
      // The shared state is unreachable (the cluster is stopping): the shell must die anyway.
      LOG.log(Level.WARNING, "session " + session.id() + ": could not record its end", e);
    }
    LOG.info(
        () ->
            String.format(
                "session %s: ended (%s: %s) after %s",
                session.id(), end.code().label(), end.reason(), Durations.format(session.age())));
  }

  /**
   * Removes the ended session's record, whatever its revision: a refresh under way (the shell's
   * first output, an activity tick) may rewrite it between the read and the removal, and a record
   * left behind would list a session that is gone.
   */
  private void removeRecord(String sessionId) {
    for (int attempt = 0; attempt < 10; attempt++) {
      Optional<SessionRecord> current = registry.find(sessionId);
      if (current.isEmpty() || registry.remove(current.get())) {
        return;
      }
    }
    LOG.warning(() -> "session " + sessionId + ": its record kept changing; not removed");
  }

  public void resized(TerminalSession session) {
    String size = session.cols() + "x" + session.rows();
    announce("resized", session, size, refresh(session).record());
  }

  public void idleWarned(TerminalSession session, long secondsLeft) {
    if (session.ended() == null) { // else "closed" has said it all: no call to the cluster
      String left = "ends in " + secondsLeft + " s";
      publish("idle-warning", session, null, left, registry.find(session.id()).orElse(null));
    }
  }

  /** The sweep's refresh: a changed record is announced, so the admin console follows it. */
  public void refreshAndAnnounce(TerminalSession session) {
    Refreshed refreshed = refresh(session);
    if (refreshed.changed()) {
      publish("updated", session, null, null, refreshed.record());
    }
  }

  /**
   * Writes the session's current state to its registry record, if it changed, as the record's next
   * revision. Called on attach, detach, resize and by {@link ActivityAnnouncements}: activity and
   * output reach the registry at most once a second, never per key.
   *
   * @return the record as it is now (null if the session has no record any more) and whether this
   *     call rewrote it
   */
  public Refreshed refresh(TerminalSession session) {
    if (session.ended() != null) {
      // Its record is gone or going. Asked first, without a call to the cluster: a session's last
      // client is often detached on the transport's I/O thread, which must not wait for one.
      return new Refreshed(null, false);
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      Optional<SessionRecord> current = registry.find(session.id());
      if (current.isEmpty()) {
        return new Refreshed(null, false);
      }
      long revision = current.get().revision();
      SessionRecord now = recordOf(session, revision);
      if (now.equals(current.get())) {
        return new Refreshed(current.get(), false);
      }
      SessionRecord next = now.withRevision(revision + 1);
      if (registry.replace(current.get(), next)) {
        return new Refreshed(next, true);
      }
    }
    LOG.warning(() -> "session " + session.id() + ": its record kept changing; not refreshed");
    return new Refreshed(null, false);
  }

  private SessionRecord recordOf(TerminalSession session, long revision) {
    return new SessionRecord(
        session.id(),
        session.owner(),
        session.node(),
        session.created(),
        session.lastActivity(),
        session.attachedClients(),
        session.observers(),
        session.cols(),
        session.rows(),
        IdlePolicy.deadline(session.idleFacts(), settings.idleLimits(session.isAdmin())),
        session.head(),
        ForegroundCommand.of(session.pid()),
        revision);
  }

  private static String describe(Attachment attachment) {
    return attachment.clientId() + (attachment.observer() ? " (observer)" : "");
  }

  /**
   * A live session's news. Its news comes in order but after the fact ({@link NodeSessions}), and
   * after its end {@code closed} has said it all: nothing is announced then.
   */
  private void announce(String type, TerminalSession session, String detail, SessionRecord record) {
    if (session.ended() == null) {
      publish(type, session, null, detail, record);
    }
  }

  /**
   * @param record the session's record as written with this event, for the console (null when the
   *     session has none any more)
   */
  private void publish(
      String type, TerminalSession session, String reason, String detail, SessionRecord record) {
    events.publish(
        new SessionEvent(
            type,
            session.id(),
            session.owner(),
            session.node(),
            Instant.now(),
            session.attachedClients(),
            reason,
            detail,
            record == null ? null : SessionItem.of(record)));
  }
}
