package io.tether.it.cluster;

import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tether.it.support.ClusterNodes;
import io.tether.it.support.ClusterNodes.Node;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A stopping owner tells its relayed clients what it tells its own: {@code 4014} and its sentence,
 * passed through the relay by the node the client came in through, at once.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OwnerStopIT {
  private static final String OWNER = "owner-node1";
  private static final Terminal.Closed STOPPING =
      new Terminal.Closed(4014, "The server is shutting down.");

  @ArquillianResource Deployer deployer;

  private final Node node1 = ClusterNodes.node1();
  private final Node node2 = ClusterNodes.node2();

  @Deployment(name = OWNER, managed = false, testable = false)
  @TargetsContainer(ClusterNodes.NODE1)
  static EnterpriseArchive earOnNode1() {
    return TetherServer.builtEar();
  }

  @Deployment(name = "entry-node2", testable = false)
  @TargetsContainer(ClusterNodes.NODE2)
  static EnterpriseArchive earOnNode2() {
    return TetherServer.builtEar();
  }

  @Test
  void aRelayedClientOfAStoppingOwnerGetsItsStopCodeAndSentence() throws Exception {
    deployer.deploy(OWNER);
    Terminal direct = Terminal.open(node1.baseUri(), ALICE);
    Terminal relayed = Terminal.open(node1.baseUri(), ALICE);
    relayed.drop();
    JsonObject attached = relayed.via(node2.baseUri()).connect().expectAttached();
    assertEquals(node1.name(), attached.getString("node"), "relayed to the owner");
    relayed.type("echo relayed-$((6+6))\r");
    relayed.awaitOutput("relayed-12");
    Terminal.Connection throughNode2 = relayed.connection();

    deployer.undeploy(OWNER);

    assertEquals(STOPPING, direct.awaitClosed(), "the owner's own client");
    try {
      assertEquals(
          STOPPING, throughNode2.closed.get(10, TimeUnit.SECONDS), "the client relayed by node2");
    } catch (TimeoutException e) {
      throw new AssertionError("the relayed client heard nothing within 10 s of the stop", e);
    }
    direct.close();
    relayed.close();
  }
}
