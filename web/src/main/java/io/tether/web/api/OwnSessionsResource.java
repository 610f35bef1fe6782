package io.tether.web.api;

import io.tether.events.SessionCommand;
import io.tether.events.SessionCommands;
import io.tether.registry.SessionItem;
import io.tether.registry.SessionQuery;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import io.tether.web.admin.ApiError;
import io.tether.web.admin.CommandAnswers;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The caller's own sessions, on every node of the cluster, for the terminal page's sessions panel;
 * and ending one of them (an {@code end} command to the owner node over JMS; its clients are told
 * {@code ended-by-user}, 4020, not an administrator's {@code killed-by-admin}). Only the caller's
 * own sessions are listed or ended, whatever roles it has.
 */
@Path("sessions")
@Produces(MediaType.APPLICATION_JSON)
public class OwnSessionsResource {
  /** More than the per-user limit allows; a listing never pages. */
  public static final int MAX_LISTED = 1000;

  private static final Logger LOG = Logger.getLogger(OwnSessionsResource.class.getName());

  /** The caller's sessions, oldest first. */
  public record OwnSessions(String user, List<SessionItem> items) {}

  /** The answer to an end its node carried out. */
  public record Ending(String sessionId, String node) {}

  @Inject SessionRegistry registry;
  @Inject SessionCommands commands;

  /** {@code GET /api/sessions}: the caller's sessions, ordered by created, then id. */
  @GET
  public Response list(@Context SecurityContext security) {
    String user = security.getUserPrincipal().getName();
    List<SessionItem> items =
        registry.list(new SessionQuery(user, null, null, 0, MAX_LISTED)).items().stream()
            .map(SessionItem::of)
            .toList();
    return Response.ok(new OwnSessions(user, items)).header("Cache-Control", "no-store").build();
  }

  /**
   * {@code POST /api/sessions/{id}/end}: ends one of the caller's sessions: {@code 200} once the
   * owner node ended it, {@code 404 no-such-session}, {@code 403 not-your-session} for anyone
   * else's, {@code 504 command-unconfirmed} if the owner did not confirm in time ({@link
   * CommandAnswers}).
   */
  @POST
  @Path("{id}/end")
  public Response end(@PathParam("id") String id, @Context SecurityContext security) {
    String user = security.getUserPrincipal().getName();
    Optional<SessionRecord> record = registry.find(id);
    if (record.isEmpty()) {
      return ApiError.response(
          Response.Status.NOT_FOUND, "no-such-session", "There is no session " + id + ".");
    }
    if (!record.get().owner().equals(user)) {
      LOG.info(() -> user + " refused ending session " + id + " of " + record.get().owner());
      return ApiError.response(
          Response.Status.FORBIDDEN, "not-your-session", "That session belongs to another user.");
    }
    SessionCommand end = SessionCommand.end(id, record.get().node(), user);
    return CommandAnswers.send(
        commands,
        end,
        Set.of(end.node()),
        () -> new Ending(id, end.node()),
        "The session could not be ended.");
  }
}
