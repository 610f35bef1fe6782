package io.tether.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.ServerLog;
import io.tether.it.support.TetherServer;
import io.tether.it.support.TetherServer.Credentials;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The built EAR deploys on the provisioned WildFly, its web module answers at /tether/, and its
 * container-managed security checks the ApplicationRealm users that server-config provisions.
 *
 * <p>Without the deployment, WildFly's welcome content answers /tether/ with a plain 404 and never
 * asks for credentials; each test tells the two apart.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DeploymentSmokeIT {

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void loginPageIsServedWithoutCredentials() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(TetherServer.uri("login.html"))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();

    HttpResponse<String> response =
        TetherServer.httpClient().send(request, HttpResponse.BodyHandlers.ofString());

    assertEquals(200, response.statusCode(), describe(response));
  }

  @Test
  void contextRootIsServedToAProvisionedUser() throws Exception {
    HttpResponse<String> response = getRoot(TetherServer.ALICE);

    // A page (200), a redirect (30x), or 403 while the WAR has no welcome page (no directory
    // listing): never 404 (not deployed), 401 (credentials refused) or a server error.
    int status = response.statusCode();
    assertTrue(status != 404 && status != 401 && status < 500, describe(response));
  }

  @Test
  void wrongPasswordIsChallengedWithTheApplicationRealm() throws Exception {
    HttpResponse<String> response = getRoot(new Credentials("alice", "not-her-password"));

    // BASIC?silent=true challenges a request that sent Basic credentials; the body is the FORM
    // mechanism's login page, so the status is 401 once the WAR has one.
    List<String> challenges = response.headers().allValues("WWW-Authenticate");
    assertTrue(
        challenges.contains("Basic realm=\"ApplicationRealm\""),
        describe(response) + ", WWW-Authenticate " + challenges);
    assertTrue(response.statusCode() >= 400, describe(response));
  }

  /**
   * Hazelcast (started by the deployment) has the JDK internals it asks for: without them it warns
   * at every start, listing the JVM options it wants.
   */
  @Test
  void hazelcastStartsWithoutAskingForJdkInternals() throws Exception {
    ServerLog.awaitLine("\\[tether\\] \\[[0-9.]+\\] .* is STARTED", Duration.ofSeconds(30));
    String log = ServerLog.read();
    String thisStart = log.substring(Math.max(0, log.lastIndexOf("WFLYSRV0049")));
    assertFalse(
        thisStart.contains("Hazelcast is starting in a Java modular environment"),
        "Hazelcast warned that it lacks JDK access: the IT server's JVM options miss what it asks"
            + " for");
  }

  private static HttpResponse<String> getRoot(Credentials credentials) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(TetherServer.baseUri())
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", credentials.basicAuthorization())
            .GET()
            .build();
    return TetherServer.httpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String describe(HttpResponse<?> response) {
    return "GET " + response.uri() + " -> " + response.statusCode();
  }
}
