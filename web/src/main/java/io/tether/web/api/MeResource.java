package io.tether.web.api;

import io.tether.config.TetherSettings;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/** Who the caller is, for the page's header. */
@Path("me")
public class MeResource {
  @Inject TetherSettings settings;

  /**
   * The caller's name, whether it may use the admin console, and how this node runs shells: {@code
   * accounts} (each user's own account, sandboxed) or {@code unsafe-single-user} (the server's own
   * account; the admin console warns about it); and what observing a session takes: {@code notify}
   * (the user is told) or {@code consent} (the user must agree first; the admin console says so).
   */
  public record Me(String user, boolean admin, String shells, String observe) {}

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Me me(@Context SecurityContext security) {
    return new Me(
        security.getUserPrincipal().getName(),
        security.isUserInRole("admin"),
        settings.isolationMode(),
        settings.observeNeedsConsent() ? "consent" : "notify");
  }
}
