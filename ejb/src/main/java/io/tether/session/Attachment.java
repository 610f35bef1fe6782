package io.tether.session;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.CloseCode;
import io.tether.protocol.Limits;
import io.tether.protocol.MessageCodec;
import io.tether.protocol.OffsetFrame;
import io.tether.protocol.ProtocolException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client attached to a session: its cursor on the session's output log, the flow-control
 * window, its input, and the single writer of its connection. Output, control messages, heartbeats
 * and pings all leave through {@link #pump()}, one send at a time, so the transport never sees
 * concurrent sends and never buffers more than one frame plus a short control queue. The shell
 * never waits for this client: when the log overwrites the cursor the client is told ({@code
 * resync}) and continues from the oldest byte held.
 *
 * <p>The way is one way: the attachment reads the log through the log's own calls and writes input
 * through the ledger; what the session must hear of it goes through the narrow {@link Owner}.
 */
public final class Attachment {
  private static final Logger LOG = Logger.getLogger(Attachment.class.getName());

  /**
   * Without a reconnect grace, a client whose acks advanced this recently counts as keeping up with
   * the output; with one, the grace is the measure (see {@link #keepingUpNanos}).
   */
  static final long KEEPING_UP_NANOS = 300_000_000L;

  /** A client's heartbeats are answered at most this often. */
  private static final long MIN_ANSWER_INTERVAL_NANOS = 500_000_000L;

  /** Control frames waiting behind a stalled send; a client this far behind is not reading. */
  private static final int MAX_QUEUED_CONTROL = 64;

  /** One thing to send, and what to do once it is sent. */
  private record Send(Consumer<Consumer<Throwable>> start, Runnable afterSent) {}

  /** What an attachment tells its session. */
  interface Owner {
    /** The session's id, for logs. */
    String id();

    /** A client acknowledged output: a reader waiting for it may go on. */
    void acknowledged();

    /** Input reached the shell: the session is in use. */
    void typed();

    /** The client resized the terminal. */
    void resized(int cols, int rows);

    /**
     * The client vanished without a close while keeping up, having acknowledged output up to {@code
     * acked}: its reconnect may follow at once.
     */
    void vanished(Attachment attachment, long acked);

    /** The attachment closed, for the reason given. */
    void gone(Attachment attachment, String why);

    /** The session's user answered an administrator's request to observe. */
    default void observeAnswered(String requestId, boolean accept) {}
  }

  /** Where the attachment's input goes: the session's ledger, then its shell. */
  record Input(InputLedger ledger, InputLedger.Sink shell) {}

  private final Owner owner;
  private final OutputLog log;
  private final Input input;
  private final ClientChannel channel;
  private final String clientId;
  private final long window;
  private final boolean observer;

  /**
   * How recently this client's acks must have advanced for it to count as keeping up, and so to
   * hold the shell back. A connection that died without the server noticing yet looks exactly like
   * one that stalled; its client's reconnect, on a loaded machine, can take longer than a moment.
   * So with a reconnect grace, a client that stops acknowledging holds the shell back for at most
   * the grace, as a vanished one does, and then stops counting until it acknowledges again.
   */
  private final long keepingUpNanos;

  private final long attachedNanos = System.nanoTime();
  private volatile long closedNanos; // 0 while open; the detach is logged later, on a worker
  private volatile long lastHeardNanos = attachedNanos;
  private volatile long lastAckProgressNanos = attachedNanos;
  private volatile long lastAnswerNanos = attachedNanos - MIN_ANSWER_INTERVAL_NANOS;

  private final Object lock = new Object();
  private final ArrayDeque<Send> control = new ArrayDeque<>();
  private long cursor;
  private long acked;
  private boolean inFlight;
  private boolean closed;
  private boolean heartbeatQueued;
  private Integer exitCode;
  private Thread sendingThread;

  Attachment(
      Owner owner,
      OutputLog log,
      Input input,
      ClientChannel channel,
      String clientId,
      long from,
      long window,
      boolean observer,
      long keepingUpNanos) {
    this.owner = owner;
    this.keepingUpNanos = keepingUpNanos;
    this.log = log;
    this.input = input;
    this.observer = observer;
    this.channel = channel;
    this.clientId = clientId;
    this.cursor = from;
    this.acked = from;
    this.window = window;
  }

  public String clientId() {
    return clientId;
  }

  /** An administrator watching read-only: receives output, may not type or resize. */
  public boolean observer() {
    return observer;
  }

  public ClientChannel channel() {
    return channel;
  }

  /** Whether this attachment came after {@code other}. */
  boolean newerThan(Attachment other) {
    return attachedNanos - other.attachedNanos > 0;
  }

  /** How long the client has been connected, or was, up to its close. */
  public Duration connectedFor() {
    long closed = closedNanos;
    return Duration.ofNanos((closed == 0 ? System.nanoTime() : closed) - attachedNanos);
  }

  /** Records that the client was heard from (any frame); heartbeats compare against it. */
  public void heard() {
    lastHeardNanos = System.nanoTime();
  }

  /** The client has processed output up to {@code offset} (exclusive). */
  public void acknowledge(long offset) throws ProtocolException {
    synchronized (lock) {
      if (offset > cursor) {
        throw new ProtocolException(
            CloseCode.PROTOCOL_ERROR,
            "ack of " + offset + " but only " + cursor + " bytes were sent");
      }
      // A stale ack (sent before a resync moved the window on) is harmless: keep the larger one.
      if (offset > acked) {
        acked = offset;
        lastAckProgressNanos = System.nanoTime();
      }
    }
    owner.acknowledged();
    pump();
  }

  /**
   * The client's input frame, written to the shell once per byte.
   *
   * @throws ProtocolException {@code 4016} from an observer, {@code 4000} for a frame that skips
   *     bytes; either changes nothing
   */
  public void input(OffsetFrame frame) throws ProtocolException {
    refuseIfObserver("input");
    try {
      if (input.ledger().apply(clientId, frame, input.shell()) > 0) {
        owner.typed();
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, e, () -> "session " + owner.id() + ": input after the shell closed");
    }
  }

  /**
   * The client's input frame, if it can be written at once: for the thread it arrived on, which
   * must not wait for a shell that does not read, nor for another client's write.
   *
   * @return true when the frame is done with (written, or nothing new in it); false when it (or
   *     what is left of it) is for {@link #input}, which also refuses what is to be refused
   */
  public boolean inputNow(OffsetFrame frame) {
    if (observer) {
      return false;
    }
    try {
      int written = input.ledger().applyNow(clientId, frame, input.shell());
      if (written > 0) {
        owner.typed();
      }
      return written >= 0;
    } catch (ProtocolException e) {
      return false;
    } catch (IOException e) {
      LOG.log(Level.FINE, e, () -> "session " + owner.id() + ": input after the shell closed");
      return true;
    }
  }

  /**
   * The client's resize.
   *
   * @throws ProtocolException {@code 4016} from an observer, which changes nothing
   */
  public void resize(int cols, int rows) throws ProtocolException {
    refuseIfObserver("resize");
    owner.resized(cols, rows);
  }

  /**
   * The session's user answers a request to observe it ({@link ObserveRequests}).
   *
   * @throws ProtocolException {@code 4016} from an observer, which changes nothing
   */
  public void answerObserveRequest(String requestId, boolean accept) throws ProtocolException {
    refuseIfObserver("an answer to an observe request");
    owner.observeAnswered(requestId, accept);
  }

  private void refuseIfObserver(String what) throws ProtocolException {
    if (observer) {
      LOG.info(() -> "session " + owner.id() + ": refused " + what + " from an observer");
      throw new ProtocolException(CloseCode.READ_ONLY, null);
    }
  }

  /**
   * How far behind the output head this client is, if it is keeping up (its acks advanced within
   * {@link #keepingUpNanos}); -1 for a client that stalled, whose pace no longer holds the shell.
   */
  long lagIfKeepingUp(long head) {
    if (System.nanoTime() - lastAckProgressNanos > keepingUpNanos) {
      return -1;
    }
    synchronized (lock) {
      return closed ? -1 : head - acked;
    }
  }

  /** The next output offset this client is to be sent; past the head once it needs nothing. */
  long cursor() {
    synchronized (lock) {
      return closed ? Long.MAX_VALUE : cursor;
    }
  }

  /**
   * Queues the first frame (the {@code attached} answer) without sending it: it leaves with the
   * first {@link #pump()}, ahead of any output.
   */
  void queueFirst(String text) {
    synchronized (lock) {
      control.addFirst(new Send(done -> channel.sendText(text, done), null));
    }
  }

  /** Queues a text frame ahead of pending output. */
  public void sendText(String text) {
    enqueue(new Send(done -> channel.sendText(text, done), null));
  }

  /**
   * The heartbeat tick: closes a client not heard from for {@code deadAfter}, otherwise queues one
   * heartbeat (never two) and a ping.
   */
  void heartbeat(Duration deadAfter) {
    if (stoppedReading(deadAfter)) {
      LOG.info(
          () ->
              String.format(
                  "session %s: client %s acknowledged nothing for %s with output outstanding,"
                      + " closing after %s connected",
                  owner.id(),
                  channel.describe(),
                  Durations.format(deadAfter),
                  Durations.format(connectedFor())));
      close(CloseCode.HEARTBEAT_TIMEOUT, "This page stopped reading output.");
      return;
    }
    long silentNanos = System.nanoTime() - lastHeardNanos;
    if (silentNanos > deadAfter.toNanos()) {
      LOG.info(
          () ->
              String.format(
                  "session %s: client %s silent for %d ms, closing after %s connected",
                  owner.id(),
                  channel.describe(),
                  silentNanos / 1_000_000,
                  Durations.format(connectedFor())));
      close(CloseCode.HEARTBEAT_TIMEOUT, null);
      return;
    }
    if (queueHeartbeat()) {
      enqueue(new Send(channel::sendPing, null));
    }
  }

  /**
   * A client that sends heartbeats but acknowledges none of the output it was sent, for as long as
   * a silent one would be given, has stopped reading: it is as dead to its terminal.
   */
  private boolean stoppedReading(Duration deadAfter) {
    synchronized (lock) {
      return cursor > acked && System.nanoTime() - lastAckProgressNanos > deadAfter.toNanos();
    }
  }

  /**
   * The client's heartbeat is answered at once: a page that typed and heard nothing asks, and an
   * answer within a round trip tells it the link is alive (docs/protocol.md, "Heartbeats").
   */
  public void answerHeartbeat() {
    long now = System.nanoTime();
    if (now - lastAnswerNanos < MIN_ANSWER_INTERVAL_NANOS) {
      return; // a client that answers every heartbeat with one must not start a loop
    }
    lastAnswerNanos = now;
    queueHeartbeat();
  }

  /** Queues one heartbeat, never two; false if one was already waiting (or the client is gone). */
  private boolean queueHeartbeat() {
    synchronized (lock) {
      if (closed || heartbeatQueued) {
        return false;
      }
      heartbeatQueued = true;
    }
    enqueue(
        new Send(
            done -> {
              synchronized (lock) {
                heartbeatQueued = false;
              }
              // Built when it leaves, so it says what is true then.
              channel.sendText(
                  MessageCodec.heartbeat(input.ledger().acknowledged(clientId), log.head()), done);
            },
            null));
    return true;
  }

  /** The shell exited: send what is left of the output, then {@code exit}, then close. */
  void finish(int code) {
    synchronized (lock) {
      exitCode = code;
    }
    pump();
  }

  /** Sends whatever is due. Called whenever output arrives, an ack arrives or a send completes. */
  public void pump() {
    Thread me = Thread.currentThread();
    for (; ; ) {
      Send send;
      synchronized (lock) {
        if (inFlight || closed) {
          return;
        }
        send = next();
        if (send == null) {
          return;
        }
        inFlight = true;
        sendingThread = me;
      }
      try {
        send.start().accept(failure -> sent(send, failure));
      } catch (RuntimeException e) {
        sent(send, e);
      }
      synchronized (lock) {
        if (sendingThread == me) {
          sendingThread = null;
        }
        if (inFlight) {
          return; // completes later, on the transport's thread, which pumps on
        }
      }
      // The send completed inline: loop rather than recurse, so bulk output cannot grow the stack.
    }
  }

  private void sent(Send send, Throwable failure) {
    boolean inline;
    synchronized (lock) {
      inFlight = false;
      inline = sendingThread == Thread.currentThread();
    }
    if (failure != null) {
      LOG.log(
          Level.FINE,
          failure,
          () -> "session " + owner.id() + ": send to " + channel.describe() + " failed");
      lost(true); // a send that fails is a connection that vanished
      return;
    }
    if (send.afterSent() != null) {
      send.afterSent().run();
    }
    if (!inline) {
      pump();
    }
  }

  /** Chooses the next frame; called with {@code lock} held. */
  private Send next() {
    Send queued = control.poll();
    if (queued != null) {
      return queued;
    }
    OutputLog.Read read = log.read(cursor, acked + window, Limits.MAX_PAYLOAD_BYTES);
    if (read instanceof OutputLog.Frame frame) {
      if (acked >= cursor) {
        // Nothing was outstanding: the client's time to acknowledge starts now, not at its last
        // ack, which may be long ago for a client that was simply caught up.
        lastAckProgressNanos = System.nanoTime();
      }
      cursor += frame.payloadBytes();
      return new Send(done -> channel.sendBinary(frame.frame(), done), null);
    }
    if (read instanceof OutputLog.Behind behind) {
      LOG.info(
          () ->
              String.format(
                  "session %s: client %s fell %d bytes behind the output log, resyncing at %d",
                  owner.id(), channel.describe(), behind.dropped(), behind.tail()));
      // The window does not move with the cursor: a client that never acknowledges gets one
      // window in all. It acknowledges the resync's offset once it took it in, and goes on.
      cursor = behind.tail();
      String resync = MessageCodec.resync(behind.dropped(), behind.tail());
      return new Send(done -> channel.sendText(resync, done), null);
    }
    // The exit waits until the client acknowledged every byte: it then sends nothing more (acks
    // are its answers to output), so the close cannot cross its writes. A server that closes the
    // TCP connection with the client's acks still arriving makes the kernel reset it, and the
    // client may learn of the reset before it read the exit and the close (seen with Payara).
    // A client that never acknowledges is closed with the other lingering ones.
    if (exitCode != null && ((OutputLog.Nothing) read).atHead() && acked >= cursor) {
      int code = exitCode;
      exitCode = null;
      String exit = MessageCodec.exit(code);
      return new Send(
          done -> channel.sendText(exit, done),
          () -> close(CloseCode.SHELL_EXITED, "The shell exited with code " + code + "."));
    }
    return null;
  }

  private void enqueue(Send send) {
    boolean overflow;
    synchronized (lock) {
      if (closed) {
        return;
      }
      overflow = control.size() >= MAX_QUEUED_CONTROL;
      if (!overflow) {
        control.add(send);
      }
    }
    if (overflow) {
      LOG.info(
          () ->
              "session "
                  + owner.id()
                  + ": client "
                  + channel.describe()
                  + " is not reading, closing");
      close(CloseCode.HEARTBEAT_TIMEOUT, "This page stopped reading output.");
      return;
    }
    pump();
  }

  /** Ends this attachment with a close code; the session goes on unless the code ends it. */
  public void close(CloseCode code, String reason) {
    if (markClosed()) {
      channel.close(code, code.reason(reason));
      owner.gone(this, code.label());
    }
  }

  /** The connection was closed by the client. */
  public void lost() {
    lost(false);
  }

  /**
   * The connection went away by itself.
   *
   * @param abrupt true when the client vanished without a close: if it was keeping up, its session
   *     holds output back for its reconnect grace ({@link Owner#vanished})
   */
  public void lost(boolean abrupt) {
    long keptUpTo = abrupt ? keptUpTo() : -1;
    if (markClosed()) {
      // The hold takes over from this client before its connection is closed: once closed, the
      // attachment no longer holds the shell back, and a transport's close can take a while
      // (Tyrus writes a close frame and runs the endpoint's @OnClose before it returns), during
      // which the shell would run on and the log overwrite what the client had not read.
      if (keptUpTo >= 0) {
        owner.vanished(this, keptUpTo);
      }
      channel.close(CloseCode.HEARTBEAT_TIMEOUT, null);
      owner.gone(this, abrupt ? "connection lost" : "connection closed");
    }
  }

  /**
   * What this client acknowledged, if it was keeping up (its acks advanced within {@link
   * #keepingUpNanos}, or it had acknowledged all it was sent); -1 for a client that had stalled.
   */
  private long keptUpTo() {
    synchronized (lock) {
      boolean caughtUp = acked >= cursor;
      boolean acking = System.nanoTime() - lastAckProgressNanos <= keepingUpNanos;
      return observer || closed || !(caughtUp || acking) ? -1 : acked;
    }
  }

  private boolean markClosed() {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      closed = true;
      closedNanos = System.nanoTime();
      control.clear();
      return true;
    }
  }

  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }
}
