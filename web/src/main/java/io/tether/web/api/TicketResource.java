package io.tether.web.api;

import io.tether.node.ShellStarter;
import io.tether.ticket.Ticket;
import io.tether.ticket.TicketStore;
import io.tether.web.admin.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Issues the single-use tickets that the terminal WebSocket's {@code hello} redeems, and has this
 * node make the sandbox of the session the ticket is likely for meanwhile.
 */
@Path("tickets")
public class TicketResource {
  /** The answer to {@code POST /api/tickets}. */
  public record Issued(String ticket, Instant expiresAt) {}

  @Inject TicketStore tickets;
  @Inject ShellStarter shells;

  @POST
  @Produces(MediaType.APPLICATION_JSON)
  public Response issue(@Context SecurityContext security) {
    Set<String> roles = new HashSet<>();
    for (String role : Set.of("user", "admin")) {
      if (security.isUserInRole(role)) {
        roles.add(role);
      }
    }
    Ticket ticket;
    try {
      ticket = tickets.issue(security.getUserPrincipal().getName(), roles);
    } catch (TicketStore.Unavailable e) {
      return ApiError.response(
          Response.Status.SERVICE_UNAVAILABLE,
          "cluster-unavailable",
          "The cluster did not answer in time; try again.");
    }
    shells.expect(ticket);
    return Response.status(Response.Status.CREATED)
        .header("Cache-Control", "no-store")
        .entity(new Issued(ticket.value(), ticket.expiresAt()))
        .build();
  }
}
