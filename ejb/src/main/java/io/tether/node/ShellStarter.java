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
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts a session's shell and makes it live: admitted if the heap has room, the shell as the
 * user's own account (sandboxed, limited), the session, its record, its reader and exit threads.
 * What fails on the way leaves neither a half-started session nor a shell behind. Also looks after
 * what isolation needs from the node: reaping orphans and checking the shells' network.
 */
@ApplicationScoped
public class ShellStarter {
  private static final Logger LOG = Logger.getLogger(ShellStarter.class.getName());

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
    }
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
