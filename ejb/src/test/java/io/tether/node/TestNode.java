package io.tether.node;

import io.tether.cluster.NodeStates;
import io.tether.config.IdleLimits;
import io.tether.config.TetherSettings;
import io.tether.events.LifecycleEvents;
import io.tether.events.SessionEvent;
import io.tether.isolation.ShellIsolation;
import io.tether.isolation.UnsafeConfig;
import io.tether.protocol.ClientMessage;
import io.tether.registry.InMemorySessionRegistry;
import io.tether.session.EndedSessions;
import io.tether.session.SessionEnd;
import io.tether.session.TestSessions;
import io.tether.ticket.Ticket;
import io.tether.work.Workers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One node's session handling wired as the container wires it, on the in-memory registry, a list of
 * published events and real shells (bash without rc files), with its executor stopped by {@link
 * #close()}.
 */
final class TestNode implements AutoCloseable {
  /** node1's settings: 2 sessions per user (3 for admins), short kill grace. */
  static final class Settings extends TetherSettings {
    private final List<String> shell;

    Settings(List<String> shell) {
      this.shell = shell;
    }

    @Override
    public String nodeName() {
      return "node1";
    }

    @Override
    public String serverIdentity() {
      return "node-test@" + ProcessHandle.current().pid();
    }

    @Override
    public List<String> shellCommand() {
      return shell;
    }

    @Override
    public Path shellDirectory() {
      return TestSessions.BASH.directory();
    }

    @Override
    public Map<String, String> shellEnvironment() {
      return TestSessions.BASH.environment();
    }

    @Override
    public int logBytes() {
      return 64 * 1024;
    }

    @Override
    public long windowBytes() {
      return 64 * 1024;
    }

    @Override
    public long heartbeatMillis() {
      return 10_000;
    }

    @Override
    public long killGraceMillis() {
      return 200;
    }

    @Override
    public int maxSessionsPerUser(boolean admin) {
      return admin ? 3 : 2;
    }

    @Override
    public IdleLimits idleLimits(boolean admin) {
      return new IdleLimits(Duration.ofHours(2), Duration.ofMinutes(30), Duration.ofMinutes(2));
    }

    @Override
    public boolean outputIsActivity() {
      return false;
    }

    @Override
    public boolean keepCpusAwake() {
      return false;
    }

    /** The observe policy: {@code notify} unless a test asks for {@code consent}. */
    volatile boolean consent;

    @Override
    public boolean observeNeedsConsent() {
      return consent;
    }

    @Override
    public Map<String, Object> effective() {
      return Map.of("tether.node.name", nodeName());
    }
  }

  /** Records which nodes said they drain. */
  static final class DrainingNodes extends NodeStates {
    final Map<String, Boolean> draining = new ConcurrentHashMap<>();

    @Override
    public void setDraining(String node, boolean on) {
      draining.put(node, on);
    }
  }

  final Settings settings;
  volatile boolean majority = true; // whether the node is in a majority of its cluster
  final InMemorySessionRegistry registry = new InMemorySessionRegistry();
  final Map<String, SessionEnd> endedSessions = new ConcurrentHashMap<>();
  final List<SessionEvent> events = new CopyOnWriteArrayList<>();
  final DrainingNodes nodeStates = new DrainingNodes();
  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  final RecordMirror mirror = new RecordMirror();
  final NodeSessions sessions = new NodeSessions();
  final NodeAdministration administration = new NodeAdministration();
  final ShellStarter starter = new ShellStarter();
  final SessionLauncher launcher = new SessionLauncher();
  final SessionObservers observers = new SessionObservers();

  TestNode() {
    this(TestSessions.BASH.command());
  }

  /**
   * A node whose shells run {@code shell}, and whose sessions' news for the registry and the events
   * is mirrored on the thread it comes on: a test sees it done when its call returns.
   */
  TestNode(List<String> shell) {
    this(shell, workers(Runnable::run));
  }

  /** A node whose shells run {@code shell}, and whose workers are {@code workers}. */
  TestNode(List<String> shell, Workers workers) {
    settings = new Settings(shell);
    mirror.settings = settings;
    mirror.registry = registry;
    mirror.ended =
        new EndedSessions() {
          @Override
          public void remember(String sessionId, SessionEnd end) {
            endedSessions.put(sessionId, end);
          }

          @Override
          public Optional<SessionEnd> find(String sessionId) {
            return Optional.ofNullable(endedSessions.get(sessionId));
          }

          @Override
          public void forget(String sessionId) {
            endedSessions.remove(sessionId);
          }
        };
    mirror.events = (LifecycleEvents) events::add;
    sessions.settings = settings;
    sessions.mirror = mirror;
    sessions.registry = registry;
    sessions.scheduler = scheduler;
    sessions.workers = workers;
    sessions.threads = Thread::new;
    administration.sessions = sessions;
    administration.settings = settings;
    administration.nodeStates = nodeStates;
    starter.settings = settings;
    starter.sessions = sessions;
    starter.mirror = mirror;
    starter.threads = Thread::new;
    // The unsafe single-user mode: these tests are about launching, not about isolation, which
    // IsolatedShellTest and IsolationIT cover with real accounts.
    starter.isolation =
        ShellIsolation.start(UnsafeConfig.of("tether-node-test"), settings.serverIdentity());
    starter.configure();
    launcher.settings = settings;
    launcher.sessions = sessions;
    launcher.starter = starter;
    launcher.administration = administration;
    launcher.registry = registry;
    launcher.ended = mirror.ended;
    launcher.quorum = () -> majority;
    observers.settings = settings;
    observers.launcher = launcher;
    observers.configure();
    sessions.start();
  }

  /** The node's workers, as {@code executor} runs them. */
  static Workers workers(Executor executor) {
    return new Workers() {
      @Override
      public void execute(Runnable turn) {
        executor.execute(turn);
      }
    };
  }

  /** A ticket of {@code user} with {@code roles}, valid for 30 s. */
  static Ticket ticket(String user, String... roles) {
    return new Ticket("t-" + user, user, Set.of(roles), Instant.now().plusSeconds(30));
  }

  /** A client's {@code hello} for a new 100x30 session. */
  static ClientMessage.Hello newSession(String client) {
    return new ClientMessage.Hello("t", null, 0, client, 0, 100, 30, false);
  }

  /** A client's {@code hello} resuming (or observing) {@code sessionId} from the start. */
  static ClientMessage.Hello resume(String sessionId, String client, boolean observe) {
    return new ClientMessage.Hello("t", sessionId, 0, client, 0, 100, 30, observe);
  }

  /** The types of the events published so far, in order. */
  List<String> eventTypes() {
    return events.stream().map(SessionEvent::type).toList();
  }

  /** Ends every session as an undeploy does, and waits for their processes to go. */
  @Override
  public void close() {
    sessions.stop();
    scheduler.shutdownNow();
  }
}
