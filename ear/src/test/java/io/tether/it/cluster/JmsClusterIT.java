package io.tether.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tether.it.cluster.probe.ProbeListener;
import io.tether.it.cluster.probe.ProbeServlet;
import io.tether.it.support.ClusterNodes;
import io.tether.it.support.ClusterNodes.Node;
import io.tether.it.support.TetherServer;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster's message bus, without Tether: the embedded Artemis brokers of
 * standalone-full-ha.xml, as server-config configures them (JGroups over TCPPING), form one
 * cluster, so a topic subscriber (an MDB) on every node receives what is published on any node.
 * Tether's lifecycle events and commands rely on exactly this.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class JmsClusterIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @Deployment(name = "probe-node1", testable = false)
  @TargetsContainer(ClusterNodes.NODE1)
  static WebArchive probeOnNode1() {
    return probe();
  }

  @Deployment(name = "probe-node2", testable = false)
  @TargetsContainer(ClusterNodes.NODE2)
  static WebArchive probeOnNode2() {
    return probe();
  }

  private static WebArchive probe() {
    return ShrinkWrap.create(WebArchive.class, "jms-probe.war")
        .addClasses(ProbeListener.class, ProbeServlet.class);
  }

  @Test
  void aMessagePublishedOnEitherNodeReachesTheSubscribersOfBoth() throws Exception {
    Node node1 = ClusterNodes.node1();
    Node node2 = ClusterNodes.node2();
    // A broker learns of the other's subscriber over the cluster bridge shortly after the
    // deployment: until then a message is delivered locally only. Publish until one crosses.
    String warmUp1 = "warm-up-1-" + UUID.randomUUID();
    awaitReceived(node2, () -> publish(node1, warmUp1), warmUp1);
    String warmUp2 = "warm-up-2-" + UUID.randomUUID();
    awaitReceived(node1, () -> publish(node2, warmUp2), warmUp2);

    String fromNode1 = "from-node1-" + UUID.randomUUID();
    String fromNode2 = "from-node2-" + UUID.randomUUID();
    publish(node1, fromNode1);
    publish(node2, fromNode2);

    for (Node node : List.of(node1, node2)) {
      awaitReceived(node, () -> {}, fromNode1);
      awaitReceived(node, () -> {}, fromNode2);
      List<String> received = received(node);
      assertEquals(1, received.stream().filter(fromNode1::equals).count(), node + ": " + received);
      assertEquals(1, received.stream().filter(fromNode2::equals).count(), node + ": " + received);
    }
  }

  private static void awaitReceived(Node node, Runnable meanwhile, String text)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(TIMEOUT);
    while (!received(node).contains(text)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(node.name() + " never received " + text + ": " + received(node));
      }
      meanwhile.run();
      Thread.sleep(200); // polling another process: there is no event to wait on
    }
  }

  private static void publish(Node node, String text) {
    HttpRequest request =
        HttpRequest.newBuilder(
                node.baseUri()
                    .resolve(
                        "/jms-probe/probe?text=" + URLEncoder.encode(text, StandardCharsets.UTF_8)))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> response = send(request);
    assertEquals(204, response.statusCode(), "publish on " + node.name() + ": " + response.body());
  }

  private static List<String> received(Node node) {
    HttpRequest request =
        HttpRequest.newBuilder(node.baseUri().resolve("/jms-probe/probe"))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    HttpResponse<String> response = send(request);
    assertEquals(200, response.statusCode(), "received on " + node.name());
    return response.body().lines().toList();
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return TetherServer.httpClient().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
