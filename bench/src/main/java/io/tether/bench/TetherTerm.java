package io.tether.bench;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A Tether session seen by a protocol v1 client (docs/protocol.md), written for measuring: output
 * is scanned where it arrives, on the WebSocket listener's thread, and timestamped there; acks are
 * coalesced (one per {@link #ACK_EVERY} bytes, a quarter of the default window, and one at the end
 * of each phase) so the client is not what limits throughput. Keeps the session id, the output
 * offset and the input stream across connections, so it can drop the connection and resume.
 */
final class TetherTerm implements Term {
  /** Bytes between acks: well inside the protocol's "at least once per window / 2". */
  static final long ACK_EVERY = 256 * 1024;

  private static final long WAIT_MILLIS = 15_000;

  /** The thread java.net.http runs the listener on (reported, so the set-up can be checked). */
  static volatile String listenerThread = "-";

  /** The milestones of one connect: ticket, WebSocket open, {@code attached}. */
  record Connect(long startNanos, long ticketNanos, long openNanos, long attachedNanos) {}

  private volatile Server server;
  private final int cols;
  private final int rows;
  private final String clientId = "bench-" + UUID.randomUUID().toString().substring(0, 8);

  /** Guards the output position and acks; held by the listener while it delivers a part. */
  private final Object lock = new Object();

  private long received;
  private long acked;
  private long messages;
  private long resyncs;
  private long dropped;

  // The measuring thread's own state: the input stream.
  private final ByteArrayOutputStream typedLog = new ByteArrayOutputStream();
  private long typed;
  private String sessionId;

  private volatile Sink sink;
  private volatile Connection connection;

  TetherTerm(Server server, int cols, int rows, Sink sink) {
    this.server = server;
    this.cols = cols;
    this.rows = rows;
    this.sink = sink;
  }

  /**
   * Opens a connection and attaches: a new session the first time, a resume of this session (from
   * the output offset received so far) after {@link #abort()}. Input the server had not applied is
   * sent again.
   */
  Connect connect() throws BenchException {
    long start = System.nanoTime();
    String ticket = server.ticket();
    long ticketDone = System.nanoTime();
    Connection c = new Connection();
    try {
      server
          .http()
          .newWebSocketBuilder()
          .subprotocols("tether.v1")
          .connectTimeout(Duration.ofSeconds(5))
          .buildAsync(server.webSocket(), c)
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new BenchException("WebSocket handshake with " + server.webSocket() + " failed", e);
    }
    long opened = System.nanoTime();
    connection = c;
    long resumeOffset;
    synchronized (lock) {
      resumeOffset = received;
    }
    var hello = Json.createObjectBuilder().add("type", "hello").add("ticket", ticket);
    if (sessionId == null) {
      hello.addNull("sessionId");
    } else {
      hello.add("sessionId", sessionId);
    }
    c.sendText(
        hello
            .add("resumeOffset", resumeOffset)
            .add("clientId", clientId)
            .add("inputOffset", typed)
            .add("cols", cols)
            .add("rows", rows)
            .build()
            .toString());
    long attached;
    try {
      attached = c.attached.await(WAIT_MILLIS, "attached", c.closed);
    } catch (BenchException e) {
      throw new BenchException(
          e.getMessage() + " (close " + c.closeCode + ": " + c.closeReason + ")");
    }
    JsonObject message = c.attachedMessage;
    sessionId = message.getString("sessionId");
    long inputAcked = message.getJsonNumber("inputAcked").longValue();
    if (inputAcked < typed) {
      byte[] all = typedLog.toByteArray();
      c.sendInput(inputAcked, Arrays.copyOfRange(all, (int) inputAcked, all.length));
    }
    return new Connect(start, ticketDone, opened, attached);
  }

  /**
   * The node the next {@link #connect()} goes to: after {@link #abort()}, another node of the
   * cluster resumes the same session (relayed to its owner).
   */
  void via(Server server) {
    this.server = server;
  }

  Server server() {
    return server;
  }

  /** The {@code attached} message of the current connection. */
  JsonObject attached() {
    return connection.attachedMessage;
  }

  /** When the current connection's first output byte arrived (waits for it). */
  long firstByte() throws BenchException {
    Connection c = connection;
    return c.firstByte.await(WAIT_MILLIS, "the first output frame", c.closed);
  }

  /** Waits until everything typed so far has been handed to the socket. */
  void drainSends() throws BenchException {
    try {
      connection.sends().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new BenchException("input was not sent", e);
    }
  }

  /** Drops the connection without a close handshake, as a network failure would. */
  void abort() {
    Connection c = connection;
    synchronized (lock) {
      c.dead = true;
    }
    c.ws.abort();
    connection = null;
  }

  /** Acknowledges everything received (the end of a phase). */
  void ackAll() {
    synchronized (lock) {
      Connection c = connection;
      if (c != null && received > acked) {
        acked = received;
        c.sendText("{\"type\":\"ack\",\"offset\":" + received + "}");
      }
    }
  }

  /**
   * Output bytes the server dropped for this client in {@code resync}s (it fell behind the log).
   */
  long droppedBytes() {
    synchronized (lock) {
      return dropped;
    }
  }

  long resyncs() {
    synchronized (lock) {
      return resyncs;
    }
  }

  /** Binary messages received (all connections). */
  long messages() {
    synchronized (lock) {
      return messages;
    }
  }

  @Override
  public void sink(Sink sink) {
    this.sink = sink;
  }

  @Override
  public void type(byte[] bytes) throws BenchException {
    Connection c = connection;
    if (c == null) {
      throw new BenchException("not connected");
    }
    long offset = typed;
    typed += bytes.length;
    typedLog.writeBytes(bytes);
    c.sendInput(offset, bytes);
  }

  @Override
  public long chunks() {
    return messages();
  }

  @Override
  public void exit() throws BenchException {
    Connection c = connection;
    type("exit\r");
    c.closed.await(WAIT_MILLIS, "the session to end after exit");
    if (c.closeCode != 4006) {
      throw new BenchException(
          "expected close 4006 (shell exited), got " + c.closeCode + " " + c.closeReason);
    }
    connection = null;
  }

  /**
   * After a failure: ends the shell if the connection still works (Ctrl-C, Ctrl-U, exit), so no
   * session is left behind to count against the user's session limit; then drops the connection.
   */
  @Override
  public void close() {
    Connection c = connection;
    if (c == null || c.ws == null) {
      return;
    }
    try {
      if (!c.closed.fired()) {
        type(new byte[] {0x03, 0x15, 'e', 'x', 'i', 't', '\r'});
        c.closed.await(3_000, "the session to end");
      }
    } catch (BenchException | RuntimeException e) {
      // The connection is broken; the server ends the detached session in its own time.
    }
    c.ws.abort();
    connection = null;
  }

  /** One WebSocket connection. */
  private final class Connection implements WebSocket.Listener {
    final Signal attached = new Signal();
    final Signal firstByte = new Signal();
    final Signal closed = new Signal();
    volatile WebSocket ws;
    volatile JsonObject attachedMessage;
    volatile int closeCode = -1;
    volatile String closeReason;
    volatile String fault;
    boolean dead;

    private CompletableFuture<WebSocket> sends = CompletableFuture.completedFuture(null);
    private final StringBuilder text = new StringBuilder();
    private final byte[] scratch = new byte[64 * 1024];
    private long header;
    private int headerBytes;
    private long skip;
    private boolean anyPayload;

    synchronized CompletableFuture<WebSocket> sends() {
      return sends;
    }

    /** Sends are issued in order, each once the previous one completed (java.net.http's rule). */
    synchronized void sendText(String message) {
      CompletableFuture<WebSocket> previous = sends;
      sends =
          previous.isDone()
              ? ws.sendText(message, true)
              : previous.thenCompose(w -> w.sendText(message, true));
    }

    synchronized void sendInput(long offset, byte[] bytes) {
      for (int from = 0; from < bytes.length; from += 65536) {
        int length = Math.min(65536, bytes.length - from);
        ByteBuffer frame = ByteBuffer.allocate(8 + length);
        frame.putLong(offset + from).put(bytes, from, length).flip();
        CompletableFuture<WebSocket> previous = sends;
        sends =
            previous.isDone()
                ? ws.sendBinary(frame, true)
                : previous.thenCompose(w -> w.sendBinary(frame, true));
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      ws = webSocket;
      webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      long now = System.nanoTime();
      synchronized (lock) {
        if (dead) {
          return null;
        }
        messages++;
        while (headerBytes < 8 && data.hasRemaining()) {
          header = (header << 8) | (data.get() & 0xFF);
          if (++headerBytes == 8) {
            if (header > received) {
              fault = "gap: a frame at " + header + " but the output ends at " + received;
              skip = Long.MAX_VALUE;
            } else {
              skip = received - header;
            }
          }
        }
        int n = data.remaining();
        if (skip > 0 && n > 0) {
          int s = (int) Math.min(skip, n);
          data.position(data.position() + s);
          skip -= s;
          n -= s;
        }
        if (n > 0) {
          Sink s = sink;
          if (s != null) {
            try {
              if (data.hasArray()) {
                s.accept(data.array(), data.arrayOffset() + data.position(), n, now);
              } else {
                data.get(scratch, 0, n);
                s.accept(scratch, 0, n, now);
              }
            } catch (RuntimeException e) {
              fault = "the benchmark's own output check failed: " + e;
            }
          }
          received += n;
          if (!anyPayload) {
            anyPayload = true;
            firstByte.fire(now);
            listenerThread = Thread.currentThread().getName();
          }
        }
        if (last) {
          headerBytes = 0;
          header = 0;
          skip = 0;
          if (received - acked >= ACK_EVERY) {
            acked = received;
            sendText("{\"type\":\"ack\",\"offset\":" + received + "}");
          }
        }
      }
      return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      long now = System.nanoTime();
      text.append(data);
      if (!last) {
        return null;
      }
      JsonObject message = Json.createReader(new StringReader(text.toString())).readObject();
      text.setLength(0);
      switch (message.getString("type", "")) {
        case "attached" -> {
          synchronized (lock) {
            long from = message.getJsonNumber("replayFrom").longValue();
            if (from > received) {
              fault = "the server no longer holds output from " + received + " (dropped)";
              received = from;
            }
            acked = received;
          }
          attachedMessage = message;
          attached.fire(now);
        }
        case "heartbeat" -> {
          // Heard from this client: an ack of what it has, which the server never answers (it
          // answers heartbeats, so echoing them would make a loop).
          long have;
          synchronized (lock) {
            have = received;
          }
          sendText("{\"type\":\"ack\",\"offset\":" + have + "}");
        }
        case "resync" -> {
          synchronized (lock) {
            // The server's log overwrote output this client had not received yet.
            resyncs++;
            dropped += message.getJsonNumber("dropped").longValue();
            received = message.getJsonNumber("from").longValue();
            acked = received;
          }
          // Taking the resync in is acknowledged, as the protocol asks: the window moves on.
          sendText("{\"type\":\"ack\",\"offset\":" + message.getJsonNumber("from") + "}");
        }
        default -> {
          // exit, notice: nothing to do; the close that follows exit is awaited.
        }
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeCode = statusCode;
      closeReason = reason;
      closed.fire(System.nanoTime());
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      if (closeCode < 0) {
        closeCode = 1006;
        closeReason = String.valueOf(error);
      }
      closed.fire(System.nanoTime());
    }
  }

  /** A problem the client noticed in the stream (a gap, or output dropped before a resume). */
  String fault() {
    Connection c = connection;
    return c == null ? null : c.fault;
  }
}
