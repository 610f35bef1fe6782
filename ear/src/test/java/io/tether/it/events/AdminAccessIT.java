package io.tether.it.events;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import io.tether.it.support.TetherServer.Credentials;
import java.net.http.HttpResponse;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin API is the admin role's alone: a user gets 403 everywhere, and nothing happens. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminAccessIT {

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void usersAreRefusedEveryAdminEndpoint() {
    try (Terminal t = Terminal.open(ALICE)) {
      String session = "api/admin/sessions/" + t.sessionId();
      for (Credentials user : List.of(ALICE, BOB)) {
        assertForbidden(AdminApi.get(user, "api/admin/events"));
        assertForbidden(AdminApi.get(user, "api/admin/events?after=0"));
        assertForbidden(AdminApi.post(user, session + "/kill", null));
        assertForbidden(AdminApi.post(user, session + "/detach", null));
        assertForbidden(AdminApi.post(user, session + "/notice", AdminApi.message("boo")));
        assertForbidden(AdminApi.post(user, "api/admin/notice", AdminApi.message("boo")));
        try (EventStreamClient stream = EventStreamClient.open(user, null)) {
          assertEquals(403, stream.status(), user.user() + " on the event stream");
        }
      }

      // Nothing reached the session: no notice, no close, and it still answers.
      t.type("echo still-$((3+4))\r");
      t.awaitOutput("still-7");
      assertEquals(
          0,
          t.messages().stream().filter(m -> "notice".equals(m.getString("type"))).count(),
          t.messages().toString());
      t.exitShell();
    }
  }

  @Test
  void anAdminIsServed() {
    HttpResponse<String> response = AdminApi.get(ADMIN, "api/admin/events");

    assertEquals(200, response.statusCode(), AdminApi.describe(response));
  }

  @Test
  void withoutCredentialsTheApiIsNotServed() {
    HttpResponse<String> response = AdminApi.get(null, "api/admin/events");

    // The FORM mechanism answers a browser-less request with its login page or a redirect to it;
    // never the events.
    int status = response.statusCode();
    assertEquals(
        true,
        status == 401 || status == 302 || status == 303 || (status == 200 && isLoginPage(response)),
        AdminApi.describe(response));
  }

  private static boolean isLoginPage(HttpResponse<String> response) {
    return response.body().contains("<form") || response.body().contains("j_security_check");
  }

  private static void assertForbidden(HttpResponse<String> response) {
    assertEquals(403, response.statusCode(), AdminApi.describe(response));
  }
}
