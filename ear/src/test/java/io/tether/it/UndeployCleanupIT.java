package io.tether.it;

import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tether.it.support.ServerProcess;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An undeploy tells every client {@code 4014}, and no shell outlives it, not even jobs that ignore
 * SIGHUP or left their process group.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class UndeployCleanupIT {
  private static final String DEPLOYMENT = "tether";

  @ArquillianResource Deployer deployer;

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void undeployingEndsEveryShellAndEverythingItStarted() throws Exception {
    deployer.deploy(DEPLOYMENT);
    Terminal first = Terminal.open(ALICE);
    Terminal second = Terminal.open(ALICE);
    first.type("(trap '' HUP; exec sleep 611) & sleep 612 & echo jobs-$((3*3))\r");
    first.awaitOutput("jobs-9");
    second.type("setsid -w sleep 613 & echo detached-$((4*4))\r");
    second.awaitOutput("detached-16");
    assertFalse(ServerProcess.processesOf(first.sessionId()).isEmpty());

    deployer.undeploy(DEPLOYMENT);

    // Every client is told the server stops, in words, before its connection goes.
    assertEquals(new Terminal.Closed(4014, "The server is shutting down."), first.awaitClosed());
    assertEquals(new Terminal.Closed(4014, "The server is shutting down."), second.awaitClosed());
    ServerProcess.awaitNoProcessOf(first.sessionId(), Duration.ofSeconds(10));
    ServerProcess.awaitNoProcessOf(second.sessionId(), Duration.ofSeconds(10));
    // Sessions of every earlier test class ended with their undeploys too.
    ServerProcess.awaitNoDescendants(Duration.ofSeconds(10));
    first.close();
    second.close();
  }
}
