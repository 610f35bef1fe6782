package io.tether.web.admin;

import io.tether.cluster.ClusterMember;
import io.tether.cluster.NodeStates;
import io.tether.events.SessionCommand;
import io.tether.events.SessionCommands;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Admin commands for sessions anywhere in the cluster. Each finds the session's owner node in the
 * registry and sends the command over JMS to that node, which carries it out and says so; the
 * answer is {@code 200} once it did, {@code 404} if there is no such session, {@code 504} if the
 * owner did not confirm in time ({@link CommandAnswers}).
 */
@Path("admin")
@AdminOnly
@Produces(MediaType.APPLICATION_JSON)
public class AdminSessionsResource {
  /** The longest notice accepted, in characters. */
  public static final int MAX_NOTICE_LENGTH = 1000;

  /** The body of a notice request. */
  public record NoticeRequest(String message) {}

  /** The answer to a command its node (or every node) carried out. */
  public record Done(String kind, String sessionId, String node) {}

  @Inject SessionRegistry registry;
  @Inject SessionCommands commands;
  @Inject ClusterMember cluster;
  @Inject NodeStates nodeStates;

  /**
   * Drains a node: it takes no new sessions (a browser opening one is sent on to another node), its
   * sessions go on and their users are told.
   */
  @POST
  @Path("nodes/{node}/drain")
  public Response drain(@PathParam("node") String node, @Context SecurityContext security) {
    return toNode(node, SessionCommand.drain(node, by(security)));
  }

  /** Lets a drained node take new sessions again. */
  @POST
  @Path("nodes/{node}/undrain")
  public Response undrain(@PathParam("node") String node, @Context SecurityContext security) {
    return toNode(node, SessionCommand.undrain(node, by(security)));
  }

  private Response toNode(String node, SessionCommand command) {
    if (!cluster.isMember(node)) {
      return ApiError.response(
          Response.Status.NOT_FOUND, "no-such-node", "There is no node " + node + ".");
    }
    return send(command, Set.of(node));
  }

  /** Ends the session; its clients are told it was ended by an administrator (4009). */
  @POST
  @Path("sessions/{id}/kill")
  public Response kill(@PathParam("id") String id, @Context SecurityContext security) {
    return toOwner(id, record -> SessionCommand.kill(id, record.node(), by(security)));
  }

  /** Closes the session's connections (4013); the session lives on and can be resumed. */
  @POST
  @Path("sessions/{id}/detach")
  public Response detach(@PathParam("id") String id, @Context SecurityContext security) {
    return toOwner(id, record -> SessionCommand.detach(id, record.node(), by(security)));
  }

  /** Shows {@code {"message": ...}} on the session's attached clients as a broadcast notice. */
  @POST
  @Path("sessions/{id}/notice")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response notice(
      @PathParam("id") String id, NoticeRequest body, @Context SecurityContext security) {
    Optional<String> invalid = invalid(body);
    if (invalid.isPresent()) {
      return ApiError.badRequest(invalid.get());
    }
    return toOwner(
        id, record -> SessionCommand.notice(id, record.node(), body.message(), by(security)));
  }

  /** Shows {@code {"message": ...}} on every attached client of every session of the cluster. */
  @POST
  @Path("notice")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response noticeAll(NoticeRequest body, @Context SecurityContext security) {
    Optional<String> invalid = invalid(body);
    if (invalid.isPresent()) {
      return ApiError.badRequest(invalid.get());
    }
    return send(
        SessionCommand.noticeAll(body.message(), by(security)), nodeStates.members().keySet());
  }

  private Response toOwner(String id, Function<SessionRecord, SessionCommand> command) {
    Optional<SessionRecord> record = registry.find(id);
    if (record.isEmpty()) {
      return ApiError.response(
          Response.Status.NOT_FOUND, "no-such-session", "There is no session " + id + ".");
    }
    return send(command.apply(record.get()), Set.of(record.get().node()));
  }

  private Response send(SessionCommand command, Set<String> nodes) {
    return CommandAnswers.send(
        commands,
        command,
        nodes,
        () -> new Done(command.kind(), command.sessionId(), command.node()),
        "The command could not be sent.");
  }

  private static Optional<String> invalid(NoticeRequest body) {
    if (body == null || body.message() == null || body.message().isBlank()) {
      return Optional.of("A notice needs a message: {\"message\": \"...\"}.");
    }
    if (body.message().length() > MAX_NOTICE_LENGTH) {
      return Optional.of("A notice is at most " + MAX_NOTICE_LENGTH + " characters.");
    }
    return Optional.empty();
  }

  private static String by(SecurityContext security) {
    return security.getUserPrincipal().getName();
  }
}
