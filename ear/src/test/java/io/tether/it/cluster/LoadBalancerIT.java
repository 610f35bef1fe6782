package io.tether.it.cluster;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.ClusterNodes;
import io.tether.it.support.RawWebSocket;
import io.tether.it.support.ServerProcess;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shipped load balancer (server-config's nginx configuration, written by the same script that
 * start-cluster.sh runs) in front of the two test nodes: terminals work through it, a node that is
 * not ready gets none, and no spelling of the nodes' internal relay endpoint gets past it, while
 * the nodes themselves do serve it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LoadBalancerIT {
  private static final int PORT = 9280;
  private static final URI BALANCER = URI.create("http://127.0.0.1:" + PORT + "/tether/");

  private static Process nginx;

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

  @BeforeAll
  static void startTheBalancer() throws Exception {
    Path scripts = Path.of(System.getProperty("tether.it.server-config.dir"));
    Path dir = Path.of(System.getProperty("tether.it.cluster.dir"), "nginx");
    String binary = run(scripts.resolve("install-nginx.sh").toString()).strip();
    run(
        scripts.resolve("write-nginx-conf.sh").toString(),
        dir.toString(),
        Integer.toString(PORT),
        Integer.toString(ClusterNodes.node1().baseUri().getPort()),
        Integer.toString(ClusterNodes.node2().baseUri().getPort()));
    Path conf = dir.resolve("nginx.conf");
    // In the foreground, as this test's child: it ends with the test, whatever happens.
    nginx =
        new ProcessBuilder(
                binary,
                "-p",
                dir + "/",
                "-c",
                conf.toString(),
                "-e",
                dir.resolve("logs/error.log").toString(),
                "-g",
                "daemon off;")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("logs/stdout.log").toFile())
            .start();
    awaitListening(PORT);
  }

  @AfterAll
  static void stopTheBalancer() throws InterruptedException {
    if (nginx != null) {
      nginx.destroy(); // SIGTERM: nginx's fast shutdown, workers included
      if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
        nginx.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void aTerminalWorksThroughTheBalancer() {
    try (Terminal t = Terminal.open(BALANCER, ALICE)) {
      t.type("echo through-$((40+2))\r");
      t.awaitOutput("through-42");
      t.exitShell();
    }
  }

  /**
   * A draining node reports not ready, and the balancer sends it no new terminal: every terminal
   * opened through the balancer meanwhile lands on the other node, over more than nginx's 10 s of
   * leaving a failed node out, while the draining node still answers its own direct requests.
   */
  @Test
  void aNodeThatIsNotReadyGetsNoNewTerminalThroughTheBalancer() throws Exception {
    ClusterNodes.Node node1 = ClusterNodes.node1();
    ClusterNodes.Node node2 = ClusterNodes.node2();
    int drained = node1.post("api/admin/nodes/" + node1.name() + "/drain", ADMIN).statusCode();
    assertTrue(drained == 200 || drained == 202, "drain: " + drained);
    try {
      awaitReadiness(node1, 503);
      assertEquals(503, node1.get("health/ready", ADMIN).statusCode());
      Instant until = Instant.now().plusSeconds(12);
      int opened = 0;
      while (opened < 4 || Instant.now().isBefore(until)) {
        try (Terminal t = Terminal.unopened(ALICE).via(BALANCER)) {
          JsonObject attached = t.connect().expectAttached();
          assertEquals(node2.name(), attached.getString("node"), "terminal " + opened);
          // Routing is what is tested here (an exit through the balancer is in the test above):
          // the shell exits, whichever way its close reaches this client.
          t.type("exit\r");
          ServerProcess.awaitNoProcessOf(t.sessionId(), Duration.ofSeconds(20));
        }
        opened++;
      }
      Terminal.ticket(node1.baseUri(), ALICE); // directly, the draining node answers (201)
    } finally {
      node1.post("api/admin/nodes/" + node1.name() + "/undrain", ADMIN);
      awaitReadiness(node1, 200);
    }
  }

  private static void awaitReadiness(ClusterNodes.Node node, int status) throws Exception {
    Instant deadline = Instant.now().plusSeconds(20);
    while (node.get("health/ready", ADMIN).statusCode() != status) {
      assertTrue(Instant.now().isBefore(deadline), node.name() + " never reported " + status);
      Thread.sleep(200); // the next look
    }
  }

  @Test
  void noSpellingOfTheRelayEndpointGetsThroughTheBalancer() throws IOException {
    List<String> spellings =
        List.of(
            "/tether/ws/relay",
            "/TETHER/WS/Relay",
            "//tether//ws///relay",
            "/tether;jsessionid=x/ws/relay",
            "/tether/ws;x=1/relay",
            "/tether/ws/relay?x=1");
    for (String path : spellings) {
      assertEquals(404, handshake(PORT, path), "through the balancer: " + path);
    }
    // The nodes do serve it (to each other): the 404 comes from the balancer's rule.
    int node = ClusterNodes.node1().baseUri().getPort();
    assertNotEquals(404, handshake(node, "/tether/ws/relay"), "the node itself");
  }

  /** A WebSocket handshake with the protocol's subprotocol: the status the server answered. */
  private static int handshake(int port, String path) throws IOException {
    URI uri = URI.create("ws://127.0.0.1:" + port + path);
    try (RawWebSocket ws = RawWebSocket.open(uri, "tether.v1", new Random(7))) {
      return ws.handshake().status();
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /** Waits until nginx accepts connections (or fails if it exited, with its log). */
  private static void awaitListening(int port) throws Exception {
    for (int i = 0; i < 100; i++) {
      if (!nginx.isAlive()) {
        Path log = Path.of(System.getProperty("tether.it.cluster.dir"), "nginx", "logs");
        throw new IllegalStateException(
            "nginx exited: " + Files.readString(log.resolve("stdout.log")));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100); // polling the port: nginx gives no other sign it is ready
      }
    }
    throw new IllegalStateException("nginx did not listen on " + port);
  }
}
