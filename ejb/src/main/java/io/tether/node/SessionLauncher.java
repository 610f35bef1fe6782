package io.tether.node;

import io.tether.cluster.Quorum;
import io.tether.config.TetherSettings;
import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.ProtocolException;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import io.tether.session.Attachment;
import io.tether.session.EndedSessions;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.ticket.Ticket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Brings clients to sessions: starts a new session (within the user's limit, unless the node
 * drains), attaches a client to a session of this node, and says which node owns a session held
 * elsewhere. Only a session's owner attaches to it; an administrator may observe read-only ({@link
 * SessionObservers}). {@link ShellStarter} starts the shells.
 */
@ApplicationScoped
public class SessionLauncher {
  private static final Logger LOG = Logger.getLogger(SessionLauncher.class.getName());

  @Inject TetherSettings settings;
  @Inject NodeSessions sessions;
  @Inject ShellStarter starter;
  @Inject NodeAdministration administration;
  @Inject SessionRegistry registry;
  @Inject EndedSessions ended;
  @Inject Quorum quorum;

  private final Map<String, Object> userLocks = new ConcurrentHashMap<>();

  /** Starts a new session for the ticket's user and attaches the client to it. */
  public Attachment open(Ticket ticket, ClientMessage.Hello hello, ClientChannel channel)
      throws ProtocolException {
    TerminalSession session;
    try {
      session = start(ticket, hello);
    } finally {
      // Used, started or refused: the node no longer expects a session for it (nor keeps its
      // user's sandbox made ahead for it). Not before the start, which takes that sandbox.
      starter.used(ticket);
    }
    return session.attach(channel, hello);
  }

  private TerminalSession start(Ticket ticket, ClientMessage.Hello hello) throws ProtocolException {
    if (sessions.isStopping()) {
      throw new ProtocolException(CloseCode.NODE_STOPPING, null);
    }
    if (administration.draining()) {
      throw new ProtocolException(CloseCode.NODE_DRAINING, null);
    }
    if (!quorum.held()) { // its registry is not the cluster's: limits and ids cannot be checked
      throw new ProtocolException(CloseCode.CUT_OFF, null);
    }
    // One user's concurrent opens are serialised so the session limit cannot be overrun.
    synchronized (userLocks.computeIfAbsent(ticket.user(), user -> new Object())) {
      int limit = settings.maxSessionsPerUser(ticket.isAdmin());
      if (registry.countOwnedBy(ticket.user()) >= limit) {
        LOG.info(() -> ticket.user() + " refused a new session: limit of " + limit + " reached");
        throw new ProtocolException(
            CloseCode.LIMIT_REACHED, "You have reached your limit of " + limit + " sessions.");
      }
      String id = starter.nextSessionId(ticket); // its sandbox may be made already
      sessions.starting(id);
      try {
        return starter.start(id, ticket, hello);
      } finally {
        sessions.startOver(id);
      }
    }
  }

  /** Attaches the client to a session of this node that the ticket's user may attach to. */
  public Attachment resume(Ticket ticket, ClientMessage.Hello hello, ClientChannel channel)
      throws ProtocolException {
    starter.used(ticket);
    TerminalSession session = liveSession(hello.sessionId());
    checkMayAttach(session.id(), session.owner(), ticket, hello.observe());
    Attachment attachment = session.attach(channel, hello);
    if (hello.observe()) { // the session's users are told who watches
      session.observerNotices().observing(attachment, ticket.user(), session.attachments());
    }
    return attachment;
  }

  /**
   * @throws ProtocolException the session's end if it ended lately, else {@code 4004}
   */
  TerminalSession liveSession(String sessionId) throws ProtocolException {
    Optional<TerminalSession> found = sessions.find(sessionId);
    if (found.isEmpty()) {
      Optional<SessionEnd> end = ended.find(sessionId);
      if (end.isPresent()) {
        throw new ProtocolException(end.get().code(), end.get().reason());
      }
      if (!quorum.held()) { // it may live on a node out of reach
        throw new ProtocolException(CloseCode.CUT_OFF, null);
      }
      throw new ProtocolException(CloseCode.NO_SUCH_SESSION, null);
    }
    return found.get();
  }

  /**
   * The node that owns {@code sessionId} if it is another node's (a connection for it must be
   * relayed there); empty if the session is here or unknown.
   *
   * @throws ProtocolException {@code 4003} if the ticket's user may not attach to it
   */
  public Optional<String> remoteOwner(String sessionId, Ticket ticket, boolean observe)
      throws ProtocolException {
    if (sessions.find(sessionId).isPresent()) {
      return Optional.empty();
    }
    Optional<SessionRecord> record = registry.find(sessionId);
    if (record.isEmpty() || record.get().node().equals(settings.nodeName())) {
      return Optional.empty();
    }
    checkMayAttach(sessionId, record.get().owner(), ticket, observe);
    return Optional.of(record.get().node());
  }

  /**
   * Only a session's owner attaches to it; an administrator may observe any session read-only.
   *
   * @throws ProtocolException {@code 4003} otherwise
   */
  static void checkMayAttach(String sessionId, String owner, Ticket ticket, boolean observe)
      throws ProtocolException {
    if (observe && !ticket.isAdmin()) {
      LOG.warning(
          () ->
              String.format(
                  "session %s: %s tried to observe it without the admin role",
                  sessionId, ticket.user()));
      throw new ProtocolException(
          CloseCode.NOT_YOUR_SESSION, "Observing a session needs the admin role.");
    }
    if (!observe && !owner.equals(ticket.user())) {
      LOG.warning(
          () ->
              String.format(
                  "session %s: %s tried to attach to a session of %s",
                  sessionId, ticket.user(), owner));
      throw new ProtocolException(CloseCode.NOT_YOUR_SESSION, null);
    }
  }
}
