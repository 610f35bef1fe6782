package io.tether.node;

import io.tether.config.TetherSettings;
import io.tether.isolation.ShellIsolation;
import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.MessageCodec;
import io.tether.protocol.ProtocolException;
import io.tether.pty.PtyShell;
import io.tether.pty.ShellSpec;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import io.tether.session.Attachment;
import io.tether.session.EndedSessions;
import io.tether.session.ObserveRequests;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.ticket.Ticket;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Brings clients to sessions: starts a new session (within the user's limit, unless the node
 * drains), attaches a client to a session of this node, and says which node owns a session held
 * elsewhere. Only a session's owner attaches to it; an administrator may observe read-only.
 */
@ApplicationScoped
public class SessionLauncher {
  private static final Logger LOG = Logger.getLogger(SessionLauncher.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Input marks a session keeps of clients that went away (an attached client's is always kept):
   * about 100 bytes each, so at most about 100 KiB a session, and hundreds of tabs coming and going
   * still find their marks.
   */
  private static final int CLIENTS_REMEMBERED = 1024;

  @Inject TetherSettings settings;
  @Inject NodeSessions sessions;
  @Inject RecordMirror mirror;
  @Inject NodeAdministration administration;
  @Inject SessionRegistry registry;
  @Inject EndedSessions ended;

  @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
  ThreadFactory threads;

  /** Where the sandboxes of users' next sessions are made ahead. */
  @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
  ScheduledExecutorService spareMaker;

  private final Map<String, Object> userLocks = new ConcurrentHashMap<>();
  private final Object admitting = new Object();
  private long startingLogBytes; // guarded by admitting
  Admission admission = Admission.ofThisJvm();
  private TerminalSession.Settings sessionSettings;
  private ShellSpec shellSpec;
  private boolean consent; // an administrator observes once the session's user agrees
  private Duration consentTimeout;
  ShellIsolation isolation; // each user's shell as its own account

  @PostConstruct
  void configure() {
    sessionSettings =
        new TerminalSession.Settings(
            settings.logBytes(),
            settings.windowBytes(),
            settings.heartbeatMillis(),
            CLIENTS_REMEMBERED,
            settings.outputIsActivity(),
            settings.reconnectGraceMillis());
    shellSpec =
        new ShellSpec(
            settings.shellCommand(), settings.shellDirectory(), settings.shellEnvironment());
    consent = settings.observeNeedsConsent();
    consentTimeout = settings.consentTimeout();
    if (isolation == null) { // tests bring their own
      isolation = ShellIsolation.start(settings);
      try {
        isolation.keepSpares(
            settings.spares(),
            settings.spareLifetime(),
            ShellIsolation.SPARE_DELAY,
            spareMaker,
            SessionLauncher::newSessionId,
            user -> sessions.all().stream().anyMatch(s -> s.owner().equals(user)));
        sessions.afterEnd(session -> isolation.sessionEnded(session.owner()));
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "no sandboxes are made ahead: every shell starts cold", e);
      }
    }
  }

  /** Undeploy: the sandboxes made ahead go (the sessions' shells go with {@link NodeSessions}). */
  @PreDestroy
  void stop() {
    isolation.close();
  }

  /** Starts a new session for the ticket's user and attaches the client to it. */
  public Attachment open(Ticket ticket, ClientMessage.Hello hello, ClientChannel channel)
      throws ProtocolException {
    if (sessions.isStopping()) {
      throw new ProtocolException(CloseCode.NODE_STOPPING, null);
    }
    if (administration.draining()) {
      throw new ProtocolException(CloseCode.NODE_DRAINING, null);
    }
    TerminalSession session;
    // One user's concurrent opens are serialised so the session limit cannot be overrun.
    synchronized (userLocks.computeIfAbsent(ticket.user(), user -> new Object())) {
      int limit = settings.maxSessionsPerUser(ticket.isAdmin());
      if (registry.countOwnedBy(ticket.user()) >= limit) {
        LOG.info(() -> ticket.user() + " refused a new session: limit of " + limit + " reached");
        throw new ProtocolException(
            CloseCode.LIMIT_REACHED, "You have reached your limit of " + limit + " sessions.");
      }
      // The session id its spare sandbox was made for, if one waits (see ShellIsolation).
      String id =
          isolation
              .spareSessionId(ticket.user(), ticket.isAdmin())
              .orElseGet(SessionLauncher::newSessionId);
      sessions.starting(id);
      try {
        session = admitAndStart(id, ticket, hello);
      } finally {
        sessions.startOver(id);
      }
    }
    return session.attach(channel, hello);
  }

  /**
   * Starts the session if the heap has room for it beside the live ones and the ones starting
   * meanwhile (whose logs are reserved until they are live).
   */
  private TerminalSession admitAndStart(String id, Ticket ticket, ClientMessage.Hello hello)
      throws ProtocolException {
    int logBytes = settings.logBytes();
    synchronized (admitting) {
      Optional<String> full = admission.refusal(sessions.all(), logBytes + startingLogBytes);
      if (full.isPresent()) {
        LOG.warning(
            () -> ticket.user() + " refused a new session: no room on this node: " + full.get());
        throw new ProtocolException(CloseCode.NODE_FULL, null);
      }
      startingLogBytes += logBytes;
    }
    try {
      return start(id, ticket, hello);
    } finally {
      synchronized (admitting) {
        startingLogBytes -= logBytes;
      }
    }
  }

  /** The shell, the live session, its record, its threads: in this order, while it starts. */
  private TerminalSession start(String id, Ticket ticket, ClientMessage.Hello hello)
      throws ProtocolException {
    PtyShell shell;
    try {
      shell = // as the user's own account, sandboxed, limited
          isolation.start(
              shellSpec, id, ticket.user(), ticket.isAdmin(), hello.cols(), hello.rows());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.SEVERE, "could not start the shell " + shellSpec.command(), e);
      throw new ProtocolException(CloseCode.NODE_STOPPING, "The shell could not be started.");
    }
    TerminalSession session;
    try {
      session =
          new TerminalSession(
              id,
              ticket.user(),
              ticket.roles(),
              settings.nodeName(),
              shell,
              hello.cols(),
              hello.rows(),
              sessionSettings,
              sessions.listener());
    } catch (RuntimeException | Error e) {
      // Its log could not be allocated (OutOfMemoryError): the shell it was for goes at once.
      LOG.log(Level.SEVERE, "session " + id + ": could not be created", e);
      shell.kill();
      shell.close();
      throw new ProtocolException(CloseCode.NODE_FULL, null);
    }
    sessions.live(session);
    boolean reading = false;
    try {
      mirror.started(session);
      LOG.info(
          () ->
              String.format(
                  "session %s: started for %s (pid %d, %dx%d)",
                  id, ticket.user(), shell.pid(), hello.cols(), hello.rows()));
      Thread reader = threads.newThread(session::readOutput);
      reader.setName("tether-pty-" + id);
      reader.start();
      reading = true;
      Thread waiter = threads.newThread(session::awaitShellExit);
      waiter.setName("tether-exit-" + id);
      waiter.start();
      return session;
    } catch (RuntimeException | Error e) {
      // The registry or the thread factory failed, or memory ran out: no half-started session
      // and no shell stays behind.
      LOG.log(Level.SEVERE, "session " + id + ": could not be started", e);
      session.end(SessionEnd.of(CloseCode.NODE_STOPPING, "The session could not be started."));
      if (!reading) {
        shell.kill();
        shell.close(); // otherwise the reader closes the PTY once its output has ended
      }
      throw new ProtocolException(CloseCode.NODE_STOPPING, "The session could not be started.");
    }
  }

  /** Attaches the client to a session of this node that the ticket's user may attach to. */
  public Attachment resume(Ticket ticket, ClientMessage.Hello hello, ClientChannel channel)
      throws ProtocolException {
    TerminalSession session = liveSession(hello.sessionId());
    checkMayAttach(session.id(), session.owner(), ticket, hello.observe());
    Attachment attachment = session.attach(channel, hello);
    if (hello.observe()) { // the session's users are told who watches
      session.observerNotices().observing(attachment, ticket.user(), session.attachments());
    }
    return attachment;
  }

  /**
   * An administrator's observing of a session of this node: attached at once under the policy
   * {@code notify} (the users are told who watches), or under {@code consent} once the session's
   * user agrees. Until then the observer gets {@code awaiting-consent} and nothing of the session;
   * a decline or no answer in time refuses it with {@code 4019}. Cancelling the result (the
   * observer went away) withdraws the request.
   *
   * @throws ProtocolException no such session, or no admin role
   */
  public CompletableFuture<Attachment> observe(
      Ticket ticket, ClientMessage.Hello hello, ClientChannel channel) throws ProtocolException {
    if (!consent) {
      return CompletableFuture.completedFuture(resume(ticket, hello, channel));
    }
    TerminalSession session = liveSession(hello.sessionId());
    checkMayAttach(session.id(), session.owner(), ticket, true);
    CompletableFuture<Attachment> admitted = new CompletableFuture<>();
    // The channel's one send before it has an attachment: what follows waits for it to finish.
    CompletableFuture<Void> told = new CompletableFuture<>();
    ObserveRequests.Decision decision =
        new ObserveRequests.Decision() {
          @Override
          public void accepted() {
            told.thenRun(() -> attachObserver(session, ticket, hello, channel, admitted));
          }

          @Override
          public void refused(CloseCode code, String reason) {
            told.thenRun(() -> admitted.completeExceptionally(new ProtocolException(code, reason)));
          }
        };
    LOG.info(
        () ->
            String.format(
                "session %s: %s asks %s for consent to observe it",
                session.id(), ticket.user(), session.owner()));
    String request =
        session
            .observeRequests()
            .ask(ticket.user(), consentTimeout, session.attachments(), decision);
    admitted.whenComplete(
        (attachment, refusal) -> {
          if (admitted.isCancelled()) {
            session.observeRequests().withdraw(request, session.attachments());
          }
        });
    SessionEnd end = session.ended();
    if (end != null) { // it ended while being asked: its end refused nobody yet
      session.observeRequests().ended(end);
    }
    channel.sendText(
        MessageCodec.awaitingConsent(session.owner(), consentTimeout.toSeconds()),
        failure -> told.complete(null));
    return admitted;
  }

  private void attachObserver(
      TerminalSession session,
      Ticket ticket,
      ClientMessage.Hello hello,
      ClientChannel channel,
      CompletableFuture<Attachment> admitted) {
    if (admitted.isDone()) {
      return; // the observer went away meanwhile
    }
    try {
      Attachment attachment = session.attach(channel, hello);
      if (!admitted.complete(attachment)) { // it went away while being attached
        attachment.lost(false);
        return;
      }
      session.observerNotices().observing(attachment, ticket.user(), session.attachments());
    } catch (ProtocolException e) {
      admitted.completeExceptionally(e);
    }
  }

  /**
   * @throws ProtocolException the session's end if it ended lately, else {@code 4004}
   */
  private TerminalSession liveSession(String sessionId) throws ProtocolException {
    Optional<TerminalSession> found = sessions.find(sessionId);
    if (found.isEmpty()) {
      Optional<SessionEnd> end = ended.find(sessionId);
      if (end.isPresent()) {
        throw new ProtocolException(end.get().code(), end.get().reason());
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
  private static void checkMayAttach(String sessionId, String owner, Ticket ticket, boolean observe)
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

  /** Kills what isolated sessions no longer live left behind, by their cgroups. */
  public int reapOrphans() {
    return isolation.reapOrphans(id -> sessions.isLiveOrStarting(id));
  }

  /** Checks that shells cannot reach this node's internal ports (see {@link ShellNetworkCheck}). */
  public ShellIsolation.Network checkShellNetwork() {
    return isolation.checkNetwork(Set.copyOf(settings.publicPorts()));
  }

  /** How this node's shells reach the network, as last checked. */
  public ShellIsolation.Network shellNetwork() {
    return isolation.network();
  }

  private static String newSessionId() {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }
}
