package io.tether.node;

import io.tether.cluster.ClusterMerged;
import io.tether.config.TetherSettings;
import io.tether.protocol.CloseCode;
import io.tether.pty.CpuLatencyRequest;
import io.tether.registry.SessionRegistry;
import io.tether.session.Attachment;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.work.InOrder;
import io.tether.work.Workers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sessions that live on this node, and their upkeep: the heartbeat tick, what follows a
 * session's end (its record and event, the kill of what survives the hang-up, the close of clients
 * that stopped reading), the CPU latency request while output streams, and on undeploy or shutdown
 * the end of every session, so no shell outlives the application. A session enters through {@link
 * SessionLauncher} and leaves here, and nowhere else.
 */
@Singleton
@Startup
@DependsOn("ClusterMember") // so the shared state outlives this bean's cleanup on undeploy
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
// No transactional resource is used: no JTA transaction around each call, which session starts,
// attaches and heartbeats make many of.
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class NodeSessions {
  private static final Logger LOG = Logger.getLogger(NodeSessions.class.getName());

  /** An isolating node looks through the machine's processes at one sweep in this many. */
  private static final int SWEEPS_PER_LOOK = 5;

  @Inject TetherSettings settings;
  @Inject RecordMirror mirror;
  @Inject SessionRegistry registry;
  @Inject Workers workers;

  @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
  ScheduledExecutorService scheduler;

  @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
  ThreadFactory threads;

  private final Map<String, TerminalSession> sessions = new ConcurrentHashMap<>();
  // Each live session's news for the registry and the event stream (attached, detached, resized,
  // idle warning), written in the order it came on worker threads: it comes on threads that must
  // not wait for the cluster (a hello's, before the client hears "attached"; the transport's I/O
  // thread, where a send failed), and a member that froze holds a record's partition for seconds.
  private final Map<String, InOrder> news = new ConcurrentHashMap<>();
  // Ids whose start is under way: the shell exists before the session is live and its record
  // written, and the sweep's reconciliation must not take them for lost or orphaned.
  private final Set<String> starting = ConcurrentHashMap.newKeySet();
  private final TerminalSession.Listener listener = new Upkeep();
  private volatile Consumer<TerminalSession> afterEnd = session -> {};
  private volatile Runnable whenStopping = () -> {};
  private ScheduledFuture<?> heartbeats;
  private ScheduledExecutorService activity; // the admin console's rows, live
  private CpuLatencyRequest cpuLatency; // null when tether.pty.keep-cpus-awake is off
  private volatile boolean stopping;
  private final AtomicLong reconciles = new AtomicLong(); // see reconcile()

  @PostConstruct
  void start() {
    LOG.info("Tether settings: " + settings.effective());
    if (settings.keepCpusAwake()) {
      cpuLatency = new CpuLatencyRequest(scheduler);
    }
    SessionSlices<TerminalSession> slices =
        new SessionSlices<>(settings.heartbeatMillis(), TerminalSession::id);
    Duration grace = Duration.ofMillis(settings.killGraceMillis());
    heartbeats =
        scheduler.scheduleAtFixedRate(
            () -> slices.run(sessions.values(), session -> heartbeat(session, grace)),
            slices.periodMillis(),
            slices.periodMillis(),
            TimeUnit.MILLISECONDS);
    // On a thread of its own, not the scheduler's: its refreshes wait for the member that holds a
    // record, which a member that froze does for seconds, while the heartbeats, kills and hello
    // deadlines on the scheduler must go on. The live view, not a copy: a tick walks it every
    // 100 ms, and a copy of 2,000 entries each time is waste.
    activity = Executors.newSingleThreadScheduledExecutor(threads);
    ActivityAnnouncements.start(activity, sessions::values, mirror::refreshAndAnnounce);
  }

  /** What every session of this node tells the node about itself. */
  public TerminalSession.Listener listener() {
    return listener;
  }

  /** A start begins: until {@link #startOver}, reconciliation leaves {@code id} alone. */
  public void starting(String id) {
    starting.add(id);
  }

  /** The session is live: heartbeats and sweeps visit it. */
  public void live(TerminalSession session) {
    news.put(session.id(), new InOrder(workers, "session " + session.id()));
    sessions.put(session.id(), session);
  }

  /** The start is over: the session is live and recorded by now, or never started. */
  public void startOver(String id) {
    starting.remove(id);
  }

  /** Whether {@code id} is live here or starting. */
  public boolean isLiveOrStarting(String id) {
    return starting.contains(id) || sessions.containsKey(id);
  }

  public Optional<TerminalSession> find(String id) {
    return Optional.ofNullable(sessions.get(id));
  }

  public Collection<TerminalSession> all() {
    return List.copyOf(sessions.values());
  }

  /**
   * Makes this node's PTYs and its registry records agree (see {@link NodeReconciliation}); the
   * sessions being started are left alone.
   *
   * @return how many things were cleaned up
   */
  public int reconcile() {
    // Isolated shells are found by their groups; unsandboxed ones only by a look through every
    // process: at every sweep in the unsafe mode; in any mode at the first sweep after the start
    // and every fifth after it, for what a run of this server in the unsafe mode left behind.
    boolean lookForShells =
        settings.isolationUnsafe() || reconciles.getAndIncrement() % SWEEPS_PER_LOOK == 0;
    return new NodeReconciliation(
            settings.nodeName(),
            settings.serverIdentity(),
            lookForShells,
            sessions,
            starting,
            registry,
            session -> mirror.returned(session, "its record was missing"))
        .run();
  }

  /**
   * This node merged back into the cluster after a split: what it wrote meanwhile was discarded, so
   * every live session's record is written again (and announced as {@code returned} where the
   * cluster had it for lost).
   */
  public void merged(@Observes ClusterMerged merged) {
    int returned = 0;
    for (TerminalSession session : sessions.values()) {
      if (session.ended() == null && mirror.returned(session, "its node rejoined the cluster")) {
        returned++;
      }
    }
    int count = returned;
    LOG.warning(() -> "cluster: merged back; " + count + " session record(s) written again");
  }

  /** A session's share of the heartbeat tick, once per heartbeat interval. */
  private static void heartbeat(TerminalSession session, Duration grace) {
    try {
      session.heartbeat();
      session.killSurvivorsOfExitedShell(grace);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "session " + session.id() + ": heartbeat failed", e);
    }
  }

  /** Hands each session's news to the mirror, and does what a session's end requires. */
  private final class Upkeep implements TerminalSession.Listener {
    @Override
    public void attached(TerminalSession session, Attachment attachment) {
      inOrder(session, () -> mirror.attached(session, attachment));
    }

    @Override
    public void detached(TerminalSession session, Attachment attachment, String why) {
      inOrder(session, () -> mirror.detached(session, attachment, why));
    }

    @Override
    public void resized(TerminalSession session) {
      inOrder(session, () -> mirror.resized(session));
    }

    @Override
    public void idleWarned(TerminalSession session, long secondsLeft) {
      inOrder(session, () -> mirror.idleWarned(session, secondsLeft));
    }

    /**
     * After the session's earlier news, on a worker. Once it has ended there is no queue: what
     * comes then (its last clients' detach) asks nothing of the cluster and runs here.
     */
    private void inOrder(TerminalSession session, Runnable mirroring) {
      InOrder queue = news.get(session.id());
      if (queue == null) {
        mirroring.run();
      } else {
        queue.run(mirroring);
      }
    }

    /** Every PTY batch: streaming output keeps the CPUs awake (see {@link CpuLatencyRequest}). */
    @Override
    public void outputRead(TerminalSession session, int bytes) {
      if (cpuLatency != null) {
        cpuLatency.outputBatch(bytes);
      }
      if (session.head() == bytes) {
        // The shell's first output: it is up, in the foreground of its terminal, so the record's
        // command names it rather than what started it. Off the reader's path to the clients, and
        // off the scheduler's (the refresh may wait for the cluster).
        try {
          workers.execute(() -> mirror.refreshAndAnnounce(session));
        } catch (RejectedExecutionException e) {
          LOG.log(Level.FINE, "the node is stopping: no refresh", e);
        }
      }
    }

    @Override
    public void ended(TerminalSession session, SessionEnd end) {
      sessions.remove(session.id(), session);
      // At once, not after the session's news: a client that resumes now must hear how it ended.
      // News still queued finds the session ended and announces nothing after "closed".
      news.remove(session.id());
      mirror.ended(session, end);
      try {
        scheduler.schedule(
            session::killSurvivors, settings.killGraceMillis(), TimeUnit.MILLISECONDS);
        // As long as a silent client would have to be heard from while the session lived.
        scheduler.schedule(
            session::closeLingeringClients, 3 * settings.heartbeatMillis(), TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        // The executor is gone (the application is stopping): kill at once.
        session.killSurvivors();
      }
      try {
        afterEnd.accept(session);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "session " + session.id() + ": after its end", e);
      }
    }
  }

  /**
   * The application begins to stop: every session ends now, so each client hears {@code 4014} and
   * its sentence before the container closes the connections, and no new session starts. Called by
   * the web module as its context is destroyed; {@link #stop()} then makes sure nothing survives.
   */
  public void stopping() {
    stopping = true;
    try {
      whenStopping.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "stopping: what else is done first failed", e);
    }
    List<TerminalSession> live = List.copyOf(sessions.values());
    if (!live.isEmpty()) {
      LOG.info(() -> "stopping: ending " + live.size() + " session(s)");
    }
    for (TerminalSession session : live) {
      session.end(SessionEnd.of(CloseCode.NODE_STOPPING, null));
    }
  }

  /** What else is done when a session has ended, once it is no longer live here. */
  public void afterEnd(Consumer<TerminalSession> action) {
    afterEnd = action;
  }

  /**
   * What else is done as the application begins to stop ({@link #stopping()}), before the sessions
   * end, while every bean of the node still answers.
   */
  public void whenStopping(Runnable action) {
    whenStopping = action;
  }

  /** Whether the application is stopping: no session starts any more. */
  public boolean isStopping() {
    return stopping;
  }

  /**
   * Undeploy or shutdown: every shell gets SIGHUP, then SIGKILL for whatever survives the grace
   * period, before this method returns. No PTY process outlives the application.
   */
  @PreDestroy
  void stop() {
    heartbeats.cancel(false);
    activity.shutdownNow();
    if (cpuLatency != null) {
      cpuLatency.close();
    }
    List<TerminalSession> live = List.copyOf(sessions.values());
    stopping(); // if the web module did not already
    if (live.isEmpty()) {
      return;
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
}
