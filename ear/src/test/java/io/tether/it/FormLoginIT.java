package io.tether.it;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.TetherServer;
import io.tether.it.support.TetherServer.Credentials;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The login form as a browser uses it, on whichever server the ITs run: the page asked for is
 * answered with the login page, the form's post leads back to it, and the login then holds for the
 * HTTP session with the user's roles, for as many requests as the session lasts.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FormLoginIT {

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  /** A browser: it keeps cookies and does not follow redirects by itself. */
  private final HttpClient browser =
      HttpClient.newBuilder()
          .cookieHandler(new CookieManager())
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @Test
  void theFormLeadsBackToThePageAskedForAndTheLoginHoldsWithItsRoles() throws Exception {
    HttpResponse<String> asked = get("admin.html");
    assertEquals(200, asked.statusCode(), describe(asked));
    assertTrue(asked.body().contains("j_security_check"), "the login page: " + asked.body());

    HttpResponse<String> login = logIn(ADMIN);
    assertEquals(302, login.statusCode(), describe(login));
    assertEquals(
        TetherServer.uri("admin.html").getPath(),
        java.net.URI.create(login.headers().firstValue("Location").orElseThrow()).getPath());

    // More requests than WildFly's brute-force protection allows failed attempts (ten): a login
    // kept in the session must never count as one, or the user is locked out mid-session.
    for (int i = 0; i < 15; i++) {
      HttpResponse<String> me = get("api/me");
      assertEquals(200, me.statusCode(), describe(me) + " (request " + (i + 1) + ")");
      assertTrue(me.body().contains("\"admin\":true"), me.body());
    }
    HttpResponse<String> adminApi = get("api/admin/sessions");
    assertEquals(200, adminApi.statusCode(), describe(adminApi));

    // The same user over HTTP Basic, afterwards: not locked out.
    HttpResponse<String> basic =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(TetherServer.uri("api/me"))
                    .header("Authorization", ADMIN.basicAuthorization())
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, basic.statusCode(), describe(basic));
  }

  @Test
  void aUserLoggedInByTheFormHasNoAdminRole() throws Exception {
    assertEquals(302, logIn(BOB).statusCode());

    HttpResponse<String> me = get("api/me");
    assertEquals(200, me.statusCode(), describe(me));
    assertTrue(me.body().contains("\"user\":\"bob\""), me.body());
    HttpResponse<String> adminApi = get("api/admin/sessions");
    assertEquals(403, adminApi.statusCode(), describe(adminApi));
  }

  @Test
  void aWrongPasswordLeadsToTheErrorPageAndLogsNobodyIn() throws Exception {
    HttpResponse<String> login = logIn(new Credentials("bob", "not-his-password"));

    assertEquals(302, login.statusCode(), describe(login));
    assertTrue(
        login.headers().firstValue("Location").orElseThrow().endsWith("/login-error.html"),
        login.headers().toString());
    HttpResponse<String> me = get("api/me");
    assertTrue(me.body().contains("j_security_check"), "still the login page: " + me.body());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return browser.send(
        HttpRequest.newBuilder(TetherServer.uri(path))
            .header("Accept", "text/html,application/json")
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> logIn(Credentials user) throws Exception {
    String form =
        "j_username="
            + URLEncoder.encode(user.user(), StandardCharsets.UTF_8)
            + "&j_password="
            + URLEncoder.encode(user.password(), StandardCharsets.UTF_8);
    return browser.send(
        HttpRequest.newBuilder(TetherServer.uri("j_security_check"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String describe(HttpResponse<?> response) {
    return response.request().method() + " " + response.uri() + " -> " + response.statusCode();
  }
}
