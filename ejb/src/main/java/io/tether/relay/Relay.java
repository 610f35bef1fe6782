package io.tether.relay;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.CloseCode;
import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One relayed connection on the entry node: the client's frames go up to the owner unchanged, the
 * owner's come down unchanged. The next upstream message is requested only once the previous one
 * was sent to the client, so a slow client slows the relay, never fills its memory; the end-to-end
 * flow-control window bounds what is in flight.
 */
public final class Relay implements WebSocket.Listener {
  private static final Logger LOG = Logger.getLogger(Relay.class.getName());
  private static final int MAX_PENDING_UPSTREAM = 256;
  private static final Duration VERDICT_WAIT = Duration.ofSeconds(3);

  private final String node;
  private final ClientChannel client;
  private final Predicate<String> isMember;
  private final BooleanSupplier inMajority;
  private final Consumer<Relay> ended;
  private final ScheduledExecutorService scheduler;
  private final StringBuilder textParts = new StringBuilder();
  private final ByteArrayOutputStream binaryParts = new ByteArrayOutputStream();
  private volatile WebSocket upstream;
  private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);
  private int pending;
  private boolean closed;

  Relay(
      String node,
      ClientChannel client,
      Predicate<String> isMember,
      BooleanSupplier inMajority,
      Consumer<Relay> ended,
      ScheduledExecutorService scheduler) {
    this.node = node;
    this.client = client;
    this.isMember = isMember;
    this.inMajority = inMajority;
    this.ended = ended;
    this.scheduler = scheduler;
  }

  public String node() {
    return node;
  }

  /** The upstream connection; one that comes after the relay has ended is let go at once. */
  void connected(WebSocket socket) {
    synchronized (this) {
      upstream = socket;
      if (!closed) {
        return;
      }
    }
    socket.abort();
  }

  /** Forwards a text frame from the client to the owner. */
  public void forwardText(String text) {
    enqueue(ws -> ws.sendText(text, true));
  }

  /** Forwards a binary frame from the client; {@code frame} is copied, the caller may reuse it. */
  public void forwardBinary(ByteBuffer frame) {
    ByteBuffer copy = ByteBuffer.allocate(frame.remaining()).put(frame.duplicate()).flip();
    enqueue(ws -> ws.sendBinary(copy, true));
  }

  private synchronized void enqueue(
      java.util.function.Function<WebSocket, CompletableFuture<WebSocket>> send) {
    if (closed) {
      return;
    }
    if (++pending > MAX_PENDING_UPSTREAM) {
      closeBoth(CloseCode.HEARTBEAT_TIMEOUT, "The relay to the session's server stalled.");
      return;
    }
    WebSocket ws = upstream;
    sends =
        sends
            .thenCompose(v -> send.apply(ws))
            .whenComplete(
                (v, failure) -> {
                  synchronized (this) {
                    pending--;
                  }
                  if (failure != null) {
                    upstreamFailed(failure);
                  }
                });
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    textParts.append(data);
    if (!last) {
      webSocket.request(1);
      return null;
    }
    String text = textParts.toString();
    textParts.setLength(0);
    client.sendText(text, failure -> downstreamDone(webSocket, failure));
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] chunk = new byte[data.remaining()];
    data.get(chunk);
    binaryParts.writeBytes(chunk);
    if (!last) {
      webSocket.request(1);
      return null;
    }
    ByteBuffer frame = ByteBuffer.wrap(binaryParts.toByteArray());
    binaryParts.reset();
    client.sendBinary(frame, failure -> downstreamDone(webSocket, failure));
    return null;
  }

  private void downstreamDone(WebSocket webSocket, Throwable failure) {
    if (failure != null) {
      // The client went away; the endpoint's close handler ends the relay.
      LOG.log(Level.FINE, failure, () -> "relay to " + node + ": client send failed");
      return;
    }
    webSocket.request(1);
  }

  /** The owner closed: pass its code and sentence on (4006 shell exited, 4008 idle, ...). */
  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    if (webSocket != upstream) {
      return null; // an attempt the connector gave up on
    }
    if (markClosed()) {
      if (statusCode == WebSocket.NORMAL_CLOSURE || statusCode >= 4000) {
        client.close(statusCode, reason);
      } else {
        closeForLostUpstream();
      }
    }
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    if (webSocket != upstream) {
      return;
    }
    upstreamFailed(error);
  }

  private void upstreamFailed(Throwable error) {
    if (markClosed()) {
      LOG.log(Level.FINE, error, () -> "relay to " + node + ": upstream failed");
      closeForLostUpstream();
    }
  }

  /**
   * The owner's connection broke. A crashed owner's socket closes a few hundred milliseconds before
   * the cluster declares it gone, so wait for the verdict (up to {@link #VERDICT_WAIT}) before
   * telling the client: node-lost if the owner left and this node is in a majority (which decides
   * it is lost), otherwise "come back".
   */
  private void closeForLostUpstream() {
    awaitVerdict(System.nanoTime() + VERDICT_WAIT.toNanos());
  }

  private void awaitVerdict(long deadline) {
    if (!isMember.test(node)) {
      CloseCode code = inMajority.getAsBoolean() ? CloseCode.NODE_LOST : CloseCode.TRY_AGAIN_LATER;
      client.close(code, code.sentence());
    } else if (System.nanoTime() >= deadline) {
      // The owner is alive: the client should simply come back (possibly through another node).
      client.close(CloseCode.SERVICE_RESTART, CloseCode.SERVICE_RESTART.sentence());
    } else {
      scheduler.schedule(() -> awaitVerdict(deadline), 100, TimeUnit.MILLISECONDS);
    }
  }

  /** Ends the relay from this side: the client gets {@code code}, the owner a normal close. */
  public void closeBoth(CloseCode code) {
    closeBoth(code, code.sentence());
  }

  /** As {@link #closeBoth(CloseCode)}, with a more specific reason than the code's sentence. */
  public void closeBoth(CloseCode code, String reason) {
    if (markClosed()) {
      client.close(code, reason);
    }
  }

  /** The client went away: close the upstream quietly. */
  public void clientClosed() {
    markClosed(false);
  }

  /**
   * The client vanished without a close (a blip): the owner is shown the same, an aborted
   * connection, so it holds the shell back for the client's reconnect grace as it would for a
   * client of its own.
   */
  public void clientVanished() {
    markClosed(true);
  }

  private boolean markClosed() {
    return markClosed(false);
  }

  private boolean markClosed(boolean abort) {
    synchronized (this) {
      if (closed) {
        return false;
      }
      closed = true;
    }
    WebSocket ws = upstream;
    if (ws != null && abort) {
      ws.abort();
    } else if (ws != null && !ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "relay closed")
          .whenComplete((v, e) -> ws.abort()); // the owner already knows; nothing else to send
    }
    ended.accept(this);
    return true;
  }
}
