package io.tether.it.cluster;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.ClusterNodes;
import io.tether.it.support.ClusterNodes.Node;
import io.tether.it.support.SeqOutput;
import io.tether.it.support.ServerProcess;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tether on two clustered WildFly nodes: a session lives on the node that opened it (its owner),
 * and a client that reaches the other node is relayed to the owner; tickets, the session registry
 * and lifecycle events are shared by the cluster.
 *
 * <p>The last test kills node 2, so this class runs last in the cluster execution ({@code @Order}
 * on the class; failsafe orders classes by it) and that test runs last in it. The managed container
 * of a killed node stops cleanly: undeploying from it only logs a warning, and stopping a process
 * that is gone is skipped.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Order(Integer.MAX_VALUE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final Duration SECONDS_20 = Duration.ofSeconds(20);
  private static final String NODE_LOST_REASON = "The server that ran this session was lost.";

  private final Node node1 = ClusterNodes.node1();
  private final Node node2 = ClusterNodes.node2();

  @Deployment(name = "ear-node1", testable = false)
  @TargetsContainer(ClusterNodes.NODE1)
  static EnterpriseArchive earOnNode1() {
    return TetherServer.builtEar();
  }

  @Deployment(name = "ear-node2", testable = false)
  @TargetsContainer(ClusterNodes.NODE2)
  static EnterpriseArchive earOnNode2() {
    return TetherServer.builtEar();
  }

  @Test
  @Order(1)
  void aTicketIssuedOnOneNodeIsRedeemedOnTheOtherOnce() {
    String ticket = Terminal.ticket(node1.baseUri(), ALICE);

    try (Terminal t = Terminal.resume(node2.baseUri(), ALICE, null, 0)) {
      JsonObject attached = t.connect(ticket, null).expectAttached();
      assertEquals(node2.name(), attached.getString("node"), "the entry node opens the session");
      t.type("echo cross-$((2+2))\r");
      t.awaitOutput("cross-4");

      // Single-use cluster-wide: the node that issued it refuses it now.
      try (Terminal again = Terminal.resume(node1.baseUri(), ALICE, null, 0)) {
        Terminal.Closed closed = again.connect(ticket, null).expectClosed();
        assertEquals(4001, closed.code(), closed.toString());
      }
      t.exitShell();
    }
  }

  @Test
  @Order(2)
  void aSessionOpenedOnOneNodeIsAnnouncedToTheAdminsOfTheOther() throws Exception {
    try (Terminal t = Terminal.open(node1.baseUri(), ALICE)) {
      JsonObject opened = awaitEvent(node2, t.sessionId(), "opened", SECONDS_20);
      assertEquals(node1.name(), opened.getString("node"), opened.toString());
      assertEquals("alice", opened.getString("user"), opened.toString());
      t.exitShell();
    }
  }

  @Test
  @Order(3)
  void anAdminOnTheOtherNodeListsObservesAndKillsASession() throws Exception {
    try (Terminal t = Terminal.open(node1.baseUri(), ALICE)) {
      String id = t.sessionId();
      t.type("echo seen-by-$((3*3))\r");
      t.awaitOutput("seen-by-9");

      // Listed by node2, from the cluster's registry.
      HttpResponse<String> listed = node2.get("api/admin/sessions/" + id, ADMIN);
      assertEquals(200, listed.statusCode(), listed.body());
      JsonObject item = Json.createReader(new StringReader(listed.body())).readObject();
      assertEquals(node1.name(), item.getString("node"), item.toString());
      assertEquals("alice", item.getString("user"), item.toString());
      assertTrue(
          node2.get("api/admin/sessions?user=alice&limit=1000", ADMIN).body().contains(id),
          "the listing on node2 holds the session");

      // Observed read-only through node2: relayed to the owner, the screen replayed and live.
      try (Terminal observer = Terminal.observe(node2.baseUri(), ADMIN, id)) {
        JsonObject attached = observer.connect().expectAttached();
        assertTrue(attached.getBoolean("observer"), attached.toString());
        assertEquals(node1.name(), attached.getString("node"), attached.toString());
        observer.awaitOutput("seen-by-9");
        t.type("echo live-$((4*4))\r");
        observer.awaitOutput("live-16");
        observer.type("echo typed-by-observer\r");
        Terminal.Closed refused = observer.connection().expectClosed();
        assertEquals(4016, refused.code(), refused.toString());
      }
      t.type("echo after-$((5*5))\r");
      t.awaitOutput("after-25");
      assertFalse(
          t.output().contains("typed-by-observer"), "the observer's keys reached the shell");

      // Killed from node2: the command travels to node1, and the client hears why.
      HttpResponse<String> killed = node2.post("api/admin/sessions/" + id + "/kill", ADMIN);
      assertEquals(200, killed.statusCode(), killed.body());
      Terminal.Closed closed = t.connection().expectClosed();
      assertEquals(4009, closed.code(), closed.toString());
      assertEquals("The session was ended by an administrator.", closed.reason());
      awaitAdminSessionsWithout(id, SECONDS_20);
    }
  }

  @Test
  @Order(3)
  void aForgedRelayRequestIsRefusedAndLeavesTheSessionAlone() throws Exception {
    try (Terminal owner = Terminal.open(node2.baseUri(), ALICE)) {
      owner.type("echo before-$((1+2))\r");
      owner.awaitOutput("before-3");
      int messagesBefore = owner.messages().size();

      // The relay-hello node1 would send to node2 for a client of the owner's session, well formed
      // (docs/cluster.md, io.tether.relay.RelayHello) but signed with a key that is not the
      // cluster secret.
      JsonObject hello =
          Json.createObjectBuilder()
              .add("type", "hello")
              .add("ticket", "forged-" + UUID.randomUUID())
              .add("sessionId", owner.sessionId())
              .add("resumeOffset", 0)
              .add("clientId", "forger")
              .add("inputOffset", 0)
              .add("cols", 80)
              .add("rows", 24)
              .build();
      String nonce = base64Url(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
      long issuedAt = System.currentTimeMillis();
      String signed =
          String.join(
              "\n",
              node1.name(),
              node2.name(),
              "alice",
              "user",
              Long.toString(issuedAt),
              nonce,
              hello.toString());
      JsonObject relayHello =
          Json.createObjectBuilder()
              .add("type", "relay-hello")
              .add("from", node1.name())
              .add("to", node2.name())
              .add("user", "alice")
              .add("roles", Json.createArrayBuilder().add("user"))
              .add("issuedAt", issuedAt)
              .add("nonce", nonce)
              .add("hello", hello.toString())
              .add("token", hmacSha256("not-the-cluster-secret", signed))
              .build();

      RawSocket forger = RawSocket.open(node2, "ws/relay");
      forger.ws.sendText(relayHello.toString(), true);
      Terminal.Closed closed = forger.closed.get(10, TimeUnit.SECONDS);
      assertEquals(4001, closed.code(), closed.toString());
      assertEquals(0, forger.binaryFrames.get(), "the forger was sent session output");

      // The session and its client carry on as if nothing happened.
      owner.type("echo after-$((2+3))\r");
      owner.awaitOutput("after-5");
      assertFalse(owner.connection().closed.isDone(), "the owner's client was disconnected");
      assertEquals(
          0,
          owner.messages().stream()
              .skip(messagesBefore)
              .filter(m -> !m.getString("type").equals("heartbeat"))
              .count(),
          "the owner's client was told something: " + owner.messages());
      owner.exitShell();
    }
  }

  @Test
  @Order(4)
  void aSessionResumesExactlyThroughAlternatingNodesWhileSeqRuns() {
    try (Terminal t = Terminal.open(node1.baseUri(), ALICE)) {
      int cutsMidStream =
          SeqOutput.cutWhileStreaming(
              t,
              300_000,
              12,
              cut -> {
                // Come back through the other node than last time: node2 (relayed to the
                // owner), node1 (direct), node2, ...
                Node entry = cut % 2 == 0 ? node2 : node1;
                t.drop();
                JsonObject attached = t.via(entry.baseUri()).connect().expectAttached();
                assertEquals(0, attached.getJsonNumber("dropped").longValue(), attached.toString());
                assertEquals(
                    node1.name(), attached.getString("node"), "the owner serves the session");
              });
      assertTrue(cutsMidStream >= 10, cutsMidStream + " cuts before the end");
      t.exitShell();
    }
  }

  /**
   * Runs last: node 2 stays dead. Node 2, not node 1: of a two-node cluster only the first-listed
   * node decides alone that the other is lost (docs/cluster.md), so node 1 is the survivor that
   * declares node 2's sessions lost.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void killingTheOwnerNodeClosesItsRelayedClientsWithNodeLostAndLeavesNoRecord() throws Exception {
    Terminal t = Terminal.open(node2.baseUri(), ALICE);
    String sessionId = t.sessionId();
    try {
      t.type("echo owned-$((3+4))\r");
      t.awaitOutput("owned-7");
      t.drop();
      JsonObject attached = t.via(node1.baseUri()).connect().expectAttached();
      assertEquals(node2.name(), attached.getString("node"), "relayed to the owner");
      t.type("echo relayed-$((4+5))\r");
      t.awaitOutput("relayed-9");
      Terminal.Connection relayed = t.connection();

      Instant killed = Instant.now();
      node2.kill();

      Terminal.Closed closed;
      try {
        closed = relayed.closed.get(10, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("no close within 10 s of killing node2", e);
      }
      Duration took = Duration.between(killed, Instant.now());

      // Node 1's registry has no record of the session left: its admin list (once the admin API
      // has one) and a client coming back through node 1 both say so. Checked, and reported,
      // whatever the close code was.
      HttpResponse<String> sessions = node1.get("api/admin/sessions", ADMIN);
      boolean adminList = sessions.statusCode() != 404 && sessions.statusCode() != 405;
      Terminal.Closed again;
      try (Terminal back = Terminal.resume(node1.baseUri(), ALICE, sessionId, t.outputEnd())) {
        again = back.connect().expectClosed();
      }
      assertAll(
          () -> assertEquals(4010, closed.code(), closed + " " + took.toMillis() + " ms after"),
          () -> assertEquals(NODE_LOST_REASON, closed.reason(), closed.toString()),
          () -> {
            if (adminList) {
              awaitAdminSessionsWithout(sessionId, Duration.ofSeconds(10));
            }
          },
          () -> assertTrue(again.code() == 4010 || again.code() == 4004, "resumed: " + again),
          () -> {
            if (again.code() == 4010) {
              assertEquals(NODE_LOST_REASON, again.reason(), "resumed: " + again);
            }
          });
    } finally {
      t.close();
      // The dead JVM's shells lose their terminal and exit; make sure none outlives the test.
      ServerProcess.processesOf(sessionId).forEach(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * On Payara ({@code tether.it.payara.asadmin} set), the killed node's domain is started again
   * after the tests: Payara's Arquillian container fails the class when it cannot undeploy from a
   * node whose admin port is gone, where WildFly's only logs a warning. The cluster's stop script
   * stops it afterwards.
   */
  @AfterAll
  static void startAKilledPayaraNodeAgainForItsUndeploy() throws Exception {
    String asadmin = System.getProperty("tether.it.payara.asadmin");
    if (asadmin == null) {
      return;
    }
    Node node2 = ClusterNodes.node2();
    try {
      node2.jvm();
      return; // still running: nothing to do
    } catch (AssertionError gone) {
      // killed by the last test: start it again
    }
    Process start =
        new ProcessBuilder(
                asadmin,
                "--interactive=false",
                "start-domain",
                "--domaindir",
                node2.baseDir().getParent().toString(),
                node2.baseDir().getFileName().toString())
            .inheritIO()
            .start();
    assertTrue(start.waitFor(5, TimeUnit.MINUTES), "node2's domain did not start within 5 min");
    assertEquals(0, start.exitValue(), "asadmin start-domain of node2");
  }

  private void awaitAdminSessionsWithout(String sessionId, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    for (; ; ) {
      HttpResponse<String> response = node1.get("api/admin/sessions", ADMIN);
      assertEquals(200, response.statusCode(), "GET api/admin/sessions: " + response.body());
      if (!response.body().contains(sessionId)) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("node2 still lists " + sessionId + ": " + response.body());
      }
      Thread.sleep(200); // polling another process: there is no event to wait on
    }
  }

  private static String hmacSha256(String key, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return base64Url(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
  }

  private static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A bare WebSocket client: records how it was closed and how many binary frames it got. */
  private static final class RawSocket implements WebSocket.Listener {
    final CompletableFuture<Terminal.Closed> closed = new CompletableFuture<>();
    final AtomicInteger binaryFrames = new AtomicInteger();
    WebSocket ws;

    static RawSocket open(Node node, String path) {
      RawSocket socket = new RawSocket();
      socket.ws =
          TetherServer.httpClient()
              .newWebSocketBuilder()
              .subprotocols("tether.v1")
              .connectTimeout(Duration.ofSeconds(5))
              .buildAsync(node.webSocketUri(path), socket)
              .join();
      return socket;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      binaryFrames.incrementAndGet();
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(new Terminal.Closed(statusCode, reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(new Terminal.Closed(1006, String.valueOf(error)));
    }
  }

  /**
   * Waits until {@code node}'s admin event list ({@code GET /tether/api/admin/events} as an admin:
   * the events this node received, oldest first) holds an event of {@code type} for {@code
   * sessionId}, and returns it.
   */
  private static JsonObject awaitEvent(Node node, String sessionId, String type, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    for (; ; ) {
      HttpResponse<String> response = node.get("api/admin/events", ADMIN);
      assertEquals(
          200, response.statusCode(), "GET api/admin/events on " + node.name() + ": " + response);
      JsonArray events = Json.createReader(new StringReader(response.body())).readArray();
      for (JsonObject event : events.getValuesAs(JsonObject.class)) {
        if (sessionId.equals(event.getString("sessionId", null))
            && type.equals(event.getString("type", null))) {
          return event;
        }
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            node.name() + " shows no " + type + " event of " + sessionId + ": " + response.body());
      }
      Thread.sleep(200); // polling another process: there is no event to wait on
    }
  }
}
