package io.tether.web.api;

import io.tether.config.TetherSettings;
import io.tether.node.ShellStarter;
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
  @Inject ShellStarter starter;

  /**
   * The caller's name, whether it may use the admin console, and how this node runs shells: {@code
   * accounts} (each user's own account, sandboxed) or {@code unsafe-single-user} (the server's own
   * account; the admin console warns about it); how shells reach the network: {@code none} (a
   * loopback of their own), {@code guarded} (the machine's network, this node's internal ports
   * closed to them), {@code unguarded} (some internal port open to them; the admin console warns
   * about it), {@code unchecked}, or {@code server} (the unsafe mode); and what observing a session
   * takes: {@code notify} (the user is told) or {@code consent} (the user must agree first; the
   * admin console says so).
   */
  public record Me(
      String user, boolean admin, String shells, String shellNetwork, String observe) {}

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Me me(@Context SecurityContext security) {
    return new Me(
        security.getUserPrincipal().getName(),
        security.isUserInRole("admin"),
        settings.isolationMode(),
        starter.shellNetwork().name().toLowerCase(java.util.Locale.ROOT),
        settings.observeNeedsConsent() ? "consent" : "notify");
  }
}
