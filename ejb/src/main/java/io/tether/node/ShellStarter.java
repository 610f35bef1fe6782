package io.tether.node;

import io.tether.config.TetherSettings;
import io.tether.isolation.ShellIsolation;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.ProtocolException;
import io.tether.pty.PtyShell;
import io.tether.pty.ShellSpec;
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
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts a session's shell and makes it live: admitted if the heap has room, the shell as the
 * user's own account (sandboxed, limited), the session, its record, its reader and exit threads.
 * What fails on the way leaves neither a half-started session nor a shell behind. Also looks after
 * what isolation needs from the node: reaping orphans, checking the shells' network, and making the
 * sandboxes of users' next sessions ahead (see {@link ShellIsolation#keepSpares}): after a user's
 * session starts, and when this node issues a ticket to a user, whose session is then likely to
 * start here within moments.
 */
@ApplicationScoped
public class ShellStarter {
  private static final Logger LOG = Logger.getLogger(ShellStarter.class.getName());
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

  @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
  ThreadFactory threads;

  /** Where the sandboxes of users' next sessions are made ahead. */
  @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
  ScheduledExecutorService spareMaker;

  /** The tickets issued here and not yet used here, by value: their users' sessions may start. */
  private final Map<String, Ticket> expected = new ConcurrentHashMap<>();

  private final Object admitting = new Object();
  private long startingLogBytes; // guarded by admitting
  Admission admission = Admission.ofThisJvm();
  private TerminalSession.Settings sessionSettings;
  private ShellSpec shellSpec;
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
    if (isolation == null) { // tests bring their own
      isolation = ShellIsolation.start(settings);
      keepSpares();
    }
  }

  void keepSpares() {
    try {
      isolation.keepSpares(
          settings.spares(),
          settings.spareLifetime(),
          ShellIsolation.SPARE_DELAY,
          spareMaker,
          ShellStarter::newSessionId,
          this::mayStartASession);
      sessions.afterEnd(session -> isolation.sessionEnded(session.owner()));
      // No session starts once the application stops, so the spares go then, while the node's
      // beans still answer: a spare being made asks NodeSessions whether it is still wanted, and a
      // stopped bean would answer with an error (the undeploy's @PreDestroy below comes after the
      // beans have stopped, and finds nothing left to do).
      sessions.whenStopping(isolation::close);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "no sandboxes are made ahead: every shell starts cold", e);
    }
  }

  /** Undeploy: the sandboxes made ahead go (the sessions' shells go with {@link NodeSessions}). */
  @PreDestroy
  void stop() {
    isolation.close();
    PtyShell.stopSpawning();
  }

  /**
   * This node issued {@code ticket}: its user's session is likely to start here within moments (a
   * page asks for its ticket right before it opens the WebSocket), so the sandbox for it is made
   * now, while the ticket travels to the browser and back. Kept until the ticket is used here or
   * expires (then the sweep kills it, unless the user has a session here).
   */
  public void expect(Ticket ticket) {
    expected.put(ticket.value(), ticket);
    isolation.prepare(ticket.user(), ticket.isAdmin(), shellSpec);
  }

  /** {@code ticket} was used here (a session started or a client attached): no longer expected. */
  void used(Ticket ticket) {
    expected.remove(ticket.value());
  }

  /** Whether {@code user} has a session here, or an unexpired ticket issued here and not used. */
  boolean mayStartASession(String user) {
    if (sessions.all().stream().anyMatch(s -> s.owner().equals(user))) {
      return true;
    }
    Instant now = Instant.now();
    expected.values().removeIf(ticket -> ticket.expiredAt(now));
    return expected.values().stream().anyMatch(ticket -> ticket.user().equals(user));
  }

  /** The id for a new session of the ticket's user: the one its sandbox was made for, if any. */
  String nextSessionId(Ticket ticket) {
    return isolation
        .spareSessionId(ticket.user(), ticket.isAdmin())
        .orElseGet(ShellStarter::newSessionId);
  }

  private static String newSessionId() {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  /**
   * Starts session {@code id} if the heap has room for it beside the live ones and the ones
   * starting meanwhile (whose logs are reserved until they are live).
   *
   * @throws ProtocolException {@code 4018} if the node is full, {@code 4014} if it failed to start
   */
  TerminalSession start(String id, Ticket ticket, ClientMessage.Hello hello)
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
      return startAdmitted(id, ticket, hello);
    } finally {
      synchronized (admitting) {
        startingLogBytes -= logBytes;
      }
    }
  }

  /** The shell, the live session, its record, its threads: in this order. */
  private TerminalSession startAdmitted(String id, Ticket ticket, ClientMessage.Hello hello)
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
      // No thread waits for the exit (one thread waits for every shell's, see PtyShell.onExit):
      // what follows an exit (hang-up, letting the terminal go) gets a thread once it has come.
      shell.onExit().whenComplete((code, failure) -> afterExit(session));
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

  private void afterExit(TerminalSession session) {
    try {
      Thread waiter = threads.newThread(session::awaitShellExit);
      waiter.setName("tether-exit-" + session.id());
      waiter.start();
    } catch (RuntimeException | Error e) { // the node is stopping: the reader still ends it
      LOG.log(Level.WARNING, "session " + session.id() + ": no thread for its shell's exit", e);
      session.awaitShellExit();
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
}
