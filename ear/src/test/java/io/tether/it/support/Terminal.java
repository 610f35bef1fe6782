package io.tether.it.support;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A terminal client for the integration tests that speaks protocol v1 the way the browser does: it
 * keeps the session id, the output it has shown (reconstructed by offset, duplicates dropped, gaps
 * detected) and its input stream across connections, so a test can drop the connection and resume.
 */
public final class Terminal implements AutoCloseable {
  /** How a connection ended. */
  public record Closed(int code, String reason) {}

  private final TetherServer.Credentials user;
  private final String clientId = "it-" + UUID.randomUUID().toString().substring(0, 8);
  private final Output output = new Output();
  private final ByteArrayOutputStream typed = new ByteArrayOutputStream();
  private final List<JsonObject> messages = new ArrayList<>();
  private String sessionId;
  private long outputStart;
  private long resyncDropped;
  private long inputAcked;
  private String failure;
  private volatile boolean mute;
  private volatile long dropAt = Long.MAX_VALUE;
  private volatile URI base = TetherServer.baseUri();
  private Connection connection;
  private boolean observe;

  private Terminal(TetherServer.Credentials user, String sessionId, long resumeOffset) {
    this.user = user;
    this.sessionId = sessionId;
    this.outputStart = resumeOffset;
  }

  /** A new session for {@code user}. */
  public static Terminal open(TetherServer.Credentials user) {
    Terminal terminal = new Terminal(user, null, 0);
    terminal.connect().expectAttached();
    return terminal;
  }

  /** A client for a new session of {@code user} that is not connected yet. */
  public static Terminal unopened(TetherServer.Credentials user) {
    return new Terminal(user, null, 0);
  }

  /** A fresh client (a reloaded page) resuming {@code sessionId} from {@code offset}. */
  public static Terminal resume(TetherServer.Credentials user, String sessionId, long offset) {
    return new Terminal(user, sessionId, offset);
  }

  /**
   * An administrator's read-only view of {@code sessionId}, through the node whose application root
   * is {@code base}, from the oldest output the session holds; {@link #connect()} attaches it.
   */
  public static Terminal observe(URI base, TetherServer.Credentials admin, String sessionId) {
    Terminal terminal = new Terminal(admin, sessionId, 0).via(base);
    terminal.observe = true;
    return terminal;
  }

  /**
   * A new session for {@code user}, opened through the node whose application root is {@code base}
   * (e.g. {@code http://127.0.0.1:9080/tether/}); {@link #via} moves later connections.
   */
  public static Terminal open(URI base, TetherServer.Credentials user) {
    Terminal terminal = new Terminal(user, null, 0).via(base);
    terminal.connect().expectAttached();
    return terminal;
  }

  /** {@link #resume(TetherServer.Credentials, String, long)} through the node at {@code base}. */
  public static Terminal resume(
      URI base, TetherServer.Credentials user, String sessionId, long offset) {
    return new Terminal(user, sessionId, offset).via(base);
  }

  /**
   * Makes the next connections, and the tickets they fetch, go to the node whose application root
   * is {@code base}, as a load balancer without stickiness would send a reconnect anywhere.
   */
  public Terminal via(URI base) {
    this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    return this;
  }

  /** Issues a ticket for {@code user} with HTTP Basic. */
  public static String ticket(TetherServer.Credentials user) {
    return ticketJson(user).getString("ticket");
  }

  /** Issues a ticket for {@code user} on the node whose application root is {@code base}. */
  public static String ticket(URI base, TetherServer.Credentials user) {
    return ticketJson(base, user).getString("ticket");
  }

  public static JsonObject ticketJson(TetherServer.Credentials user) {
    return ticketJson(TetherServer.baseUri(), user);
  }

  /**
   * A transport failure is retried once, as the page retries a ticket request that failed in a way
   * that may pass: Payara's HTTP listener once answered a ticket request with its body alone, no
   * status line (docs/payara.md), and a test about something else must not fail on it. An HTTP
   * error is never retried.
   */
  public static JsonObject ticketJson(URI base, TetherServer.Credentials user) {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("api/tickets"))
            .header("Authorization", user.basicAuthorization())
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> response;
    try {
      try {
        response = TetherServer.httpClient().send(request, HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException transport) {
        System.err.println("ticket request failed, retried once: " + transport);
        response = TetherServer.httpClient().send(request, HttpResponse.BodyHandlers.ofString());
      }
    } catch (Exception e) {
      throw new AssertionError("could not get a ticket", e);
    }
    if (response.statusCode() != 201) {
      throw new AssertionError("ticket: HTTP " + response.statusCode() + " " + response.body());
    }
    return Json.createReader(new StringReader(response.body())).readObject();
  }

  /** Opens a connection and sends {@code hello} with a fresh ticket. */
  public Connection connect() {
    return connect(ticket(base, user), null);
  }

  /**
   * Opens a connection with a given ticket and Origin header (null for none). The handshake runs
   * without this terminal's lock: the listener takes it, and a server that closes at once (a
   * refused origin) calls the listener before the handshake's future completes.
   */
  public Connection connect(String ticket, String origin) {
    Connection c = new Connection(origin);
    String hello;
    synchronized (this) {
      connection = c;
      hello = hello(ticket);
    }
    c.send(hello);
    return c;
  }

  private synchronized String hello(String ticket) {
    var hello = Json.createObjectBuilder().add("type", "hello").add("ticket", ticket);
    if (sessionId == null) {
      hello.addNull("sessionId");
    } else {
      hello.add("sessionId", sessionId);
    }
    return hello
        .add("resumeOffset", outputEnd())
        .add("clientId", clientId)
        .add("inputOffset", typed.size())
        .add("cols", 100)
        .add("rows", 30)
        .add("observe", observe)
        .build()
        .toString();
  }

  /** Types text: sent now if connected, otherwise queued and sent after the next resume. */
  public void type(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    long offset;
    Connection c;
    synchronized (this) {
      offset = typed.size();
      typed.writeBytes(bytes);
      c = connection != null && connection.attached ? connection : null;
    }
    if (c != null) {
      c.sendInput(offset, bytes);
    }
  }

  /** Waits for the server to close this terminal's connection, and says how. */
  public Closed awaitClosed() {
    return connection.expectClosed();
  }

  /** Types {@code exit} and waits for the server to end the session with {@code 4006}. */
  public void exitShell() {
    type("exit\r");
    Closed closed = connection.expectClosed();
    if (closed.code() != 4006) {
      throw new AssertionError("expected the shell to exit, but: " + closed);
    }
  }

  /** Sends the whole input stream again from offset 0, as a client that trusts no ack would. */
  public void resendAllInput() {
    byte[] all;
    synchronized (this) {
      all = typed.toByteArray();
    }
    connection.sendInput(0, all);
  }

  /**
   * Stops sending anything (acks, heartbeats) while keeping the TCP connection open: a connection
   * that died silently, as behind a NAT or load balancer that dropped it.
   */
  public void mute(boolean silent) {
    mute = silent;
  }

  /** Drops the connection without a close handshake, as a network failure would. */
  public void drop() {
    Connection c;
    synchronized (this) {
      c = connection;
      connection = null;
      notifyAll();
    }
    if (c != null) {
      c.ws.abort();
      c.closed.complete(new Closed(1006, "dropped by the test"));
    }
  }

  /**
   * Drops the connection without a close handshake once {@code more} further output bytes have
   * arrived, counted from now (armed before a {@link #connect()}, from the resume point). The drop
   * comes from the thread reading them, so it lands at exactly that point of the stream.
   */
  public synchronized void dropAfterMoreOutput(long more) {
    dropAt = outputEnd() + more;
  }

  /** Waits for the armed drop; false if the connection still stands after {@code timeout}. */
  public boolean awaitDropped(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (connection != null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          dropAt = Long.MAX_VALUE;
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }

  /** Drops the connection and resumes on a new one. */
  public JsonObject reconnect() {
    drop();
    return connect().expectAttached();
  }

  public synchronized String sessionId() {
    return sessionId;
  }

  /** The offset one past the last output byte received. */
  public synchronized long outputEnd() {
    return outputStart + output.size();
  }

  /** Bytes the server skipped because this client fell behind its log. */
  public synchronized long resyncDropped() {
    return resyncDropped;
  }

  public synchronized byte[] outputBytes() {
    return output.toByteArray();
  }

  public String output() {
    return new String(outputBytes(), StandardCharsets.UTF_8);
  }

  public synchronized List<JsonObject> messages() {
    return List.copyOf(messages);
  }

  /**
   * Waits until {@code count} messages of {@code type} (and notice {@code kind}, if given) have
   * arrived in all, and returns the last of them.
   */
  public JsonObject awaitMessage(String type, String kind, int count, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    synchronized (this) {
      for (; ; ) {
        List<JsonObject> matching =
            messages.stream()
                .filter(m -> m.getString("type").equals(type))
                .filter(m -> kind == null || kind.equals(m.getString("kind", null)))
                .toList();
        if (matching.size() >= count) {
          return matching.get(count - 1);
        }
        long left = Duration.between(Instant.now(), deadline).toMillis();
        if (left <= 0) {
          throw new AssertionError("timed out waiting for " + type + " " + kind + " #" + count);
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  public Connection connection() {
    return connection;
  }

  /** Waits until the output satisfies {@code condition}. */
  public void awaitOutput(Predicate<String> condition, Duration timeout, String what) {
    Instant deadline = Instant.now().plus(timeout);
    synchronized (this) {
      while (!condition.test(new String(output.toByteArray(), StandardCharsets.UTF_8))) {
        if (failure != null) {
          throw new AssertionError(failure);
        }
        long left = Duration.between(Instant.now(), deadline).toMillis();
        if (left <= 0) {
          throw new AssertionError("timed out waiting for " + what + "; output ends: " + tail());
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  public void awaitOutput(String contains) {
    awaitOutput(s -> s.contains(contains), Duration.ofSeconds(20), "'" + contains + "'");
  }

  /**
   * Whether the last 4 KiB of output contain {@code text}: cheap enough to ask in a loop while many
   * megabytes stream, where {@link #output()} would copy them all each time.
   */
  public synchronized boolean recentOutputContains(String text) {
    return output.last(4096).contains(text);
  }

  /**
   * Waits until the last 4 KiB of output contain {@code text}: for the end of a stream of
   * megabytes, which {@link #awaitOutput} would copy whole at every frame.
   */
  public void awaitRecentOutput(String text, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    synchronized (this) {
      while (!recentOutputContains(text)) {
        if (failure != null) {
          throw new AssertionError(failure);
        }
        long left = Duration.between(Instant.now(), deadline).toMillis();
        if (left <= 0) {
          throw new AssertionError("timed out waiting for '" + text + "'; output ends: " + tail());
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  private synchronized String tail() {
    return output.last(300);
  }

  /** The output shown so far, and a view of its end without copying the rest. */
  private static final class Output extends ByteArrayOutputStream {
    String last(int bytes) {
      int from = Math.max(0, count - bytes);
      return new String(buf, from, count - from, StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    drop();
  }

  /** One WebSocket connection of this terminal. */
  public final class Connection implements WebSocket.Listener {
    private final WebSocket ws;
    private final CompletableFuture<JsonObject> attachedMessage = new CompletableFuture<>();
    public final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final ByteArrayOutputStream parts = new ByteArrayOutputStream();
    private final StringBuilder textParts = new StringBuilder();
    private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);
    private volatile boolean attached;

    private Connection(String origin) {
      WebSocket.Builder builder =
          TetherServer.httpClient()
              .newWebSocketBuilder()
              .subprotocols("tether.v1")
              .connectTimeout(Duration.ofSeconds(5));
      if (origin != null) {
        builder.header("Origin", origin);
      }
      URI http = base.resolve("ws/terminal");
      URI uri = URI.create(http.toString().replaceFirst("^http", "ws"));
      try {
        this.ws = builder.buildAsync(uri, this).get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("no WebSocket handshake with " + uri, e);
      }
    }

    /** Waits for {@code attached}; fails if the connection closes first. */
    public JsonObject expectAttached() {
      try {
        return CompletableFuture.anyOf(attachedMessage, closed)
            .thenApply(
                r -> {
                  if (r instanceof Closed c) {
                    throw new AssertionError("closed instead of attached: " + c);
                  }
                  return (JsonObject) r;
                })
            .get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("no attached", e);
      }
    }

    /** Waits for {@code attached} or a close: null once attached, the close if it came first. */
    public Closed attachedOrClosed() {
      try {
        Object first = CompletableFuture.anyOf(attachedMessage, closed).get(20, TimeUnit.SECONDS);
        return first instanceof Closed c ? c : null;
      } catch (Exception e) {
        throw new AssertionError("neither attached nor closed", e);
      }
    }

    /** Waits for the server to close this connection. */
    public Closed expectClosed() {
      try {
        return closed.get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("the server did not close the connection", e);
      }
    }

    public synchronized void send(String text) {
      if (mute) {
        return;
      }
      sends = sends.thenCompose(v -> ws.sendText(text, true));
    }

    public synchronized void sendBinary(ByteBuffer frame) {
      if (mute) {
        return;
      }
      sends = sends.thenCompose(v -> ws.sendBinary(frame, true));
    }

    void sendInput(long offset, byte[] bytes) {
      for (int from = 0; from < bytes.length; from += 16384) {
        int length = Math.min(16384, bytes.length - from);
        ByteBuffer frame = ByteBuffer.allocate(8 + length);
        frame.putLong(offset + from).put(bytes, from, length).flip();
        sendBinary(frame);
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      textParts.append(data);
      if (last) {
        JsonObject message = Json.createReader(new StringReader(textParts.toString())).readObject();
        textParts.setLength(0);
        handle(message);
      }
      webSocket.request(1);
      return null;
    }

    private void handle(JsonObject message) {
      byte[] resend = null;
      long ackResync = -1;
      synchronized (Terminal.this) {
        messages.add(message);
        switch (message.getString("type")) {
          case "attached" -> {
            sessionId = message.getString("sessionId");
            long replayFrom = message.getJsonNumber("replayFrom").longValue();
            if (replayFrom != outputEnd()) {
              // A fresh client resuming mid-stream, or bytes the server no longer holds.
              if (output.size() == 0) {
                outputStart = replayFrom;
              } else if (message.getJsonNumber("dropped").longValue() == 0) {
                failure = "replayFrom " + replayFrom + " but output ends at " + outputEnd();
              }
            }
            inputAcked = message.getJsonNumber("inputAcked").longValue();
            byte[] all = typed.toByteArray();
            if (inputAcked < all.length) {
              resend = java.util.Arrays.copyOfRange(all, (int) inputAcked, all.length);
            }
            attached = true;
          }
          case "heartbeat" -> inputAcked = message.getJsonNumber("inputAcked").longValue();
          case "resync" -> {
            // The client fell behind the log: the bytes up to "from" are gone. Keep the buffer
            // contiguous by starting it anew; tests that need every byte must not resync.
            long from = message.getJsonNumber("from").longValue();
            resyncDropped += from - outputEnd();
            output.reset();
            outputStart = from;
            ackResync = from;
          }
          default -> {}
        }
        Terminal.this.notifyAll();
      }
      if (resend != null) {
        sendInput(inputAcked, resend);
      }
      if (ackResync >= 0) {
        // Taking the resync in is acknowledged, as the protocol asks: the window moves on.
        send("{\"type\":\"ack\",\"offset\":" + ackResync + "}");
      }
      if ("heartbeat".equals(message.getString("type"))) {
        // Heard from this client: an ack of what it has, which, unlike a heartbeat, the server
        // never answers.
        send("{\"type\":\"ack\",\"offset\":" + outputEnd() + "}");
      }
      if ("attached".equals(message.getString("type"))) {
        attachedMessage.complete(message);
      }
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      parts.writeBytes(chunk);
      if (last) {
        ByteBuffer frame = ByteBuffer.wrap(parts.toByteArray());
        parts.reset();
        long offset = frame.getLong();
        long end;
        synchronized (Terminal.this) {
          long expected = outputEnd();
          if (offset > expected) {
            failure = "gap: frame at " + offset + " but output ends at " + expected;
          } else {
            int skip = (int) Math.min(frame.remaining(), expected - offset);
            output.write(frame.array(), 8 + skip, frame.remaining() - skip);
          }
          end = outputEnd();
          Terminal.this.notifyAll();
        }
        send("{\"type\":\"ack\",\"offset\":" + end + "}");
        if (end >= dropAt) {
          dropAt = Long.MAX_VALUE;
          drop(); // from the reading thread: at exactly this point of the stream
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(new Closed(statusCode, reason));
      synchronized (Terminal.this) {
        Terminal.this.notifyAll();
      }
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(new Closed(1006, String.valueOf(error)));
    }

    public WebSocket socket() {
      return ws;
    }
  }
}
