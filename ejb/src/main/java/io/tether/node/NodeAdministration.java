package io.tether.node;

import io.tether.cluster.NodeStates;
import io.tether.config.TetherSettings;
import io.tether.events.SessionCommandHandler;
import io.tether.protocol.CloseCode;
import io.tether.session.Attachment;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * What an administrator does to this node and its sessions, as the JMS command consumer delivers
 * it: kill, notice, detach, and draining; and a user's end of one of its own sessions. A session
 * this node does not hold (it ended meanwhile) is ignored, and the sender is told so.
 */
@ApplicationScoped
public class NodeAdministration implements SessionCommandHandler {
  private static final Logger LOG = Logger.getLogger(NodeAdministration.class.getName());

  @Inject NodeSessions sessions;
  @Inject TetherSettings settings;
  @Inject NodeStates nodeStates; // draining, visible cluster-wide

  private volatile boolean draining;

  /** Whether this node refuses new sessions ({@code 4011}). */
  public boolean draining() {
    return draining;
  }

  /**
   * Drains this node: it takes no new sessions (a new one is refused with {@code 4011}, and the
   * page retries, landing on another node), while its sessions go on; their users are told.
   */
  @Override
  public void drain(String by) {
    if (draining) {
      return;
    }
    draining = true;
    publishDraining(true);
    LOG.info(() -> "draining (asked by " + by + "): no new sessions on this node");
    for (TerminalSession session : sessions.all()) {
      session.notice(
          "draining",
          "This server is being drained: your session goes on, new sessions start elsewhere.",
          -1);
    }
  }

  @Override
  public void undrain(String by) {
    if (draining) {
      draining = false;
      publishDraining(false);
      LOG.info(() -> "no longer draining (asked by " + by + ")");
    }
  }

  private void publishDraining(boolean on) {
    nodeStates.setDraining(settings.nodeName(), on);
  }

  @Override
  public boolean kill(String sessionId, String by) {
    return end(sessionId, CloseCode.KILLED_BY_ADMIN, "killed by " + by);
  }

  @Override
  public boolean endOwn(String sessionId, String user) {
    return end(sessionId, CloseCode.ENDED_BY_USER, "ended by its user " + user);
  }

  private boolean end(String sessionId, CloseCode why, String how) {
    Optional<TerminalSession> session = sessions.find(sessionId);
    session.ifPresent(
        s -> {
          LOG.info(() -> "session " + sessionId + ": " + how);
          s.end(SessionEnd.of(why, null));
        });
    return session.isPresent();
  }

  @Override
  public boolean notice(String sessionId, String message, String by) {
    Optional<TerminalSession> session = sessions.find(sessionId);
    session.ifPresent(s -> s.broadcast(message, by));
    return session.isPresent();
  }

  @Override
  public boolean detach(String sessionId, String by) {
    Optional<TerminalSession> session = sessions.find(sessionId);
    session.ifPresent(
        s -> {
          LOG.info(() -> "session " + sessionId + ": clients detached by " + by);
          for (Attachment attachment : s.attachments()) {
            attachment.close(CloseCode.DETACHED_BY_ADMIN, null);
          }
        });
    return session.isPresent();
  }

  @Override
  public void noticeAll(String message, String by) {
    for (TerminalSession session : sessions.all()) {
      session.broadcast(message, by);
    }
  }
}
