package io.tether.session;

import io.tether.cluster.NodeStates;
import io.tether.config.TetherSettings;
import io.tether.events.LifecycleEvents;
import io.tether.events.SessionCommandHandler;
import io.tether.events.SessionEvent;
import io.tether.isolation.ShellIsolation;
import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.ProtocolException;
import io.tether.pty.CpuLatencyRequest;
import io.tether.pty.ForegroundCommand;
import io.tether.pty.PtyShell;
import io.tether.pty.ShellSpec;
import io.tether.registry.SessionItem;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import io.tether.sweep.IdlePolicy;
import io.tether.ticket.Ticket;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Local;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sessions that live on this node: opens them, attaches clients, runs the heartbeat tick, ends
 * them, and on undeploy or shutdown makes sure no shell outlives the application. Registering and
 * unregistering a session happens here and nowhere else.
 */
@Singleton
@Startup
@DependsOn("ClusterMember") // so the shared state outlives this bean's cleanup on undeploy
@LocalBean // implementing interfaces must not hide the no-interface view that CDI injects
@Local(SessionCommandHandler.class) // what the JMS command consumer calls
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class SessionManager implements TerminalSession.Listener, SessionCommandHandler {
  private static final Logger LOG = Logger.getLogger(SessionManager.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  @Inject TetherSettings settings;
  @Inject SessionRegistry registry;
  @Inject EndedSessions ended;
  @Inject Instance<LifecycleEvents> events;
  @Inject Instance<NodeStates> nodeStates; // draining, visible cluster-wide
  @Resource ManagedThreadFactory threads;
  @Resource ManagedScheduledExecutorService scheduler;

  private final Map<String, TerminalSession> sessions = new ConcurrentHashMap<>();
  // Ids whose start is under way: the shell exists before the session is live and its record
  // written, and the sweep's reconciliation must not take them for lost or orphaned.
  private final Set<String> starting = ConcurrentHashMap.newKeySet();
  private final Map<String, Object> userLocks = new ConcurrentHashMap<>();
  private ScheduledFuture<?> heartbeats;
  private CpuLatencyRequest cpuLatency; // null when tether.pty.keep-cpus-awake is off
  private volatile boolean draining;
  private TerminalSession.Settings sessionSettings;
  private ShellSpec shellSpec;
  private ShellIsolation isolation; // issue 12: each user's shell as its own account

  @PostConstruct
  void start() {
    LOG.info("Tether settings: " + settings.effective());
    sessionSettings =
        new TerminalSession.Settings(
            settings.logBytes(),
            settings.windowBytes(),
            settings.heartbeatMillis(),
            256,
            settings.outputIsActivity());
    shellSpec =
        new ShellSpec(
            settings.shellCommand(), settings.shellDirectory(), settings.shellEnvironment());
    isolation = ShellIsolation.start(settings); // issue 12
    if (settings.keepCpusAwake()) {
      cpuLatency = new CpuLatencyRequest(scheduler);
    }
    long interval = settings.heartbeatMillis();
    heartbeats =
        scheduler.scheduleAtFixedRate(
            this::heartbeatTick, interval, interval, TimeUnit.MILLISECONDS);
  }

  /** Starts a new session for the ticket's user and attaches the client to it. */
  public Attachment open(Ticket ticket, ClientMessage.Hello hello, ClientChannel channel)
      throws ProtocolException {
    TerminalSession session;
    if (draining) {
      throw new ProtocolException(CloseCode.NODE_DRAINING, null);
    }
    // One user's concurrent opens are serialised so the session limit cannot be overrun.
    synchronized (userLocks.computeIfAbsent(ticket.user(), user -> new Object())) {
      int limit = settings.maxSessionsPerUser(ticket.isAdmin());
      if (registry.countOwnedBy(ticket.user()) >= limit) {
        LOG.info(() -> ticket.user() + " refused a new session: limit of " + limit + " reached");
        throw new ProtocolException(
            CloseCode.LIMIT_REACHED, "You have reached your limit of " + limit + " sessions.");
      }
      session = start(ticket, hello);
    }
    return session.attach(channel, hello);
  }

  private TerminalSession start(Ticket ticket, ClientMessage.Hello hello) throws ProtocolException {
    String id = newSessionId();
    starting.add(id);
    try {
      return start(id, ticket, hello);
    } finally {
      starting.remove(id); // live and recorded by now, or never started
    }
  }

  /** The shell, the live session, its record: in this order, while {@code id} is starting. */
  private TerminalSession start(String id, Ticket ticket, ClientMessage.Hello hello)
      throws ProtocolException {
    PtyShell shell;
    try {
      shell = // issue 12: as the user's own account, sandboxed, limited
          isolation.start(
              shellSpec, id, ticket.user(), ticket.isAdmin(), hello.cols(), hello.rows());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.SEVERE, "could not start the shell " + shellSpec.command(), e);
      throw new ProtocolException(CloseCode.NODE_STOPPING, "The shell could not be started.");
    }
    TerminalSession session =
        new TerminalSession(
            id,
            ticket.user(),
            ticket.roles(),
            settings.nodeName(),
            shell,
            hello.cols(),
            hello.rows(),
            sessionSettings,
            this);
    sessions.put(id, session);
    boolean reading = false;
    try {
      SessionRecord record = recordOf(session, 0);
      registry.register(record);
      publish("opened", session, null, "pid " + shell.pid(), record);
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
    } catch (RuntimeException e) {
      // The registry or the thread factory failed: no half-started session stays behind.
      LOG.log(Level.SEVERE, "session " + id + ": could not be started", e);
      session.end(SessionEnd.of(CloseCode.NODE_STOPPING, "The session could not be started."));
      if (!reading) {
        shell.kill();
        shell.close(); // otherwise the reader closes the PTY once its output has ended
      }
      throw new ProtocolException(CloseCode.NODE_STOPPING, "The session could not be started.");
    }
  }

  /** Attaches the client to an existing session of the ticket's user. */
  public Attachment resume(Ticket ticket, ClientMessage.Hello hello, ClientChannel channel)
      throws ProtocolException {
    TerminalSession session = sessions.get(hello.sessionId());
    if (session == null) {
      Optional<SessionEnd> end = ended.find(hello.sessionId());
      if (end.isPresent()) {
        throw new ProtocolException(end.get().code(), end.get().reason());
      }
      throw new ProtocolException(CloseCode.NO_SUCH_SESSION, null);
    }
    checkMayAttach(session.id(), session.owner(), ticket, hello.observe());
    return session.attach(channel, hello);
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
    if (nodeStates.isResolvable()) {
      nodeStates.get().setDraining(settings.nodeName(), true);
    }
    LOG.info(() -> "draining (asked by " + by + "): no new sessions on this node");
    for (TerminalSession session : sessions.values()) {
      session.notice(
          "draining",
          "This server is being drained: your session goes on, new sessions start elsewhere.",
          -1);
    }
  }

  /** Takes new sessions again. */
  @Override
  public void undrain(String by) {
    if (draining) {
      draining = false;
      if (nodeStates.isResolvable()) {
        nodeStates.get().setDraining(settings.nodeName(), false);
      }
      LOG.info(() -> "no longer draining (asked by " + by + ")");
    }
  }

  public boolean isDraining() {
    return draining;
  }

  /**
   * The node that owns {@code sessionId} if it is another node's (a connection for it must be
   * relayed there); empty if the session is here or unknown.
   *
   * @throws ProtocolException {@code 4003} if the ticket's user may not attach to it
   */
  public Optional<String> remoteOwner(String sessionId, Ticket ticket, boolean observe)
      throws ProtocolException {
    if (sessions.containsKey(sessionId)) {
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

  public Optional<TerminalSession> find(String id) {
    return Optional.ofNullable(sessions.get(id));
  }

  public Collection<TerminalSession> sessions() {
    return List.copyOf(sessions.values());
  }

  /** Ends a session for the given reason; its processes are killed after the grace period. */
  public boolean end(String id, SessionEnd why) {
    TerminalSession session = sessions.get(id);
    return session != null && session.end(why);
  }

  /** What {@link #refreshRecord} found or wrote. */
  record Refreshed(SessionRecord record, boolean changed) {}

  /**
   * Writes the session's current state to its registry record, if it changed, as the record's next
   * revision. Called on attach, detach, resize and by the sweep: activity and output reach the
   * registry at most once a sweep, never per key.
   *
   * @return the record as it is now (null if the session has no record any more) and whether this
   *     call rewrote it
   */
  Refreshed refreshRecord(TerminalSession session) {
    for (int attempt = 0; attempt < 3; attempt++) {
      Optional<SessionRecord> current = registry.find(session.id());
      if (current.isEmpty() || session.ended() != null) {
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

  /** The sweep's refresh: a changed record is announced, so the admin console follows it. */
  public void refreshAndAnnounce(TerminalSession session) {
    Refreshed refreshed = refreshRecord(session);
    if (refreshed.changed()) {
      publish("updated", session, null, null, refreshed.record());
    }
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

  /** An idle sweep decided this session has been idle too long. */
  public void endIdle(TerminalSession session, IdlePolicy.End idle) {
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

  /**
   * Makes this node's PTYs and its registry records agree (see {@link NodeReconciliation}); the
   * sessions being started are left alone.
   *
   * @return how many things were cleaned up
   */
  public int reconcile() {
    return new NodeReconciliation(
                settings.nodeName(), settings.serverIdentity(), sessions, starting, registry)
            .run()
        // issue 12: an isolated session's leftovers are found by its cgroup
        + isolation.reapOrphans(id -> starting.contains(id) || sessions.containsKey(id));
  }

  @Override
  public void kill(String sessionId, String by) {
    find(sessionId)
        .ifPresent(
            session -> {
              LOG.info(() -> "session " + sessionId + ": killed by " + by);
              session.end(SessionEnd.of(CloseCode.KILLED_BY_ADMIN, null));
            });
  }

  @Override
  public void notice(String sessionId, String message) {
    find(sessionId).ifPresent(session -> session.notice("broadcast", message, -1));
  }

  @Override
  public void detach(String sessionId, String by) {
    find(sessionId)
        .ifPresent(
            session -> {
              LOG.info(() -> "session " + sessionId + ": clients detached by " + by);
              for (Attachment attachment : session.attachments()) {
                attachment.close(CloseCode.DETACHED_BY_ADMIN, null);
              }
            });
  }

  @Override
  public void noticeAll(String message) {
    for (TerminalSession session : sessions.values()) {
      session.notice("broadcast", message, -1);
    }
  }

  @Override
  public void attached(TerminalSession session, Attachment attachment) {
    String client = attachment.clientId() + (attachment.observer() ? " (observer)" : "");
    publish("attached", session, null, client, refreshRecord(session).record());
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

  @Override
  public void detached(TerminalSession session, Attachment attachment, String why) {
    SessionRecord record = refreshRecord(session).record();
    if (session.ended() == null) { // after the end, closed has said it all
      String client = attachment.clientId() + (attachment.observer() ? " (observer)" : "");
      publish("detached", session, null, client + ": " + why, record);
    }
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

  @Override
  public void ended(TerminalSession session, SessionEnd end) {
    sessions.remove(session.id(), session);
    try {
      registry.find(session.id()).ifPresent(registry::remove);
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
    try {
      scheduler.schedule(session::killSurvivors, settings.killGraceMillis(), TimeUnit.MILLISECONDS);
      // As long as a silent client would have to be heard from while the session lived.
      scheduler.schedule(
          session::closeLingeringClients, 3 * settings.heartbeatMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      // The executor is gone (the application is stopping): kill at once.
      session.killSurvivors();
    }
  }

  @Override
  public void resized(TerminalSession session) {
    String size = session.cols() + "x" + session.rows();
    publish("resized", session, null, size, refreshRecord(session).record());
  }

  @Override
  public void idleWarned(TerminalSession session, long secondsLeft) {
    String left = "ends in " + secondsLeft + " s";
    publish("idle-warning", session, null, left, registry.find(session.id()).orElse(null));
  }

  /** Every PTY batch: streaming output keeps the CPUs awake (see {@link CpuLatencyRequest}). */
  @Override
  public void outputRead(TerminalSession session, int bytes) {
    if (cpuLatency != null) {
      cpuLatency.outputBatch(bytes);
    }
  }

  /**
   * @param record the session's record as written with this event, for the console (null when the
   *     session has none any more)
   */
  private void publish(
      String type, TerminalSession session, String reason, String detail, SessionRecord record) {
    if (events.isResolvable()) {
      events
          .get()
          .publish(
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

  private void heartbeatTick() {
    for (TerminalSession session : sessions.values()) {
      try {
        session.heartbeat();
        session.killSurvivorsOfExitedShell(Duration.ofMillis(settings.killGraceMillis()));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "session " + session.id() + ": heartbeat failed", e);
      }
    }
  }

  /**
   * Undeploy or shutdown: every shell gets SIGHUP, then SIGKILL for whatever survives the grace
   * period, before this method returns. No PTY process outlives the application.
   */
  @PreDestroy
  void stop() {
    heartbeats.cancel(false);
    if (cpuLatency != null) {
      cpuLatency.close();
    }
    List<TerminalSession> live = List.copyOf(sessions.values());
    if (live.isEmpty()) {
      return;
    }
    LOG.info(() -> "stopping: ending " + live.size() + " session(s)");
    for (TerminalSession session : live) {
      session.end(SessionEnd.of(CloseCode.NODE_STOPPING, null));
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.killGraceMillis());
    while (System.nanoTime() < deadline && live.stream().anyMatch(s -> s.anyProcessAlive())) {
      try {
        Thread.sleep(50); // polling process liveness; there is no event to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    live.forEach(TerminalSession::killSurvivors);
  }

  private static String newSessionId() {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }
}
