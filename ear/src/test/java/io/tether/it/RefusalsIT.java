package io.tether.it;

import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input gets its documented close code and changes nothing: alice's session (the victim) keeps
 * working after every refusal, and no refused frame reaches a shell.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RefusalsIT {
  private static final AtomicInteger MARKS = new AtomicInteger();
  private Terminal victim;

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @BeforeEach
  void openVictim() {
    victim = Terminal.open(ALICE);
  }

  @AfterEach
  void victimIsIntact() {
    int mark = MARKS.incrementAndGet();
    victim.type("echo intact-$((" + mark + "*1000))\r");
    victim.awaitOutput("intact-" + mark * 1000);
    assertFalse(victim.output().contains("should-not-run-2"));
    victim.exitShell();
  }

  /** A second client that aims at the victim's session. */
  private Terminal attacker(TetherServer.Credentials who) {
    return Terminal.resume(who, victim.sessionId(), 0);
  }

  @Test
  void anUnknownTicketIs4001() {
    try (Terminal t = attacker(ALICE)) {
      assertEquals(4001, t.connect("not-a-ticket", null).expectClosed().code());
    }
  }

  @Test
  void aReusedTicketIs4001() {
    String ticket = Terminal.ticket(ALICE);
    try (Terminal first = attacker(ALICE);
        Terminal second = attacker(ALICE)) {
      first.connect(ticket, null).expectAttached();
      assertEquals(4001, second.connect(ticket, null).expectClosed().code());
    }
  }

  @Test
  void anExpiredTicketIs4001() throws Exception {
    JsonObject issued = Terminal.ticketJson(ALICE);
    Instant expiresAt = Instant.parse(issued.getString("expiresAt"));
    while (!Instant.now().isAfter(expiresAt.plusMillis(200))) {
      Thread.sleep(100); // waiting for the clock itself: expiry is the condition under test
    }
    try (Terminal t = attacker(ALICE)) {
      assertEquals(4001, t.connect(issued.getString("ticket"), null).expectClosed().code());
    }
  }

  @Test
  void anotherUsersSessionIs4003() {
    try (Terminal t = attacker(BOB)) {
      Terminal.Closed closed = t.connect().expectClosed();
      assertEquals(4003, closed.code());
      assertEquals("That session belongs to another user.", closed.reason());
    }
  }

  @Test
  void anUnknownSessionIs4004() {
    try (Terminal t = Terminal.resume(ALICE, "no-such-session-0000", 0)) {
      assertEquals(4004, t.connect().expectClosed().code());
    }
  }

  @Test
  void aForeignOriginIs4002AndTheServersOwnOriginIsAccepted() {
    try (Terminal evil = attacker(ALICE);
        Terminal own = attacker(ALICE)) {
      String ticket = Terminal.ticket(ALICE);
      assertEquals(4002, evil.connect(ticket, "http://evil.example:8080").expectClosed().code());
      // The refused handshake did not consume the ticket: it never reached hello.
      String origin = TetherServer.baseUri().resolve("/").toString().replaceAll("/$", "");
      own.connect(ticket, origin).expectAttached();
    }
  }

  @Test
  void anOversizedBinaryFrameIs4005AndNotApplied() {
    try (Terminal t = attacker(ALICE)) {
      Terminal.Connection c = t.connect();
      c.expectAttached();
      byte[] command = "echo should-not-run-$((1+1))\r".getBytes(StandardCharsets.US_ASCII);
      ByteBuffer frame = ByteBuffer.allocate(8 + 65537);
      frame.putLong(0).put(command).position(frame.capacity()).flip();
      c.sendBinary(frame);
      assertEquals(4005, c.expectClosed().code());
    }
  }

  @Test
  void anOversizedTextFrameIs4005() {
    try (Terminal t = attacker(ALICE)) {
      Terminal.Connection c = t.connect();
      c.expectAttached();
      c.send("{\"type\":\"heartbeat\",\"pad\":\"" + "x".repeat(5000) + "\"}");
      assertEquals(4005, c.expectClosed().code());
    }
  }

  @Test
  void malformedFramesAre4000() {
    for (String bad :
        new String[] {
          "not json",
          "[]",
          "{\"type\":\"launch\"}",
          "{\"type\":\"ack\"}",
          "{\"type\":\"heartbeat\"} x",
          "{\"type\":\"heartbeat\"}{\"type\":\"heartbeat\"}"
        }) {
      try (Terminal t = attacker(ALICE)) {
        Terminal.Connection c = t.connect();
        c.expectAttached();
        c.send(bad);
        assertEquals(4000, c.expectClosed().code(), bad);
      }
    }
  }

  @Test
  void aHelloWithoutSessionIdIs4000() throws Exception {
    String hello =
        "{\"type\":\"hello\",\"ticket\":\""
            + Terminal.ticket(ALICE)
            + "\",\"resumeOffset\":0,\"clientId\":\"no-session-id\",\"inputOffset\":0,"
            + "\"cols\":80,\"rows\":24}";
    assertEquals(4000, rawClose(ws -> ws.sendText(hello, true), "tether.v1"));
  }

  @Test
  void aBinaryFrameShorterThanItsOffsetIs4000() {
    try (Terminal t = attacker(ALICE)) {
      Terminal.Connection c = t.connect();
      c.expectAttached();
      c.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      assertEquals(4000, c.expectClosed().code());
    }
  }

  @Test
  void inputBeforeHelloIs4000() throws Exception {
    assertEquals(4000, rawClose(ws -> ws.sendBinary(ByteBuffer.allocate(12), true), "tether.v1"));
  }

  @Test
  void aHandshakeWithoutTheSubprotocolIs4000() throws Exception {
    assertEquals(4000, rawClose(ws -> CompletableFuture.completedFuture(ws), null));
  }

  /** Opens a bare WebSocket, does {@code first}, and returns the server's close code. */
  private static int rawClose(
      java.util.function.Function<WebSocket, CompletableFuture<WebSocket>> first,
      String subprotocol)
      throws Exception {
    CompletableFuture<Integer> code = new CompletableFuture<>();
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
    if (subprotocol != null) {
      builder.subprotocols(subprotocol);
    }
    WebSocket ws =
        builder
            .buildAsync(
                TetherServer.webSocketUri("ws/terminal"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                    code.complete(status);
                    return null;
                  }
                })
            .join();
    first.apply(ws);
    return code.get(20, TimeUnit.SECONDS);
  }
}
