package io.tether.web.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/** Who the caller is, for the page's header. */
@Path("me")
public class MeResource {
  /** The caller's name and whether it may use the admin console. */
  public record Me(String user, boolean admin) {}

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Me me(@Context SecurityContext security) {
    return new Me(security.getUserPrincipal().getName(), security.isUserInRole("admin"));
  }
}
