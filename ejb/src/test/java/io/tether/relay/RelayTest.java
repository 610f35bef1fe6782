package io.tether.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.CloseCode;
import io.tether.session.RecordingChannel;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Which upstream sockets a relay listens to, and what it does with one that comes too late. */
class RelayTest {
  /** An upstream socket that records what is done to it. */
  private static final class Socket implements WebSocket {
    boolean aborted;
    boolean outputClosed;

    @Override
    public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
      outputClosed = true;
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public void request(long n) {}

    @Override
    public String getSubprotocol() {
      return "tether.v1";
    }

    @Override
    public boolean isOutputClosed() {
      return outputClosed;
    }

    @Override
    public boolean isInputClosed() {
      return aborted;
    }

    @Override
    public void abort() {
      aborted = true;
    }
  }

  /** The client's end as the wire sees it: the raw close code and reason. */
  private static final class WireClient implements ClientChannel {
    final CompletableFuture<String> closed = new CompletableFuture<>();

    @Override
    public void sendBinary(ByteBuffer frame, Consumer<Throwable> done) {
      done.accept(null);
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
      done.accept(null);
    }

    @Override
    public void sendPing(Consumer<Throwable> done) {
      done.accept(null);
    }

    @Override
    public void close(int code, String reason) {
      closed.complete(code + " " + reason);
    }

    @Override
    public String describe() {
      return "wire";
    }
  }

  private final RecordingChannel client = new RecordingChannel();
  private final List<Relay> ended = new ArrayList<>();
  private final Relay relay =
      new Relay("node1", client, node -> true, () -> true, ended::add, null);

  @Test
  void theCloseOfAnAttemptTheConnectorGaveUpOnIsIgnored() {
    Socket abandoned = new Socket();
    Socket upstream = new Socket();
    relay.connected(upstream);

    // The owner closes the abandoned socket for never sending a hello.
    relay.onClose(abandoned, 4000, "No hello in time.");
    relay.onError(abandoned, new IllegalStateException("reset"));
    assertNull(client.closedWith(), "the client's relay goes on");
    assertTrue(ended.isEmpty());

    relay.onClose(upstream, 4006, "The shell exited with code 0.");
    assertEquals(CloseCode.of(4006), client.closedWith());
    assertEquals(List.of(relay), ended);
  }

  @Test
  void anUpstreamConnectedAfterTheRelayEndedIsLetGo() {
    relay.clientClosed(); // the client left while the connector was still connecting
    Socket late = new Socket();
    relay.connected(late);

    assertTrue(late.aborted);
    assertEquals(List.of(relay), ended);
  }

  /**
   * The owner's socket dropped and the owner is no member any more: a node in a majority tells the
   * client its session is lost; a node cut off in a minority cannot know, and sends it back.
   */
  @Test
  void anOwnerThatLeftIsLostOnlyForANodeInAMajority() throws Exception {
    for (boolean majority : List.of(true, false)) {
      WireClient wire = new WireClient();
      Relay toGoneOwner = new Relay("node1", wire, node -> false, () -> majority, ended::add, null);
      Socket upstream = new Socket();
      toGoneOwner.connected(upstream);

      toGoneOwner.onError(upstream, new java.io.IOException("connection reset"));

      assertEquals(
          majority
              ? "4010 The server that ran this session was lost."
              : "1013 The session's server cannot be reached.",
          wire.closed.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void anOwnerThatIsStillAMemberSendsTheClientBackWith1012() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      WireClient wire = new WireClient();
      Relay toLiveOwner = new Relay("node1", wire, node -> true, () -> true, ended::add, scheduler);
      Socket upstream = new Socket();
      toLiveOwner.connected(upstream);

      // The owner's socket dropped without a close frame, but the owner stays in the cluster.
      toLiveOwner.onError(upstream, new java.io.IOException("connection reset"));

      assertEquals(
          "1012 The connection to the session's server was interrupted.",
          wire.closed.get(10, TimeUnit.SECONDS));
      assertTrue(upstream.outputClosed, "the owner is told the relay closed");
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void aRelayEndedFromThisSideGivesTheClientTheTablesCodeAndSentence() throws Exception {
    WireClient wire = new WireClient();
    Relay stopping = new Relay("node1", wire, node -> true, () -> true, ended::add, null);
    Socket upstream = new Socket();
    stopping.connected(upstream);

    stopping.closeBoth(CloseCode.GOING_AWAY);
    stopping.closeBoth(CloseCode.NODE_LOST); // once ended, a relay is not closed again

    assertEquals("1001 This server is shutting down.", wire.closed.getNow(null));
    assertTrue(upstream.outputClosed);
    assertEquals(List.of(stopping), ended);
  }

  @Test
  void anOwnersOwnCloseIsPassedOnUnchanged() {
    WireClient wire = new WireClient();
    Relay relayed = new Relay("node1", wire, node -> true, () -> true, ended::add, null);
    Socket upstream = new Socket();
    relayed.connected(upstream);

    relayed.onClose(upstream, 4008, "Idle for 30 minutes.");

    assertEquals("4008 Idle for 30 minutes.", wire.closed.getNow(null));
  }
}
