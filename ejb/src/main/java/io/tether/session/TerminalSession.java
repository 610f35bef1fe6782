package io.tether.session;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.Limits;
import io.tether.protocol.MessageCodec;
import io.tether.protocol.ProtocolException;
import io.tether.pty.Shell;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One terminal: a shell on a PTY, its output log, the input ledger and the attached clients. The
 * PTY is read at full speed by one thread ({@link #readOutput()}) whatever the clients do; each
 * client reads the log through its own {@link Attachment}.
 */
public final class TerminalSession {
  private static final Logger LOG = Logger.getLogger(TerminalSession.class.getName());

  /** What the session tells the node about itself. */
  public interface Listener {
    default void attached(TerminalSession session, Attachment attachment) {}

    default void detached(TerminalSession session, Attachment attachment, String why) {}

    default void ended(TerminalSession session, SessionEnd end) {}

    /** The terminal was resized (on attach, or by a client). */
    default void resized(TerminalSession session) {}

    /** The attached clients were warned of an idle end. */
    default void idleWarned(TerminalSession session, long secondsLeft) {}

    /** The reader took a batch of {@code bytes} from the PTY (called for every batch). */
    default void outputRead(TerminalSession session, int bytes) {}
  }

  /**
   * Per-session settings, fixed at creation.
   *
   * @param outputIsActivity whether output keeps the session from going idle (for people who leave
   *     {@code tail -f} running on purpose)
   * @param reconnectGraceMillis how long a client that vanished while keeping up holds output back
   *     for its reconnect (0: not at all)
   */
  public record Settings(
      int logBytes,
      long window,
      long heartbeatMillis,
      int maxClientsRemembered,
      boolean outputIsActivity,
      long reconnectGraceMillis) {}

  private final String id;
  private final String owner;
  private final Set<String> roles;
  private final String node;
  private final Instant created = Instant.now();
  private final long createdNanos = System.nanoTime();
  private final Shell shell;
  private final OutputLog log;
  private final InputLedger ledger;
  private final Settings settings;
  private final Listener listener;
  private final List<Attachment> attachments = new CopyOnWriteArrayList<>();
  private final Object ackSignal = new Object();
  private final List<Hold> holds = new ArrayList<>(); // guarded by ackSignal
  private final Attachment.Owner attachmentOwner = new AttachmentOwner();
  private final Attachment.Input input;
  private final ObserverNotices observerNotices = new ObserverNotices();
  private final ObserveRequests observeRequests;
  private final long keepingUpNanos; // how recently a client acked to hold the shell back

  private volatile Instant lastActivity = created;
  private volatile SessionEnd end;
  private volatile int cols;
  private volatile int rows;
  private volatile long shellExitedNanos;
  private volatile Instant detachedSince;
  private volatile boolean idleWarned;

  public TerminalSession(
      String id,
      String owner,
      Set<String> roles,
      String node,
      Shell shell,
      int cols,
      int rows,
      Settings settings,
      Listener listener) {
    this.id = id;
    this.owner = owner;
    this.roles = Set.copyOf(roles);
    this.node = node;
    this.shell = shell;
    this.cols = cols;
    this.rows = rows;
    this.settings = settings;
    this.listener = listener;
    this.log = new OutputLog(settings.logBytes());
    this.ledger = new InputLedger(settings.maxClientsRemembered());
    this.input = new Attachment.Input(ledger, toShell(shell));
    this.observeRequests = new ObserveRequests(owner);
    long grace = settings.reconnectGraceMillis();
    this.keepingUpNanos = grace > 0 ? grace * 1_000_000 : Attachment.KEEPING_UP_NANOS;
  }

  /** The ledger writes to the shell, waiting or not as it asks. */
  private static InputLedger.Sink toShell(Shell shell) {
    return new InputLedger.Sink() {
      @Override
      public void write(ByteBuffer bytes) throws IOException {
        shell.write(bytes);
      }

      @Override
      public int writeNow(ByteBuffer bytes) throws IOException {
        return shell.writeNow(bytes);
      }
    };
  }

  /**
   * The PTY reader: appends everything the shell writes to the log and wakes the clients, until the
   * shell's side closes; then ends the session with the shell's exit code.
   */
  public void readOutput() {
    OutputLog.Source pty = new ShellOutput(shell);
    try {
      // One batch per frame: what is already there (bulk output) goes out together, a lone
      // keystroke's echo at once. It is read straight into the log: no buffer of its own.
      for (int n; (n = log.appendFrom(pty, Limits.MAX_PAYLOAD_BYTES)) > 0; ) {
        listener.outputRead(this, n);
        if (settings.outputIsActivity()) {
          lastActivity = Instant.now();
        }
        for (Attachment attachment : attachments) {
          attachment.pump();
        }
        waitForClientsKeepingUp();
      }
    } catch (IOException e) {
      // EIO when the last process holding the PTY's slave side has gone: the normal end.
      LOG.log(Level.FINE, e, () -> "session " + id + ": PTY read ended");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      int exitCode = shell.waitFor();
      end( // a shell killed for a limit ends the session with its own code
          shell
              .limitReached()
              .map(why -> SessionEnd.of(CloseCode.RESOURCE_LIMIT, why))
              .orElseGet(() -> SessionEnd.exited(exitCode)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      end(SessionEnd.of(CloseCode.NODE_STOPPING, null));
    } finally {
      shell.close();
    }
  }

  /**
   * Terminal flow control: while a client that keeps up (its acks advanced within the reconnect
   * grace, or 300 ms without one) would be overrun by the next read, the reader waits, the PTY's
   * buffer fills and the shell's writes block, as with any terminal whose screen cannot keep up.
   * Nothing is lost for a client that is reading. A stalled or sleeping client stops counting after
   * that, so it holds the shell back for a few seconds at most; it is resynced when it comes back.
   *
   * <p>A client that vanished without a close while keeping up (a blip) holds the shell back the
   * same way for its reconnect grace, as a stuck SSH connection would: a quick reconnect then loses
   * nothing at any output rate. After the grace, the shell goes on without it.
   */
  private void waitForClientsKeepingUp() throws InterruptedException {
    // Room for the next read (up to one payload) beyond the limit; a small log keeps half.
    long limit = Math.max(log.capacity() / 2, log.capacity() - 2L * Limits.MAX_PAYLOAD_BYTES);
    synchronized (ackSignal) {
      for (; ; ) {
        long head = log.head();
        long waitNanos = Attachment.KEEPING_UP_NANOS;
        boolean wouldOverrun = false;
        for (Attachment attachment : attachments) {
          if (attachment.lagIfKeepingUp(head) > limit) { // -1 (stalled) is never above it
            wouldOverrun = true;
            break;
          }
        }
        long now = System.nanoTime();
        for (Iterator<Hold> it = holds.iterator(); it.hasNext(); ) {
          Hold hold = it.next();
          if (reattached(hold.lost())) {
            it.remove(); // its client is back: its newer connection keeps up from here
          } else if (now - hold.untilNanos() >= 0) {
            it.remove();
            LOG.info(
                () ->
                    "session "
                        + id
                        + ": client "
                        + hold.lost().clientId()
                        + " did not come back within its reconnect grace; output goes on");
          } else if (head - hold.acked() > limit) {
            wouldOverrun = true;
            waitNanos = Math.min(waitNanos, hold.untilNanos() - now);
          }
        }
        if (!wouldOverrun || end != null) {
          return;
        }
        // Woken by the next ack or reconnect; the timeout re-checks who still counts.
        ackSignal.wait(Math.max(1, waitNanos / 1_000_000));
      }
    }
  }

  /**
   * Whether the client already has a newer connection attached (its loss was noticed late). An
   * older one it is replacing does not count: it is on its way out.
   */
  private boolean reattached(Attachment lost) {
    for (Attachment attachment : attachments) {
      if (attachment.clientId().equals(lost.clientId())
          && attachment.newerThan(lost)
          && !attachment.isClosed()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Wakes a reader held back for a client that vanished: the client is back, and the reader drops
   * the holds its new connection supersedes. Only the reader drops them, each for a connection
   * older than one now attached: a hold placed by the new connection's own loss (its first output
   * can go out, and fail, before its attach is over) stays.
   */
  private void wakeHeldReader() {
    synchronized (ackSignal) {
      if (!holds.isEmpty()) {
        ackSignal.notifyAll();
      }
    }
  }

  /**
   * A client's connection that vanished while keeping up, holding output back from {@code acked}
   * until its client has a newer connection attached, or until {@code untilNanos}.
   */
  private record Hold(Attachment lost, long acked, long untilNanos) {}

  /** What this session hears from its attachments. */
  private final class AttachmentOwner implements Attachment.Owner {
    @Override
    public String id() {
      return id;
    }

    @Override
    public void acknowledged() {
      synchronized (ackSignal) {
        ackSignal.notifyAll(); // a reader waiting for it may go on
      }
    }

    @Override
    public void typed() {
      active();
    }

    @Override
    public void resized(int cols, int rows) {
      resize(cols, rows);
    }

    @Override
    public void vanished(Attachment lost, long acked) {
      String clientId = lost.clientId();
      long grace = settings.reconnectGraceMillis();
      if (grace <= 0 || end != null || reattached(lost)) {
        return;
      }
      synchronized (ackSignal) {
        holds.add(new Hold(lost, acked, System.nanoTime() + grace * 1_000_000));
      }
      LOG.fine(() -> "session " + id + ": client " + clientId + " vanished, holding output back");
    }

    @Override
    public void observeAnswered(String requestId, boolean accept) {
      observeRequests.answer(requestId, accept, attachments);
    }

    @Override
    public void gone(Attachment attachment, String why) {
      detached(attachment, why);
    }
  }

  /**
   * Waits for the shell to exit, then does what a closing terminal does: hangs up on whatever the
   * shell left running, and lets go of the terminal so the output reader ends after the last byte
   * (see {@link Shell#releaseTerminal()}).
   */
  public void awaitShellExit() {
    try {
      shell.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    shellExitedNanos = System.nanoTime();
    shell.hangUp();
    shell.releaseTerminal();
  }

  /**
   * A process the shell left behind ignored the hang-up and still holds the terminal, so the output
   * never ends: once the grace period is over, kill it. Called on every heartbeat tick.
   */
  public void killSurvivorsOfExitedShell(Duration grace) {
    long exited = shellExitedNanos;
    if (exited != 0 && end == null && System.nanoTime() - exited > grace.toNanos()) {
      LOG.info(() -> "session " + id + ": the shell exited, killing what it left running");
      shell.kill();
    }
  }

  /** Attaches a client after its {@code hello}; the {@code attached} answer is its first frame. */
  public Attachment attach(ClientChannel channel, ClientMessage.Hello hello)
      throws ProtocolException {
    Attachment attachment;
    List<Attachment> replaced = new ArrayList<>();
    synchronized (this) {
      SessionEnd ended = end;
      if (ended != null) {
        throw new ProtocolException(ended.code(), ended.reason());
      }
      OutputLog.ResumePoint resume;
      try {
        resume = log.resumePoint(hello.resumeOffset());
      } catch (IllegalArgumentException e) {
        throw new ProtocolException(CloseCode.PROTOCOL_ERROR, e.getMessage());
      }
      long from = resume.from();
      // An observer never types: it has no place in the input ledger.
      InputLedger.Registration registration =
          hello.observe()
              ? new InputLedger.Registration(0, false)
              : ledger.attach(hello.clientId(), hello.inputOffset());
      for (Attachment existing : attachments) { // its connections the server has not seen end
        if (existing.clientId().equals(hello.clientId())) {
          replaced.add(existing);
        }
      }
      attachment =
          new Attachment(
              attachmentOwner,
              log,
              input,
              channel,
              hello.clientId(),
              from,
              settings.window(),
              hello.observe(),
              keepingUpNanos);
      // Queued, not sent, until the attachment is in the list: were its first send to fail at
      // once, the attachment's end must find it there to take it out again.
      attachment.queueFirst(
          MessageCodec.attached(
              id,
              node,
              from,
              resume.head(),
              from - hello.resumeOffset(),
              registration.acknowledged(),
              registration.forgotten(),
              settings.heartbeatMillis(),
              settings.window(),
              hello.observe(),
              // The size once attached: an observer's hello leaves the terminal as it is.
              hello.observe() ? cols : hello.cols(),
              hello.observe() ? rows : hello.rows()));
      attachments.add(attachment);
      if (!hello.observe()) {
        detachedSince = null;
      }
    }
    if (!hello.observe()) {
      wakeHeldReader(); // it is back: its new attachment keeps up from here
    }
    for (Attachment old : replaced) {
      old.close(CloseCode.REPLACED, null);
    }
    if (!hello.observe()) { // an observer watches the terminal as its user sized it
      resize(hello.cols(), hello.rows());
    }
    listener.attached(this, attachment);
    observerNotices.attached(attachment); // who is watching
    observeRequests.attached(attachment); // who asks to
    attachment.pump(); // the attached answer, then output
    return attachment;
  }

  public void resize(int cols, int rows) {
    boolean changed = this.cols != cols || this.rows != rows;
    this.rows = rows;
    this.cols = cols;
    shell.resize(cols, rows);
    active();
    if (changed) {
      String size = MessageCodec.size(cols, rows);
      for (Attachment attachment : attachments) {
        if (attachment.observer()) {
          attachment.sendText(size);
        }
      }
      listener.resized(this);
    }
  }

  /** Input or resize: the session is in use; an idle warning no longer holds. */
  private void active() {
    lastActivity = Instant.now();
    if (idleWarned) {
      idleWarned = false;
      notice("idle-cleared", "Welcome back: the idle timer was reset.", -1);
    }
  }

  /** Warns the attached clients that the session ends in {@code left} unless they type. */
  public void warnIdle(Duration left) {
    idleWarned = true;
    long seconds = Math.max(1, (left.toMillis() + 999) / 1000); // rounded up: never understate
    notice(
        "idle-warning",
        "This session is idle and ends in " + seconds + " s unless you type.",
        seconds);
    listener.idleWarned(this, seconds);
  }

  /** What an idle sweep needs to know. */
  public IdleFacts idleFacts() {
    return new IdleFacts(lastActivity, detachedSince, idleWarned);
  }

  private void detached(Attachment attachment, String why) {
    if (attachments.remove(attachment)) {
      if (!attachment.observer()) {
        ledger.detach(attachment.clientId());
      }
      observerNotices.detached(attachment, attachments); // who is still watching
      // Under the lock attach() clears it with: a reload's new client may be attaching right now.
      synchronized (this) {
        if (attachedClients() == 0 && detachedSince == null) {
          detachedSince = Instant.now();
        }
      }
      listener.detached(this, attachment, why);
      if (end != null) {
        releaseLog();
      }
    }
  }

  /**
   * After the session ended: closes the clients still attached. A client that stopped reading never
   * gets the rest of the output and {@code exit} after its shell exited, and the node's heartbeats
   * no longer visit an ended session, so nothing else would close it (and let the log go).
   */
  public void closeLingeringClients() {
    SessionEnd why = end;
    for (Attachment attachment : attachments) {
      LOG.info(
          () -> "session " + id + ": closing client " + attachment.clientId() + ", still attached");
      attachment.close(why.code(), why.reason());
    }
  }

  /** One heartbeat tick for every attached client. */
  public void heartbeat() {
    Duration deadAfter = Duration.ofMillis(3 * settings.heartbeatMillis());
    for (Attachment attachment : attachments) {
      attachment.heartbeat(deadAfter);
    }
    observeRequests.expire(System.nanoTime(), attachments);
  }

  /** Sends a notice to every attached client. */
  public void notice(String kind, String message, long secondsLeft) {
    String text = MessageCodec.notice(kind, message, secondsLeft);
    for (Attachment attachment : attachments) {
      attachment.sendText(text);
    }
  }

  /** Sends an administrator's ({@code from}) notice to every attached client. */
  public void broadcast(String message, String from) {
    String text = MessageCodec.broadcast(message, from);
    for (Attachment attachment : attachments) {
      attachment.sendText(text);
    }
  }

  /**
   * Ends the session once: hangs up the shell's process group, and closes the clients (after the
   * rest of the output and {@code exit}, when the shell exited by itself). The caller kills what
   * survives the hang-up after the grace period ({@link #killSurvivors()}).
   *
   * @return false if the session had already ended
   */
  public boolean end(SessionEnd why) {
    synchronized (this) {
      if (end != null) {
        return false;
      }
      end = why;
    }
    ledger.close();
    shell.hangUp();
    for (Attachment attachment : attachments) {
      if (why.exitCode() != null) {
        attachment.finish(why.exitCode());
      } else {
        attachment.close(why.code(), why.reason());
      }
    }
    releaseLog();
    observeRequests.ended(why);
    listener.ended(this, why);
    return true;
  }

  /**
   * After the end, the log keeps only what the clients still attached were not sent yet (the rest
   * of the output before {@code exit}); once they are gone, nothing. An ended session waiting to
   * close a client that stopped reading then holds bytes, not megabytes.
   */
  private void releaseLog() {
    long needed = Long.MAX_VALUE;
    for (Attachment attachment : attachments) {
      needed = Math.min(needed, attachment.cursor());
    }
    log.retainFrom(needed);
  }

  /** SIGKILL for whatever of the shell's processes outlived the hang-up. */
  public void killSurvivors() {
    if (shell.anyAlive()) {
      LOG.info(() -> "session " + id + ": processes survived SIGHUP, sending SIGKILL");
    }
    shell.kill();
  }

  public boolean anyProcessAlive() {
    return shell.anyAlive();
  }

  public String id() {
    return id;
  }

  public String owner() {
    return owner;
  }

  public Set<String> roles() {
    return roles;
  }

  public boolean isAdmin() {
    return roles.contains("admin");
  }

  public String node() {
    return node;
  }

  public Instant created() {
    return created;
  }

  public Duration age() {
    return Duration.ofNanos(System.nanoTime() - createdNanos);
  }

  public Instant lastActivity() {
    return lastActivity;
  }

  /** What this session's output log holds in memory now, in bytes. */
  public long logHeldBytes() {
    return log.heldBytes();
  }

  public long head() {
    return log.head();
  }

  OutputLog log() {
    return log;
  }

  public long pid() {
    return shell.pid();
  }

  public int cols() {
    return cols;
  }

  public int rows() {
    return rows;
  }

  /** The clients attached to use the terminal; observers do not count. */
  public int attachedClients() {
    return (int) attachments.stream().filter(a -> !a.observer()).count();
  }

  /** The administrators watching read-only. */
  public int observers() {
    return (int) attachments.stream().filter(Attachment::observer).count();
  }

  public List<Attachment> attachments() {
    return List.copyOf(attachments);
  }

  /** Who watches this session, told to its users. */
  public ObserverNotices observerNotices() {
    return observerNotices;
  }

  /** Administrators waiting for this session's user to let them observe (policy consent). */
  public ObserveRequests observeRequests() {
    return observeRequests;
  }

  public SessionEnd ended() {
    return end;
  }
}
