package io.tether.web.admin;

import io.tether.cluster.NodeStates;
import io.tether.registry.NodeCounts;
import io.tether.registry.SessionItem;
import io.tether.registry.SessionPage;
import io.tether.registry.SessionQuery;
import io.tether.registry.SessionRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/**
 * Lists for the admin console: every session of the cluster, from the shared registry, filtered and
 * paged on the Hazelcast members; and the nodes of the cluster with their sessions and whether they
 * drain.
 */
@Path("admin")
@AdminOnly
@Produces(MediaType.APPLICATION_JSON)
public class AdminListingResource {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  /** One page of sessions; {@code total} is how many match the filters. */
  /**
   * @param partial some of the cluster did not answer in time (half a second): only the sessions
   *     this node holds itself are counted and listed
   */
  public record SessionList(
      long total, int offset, int limit, List<SessionItem> items, boolean partial) {}

  /** A member of the cluster. */
  /**
   * @param partial some of the cluster did not answer in time (half a second): {@code sessions}
   *     counts only the records this node holds itself
   */
  public record NodeItem(
      String node, String url, long sessions, boolean draining, boolean partial) {}

  @Inject SessionRegistry registry;
  @Inject NodeStates nodeStates;

  /**
   * {@code GET /api/admin/sessions?user=&node=&state=attached|detached&limit=&offset=}: sessions
   * ordered by created, then id; {@code limit} 1 to 1000 (default 100), {@code offset} 0 or more.
   */
  @GET
  @Path("sessions")
  public Response sessions(
      @QueryParam("user") String user,
      @QueryParam("node") String node,
      @QueryParam("state") String state,
      @QueryParam("limit") String limit,
      @QueryParam("offset") String offset) {
    Boolean attached;
    if (blank(state)) {
      attached = null;
    } else if ("attached".equals(state.trim())) {
      attached = true;
    } else if ("detached".equals(state.trim())) {
      attached = false;
    } else {
      return ApiError.badRequest("state is attached or detached");
    }
    int max;
    int from;
    try {
      max = blank(limit) ? DEFAULT_LIMIT : Integer.parseInt(limit.trim());
      from = blank(offset) ? 0 : Integer.parseInt(offset.trim());
    } catch (NumberFormatException e) {
      return ApiError.badRequest("limit and offset are whole numbers");
    }
    if (max < 1 || max > MAX_LIMIT || from < 0) {
      return ApiError.badRequest("limit is 1 to " + MAX_LIMIT + ", offset 0 or more");
    }
    SessionPage page =
        registry.list(
            new SessionQuery(
                blank(user) ? null : user.trim(),
                blank(node) ? null : node.trim(),
                attached,
                from,
                max));
    List<SessionItem> items = page.items().stream().map(SessionItem::of).toList();
    return Response.ok(new SessionList(page.total(), from, max, items, page.partial()))
        .header("Cache-Control", "no-store")
        .build();
  }

  /** {@code GET /api/admin/sessions/{id}}: one session, or 404 {@code no-such-session}. */
  @GET
  @Path("sessions/{id}")
  public Response session(@PathParam("id") String id) {
    return registry
        .find(id)
        .map(r -> Response.ok(SessionItem.of(r)).header("Cache-Control", "no-store").build())
        .orElseGet(
            () ->
                ApiError.response(
                    Response.Status.NOT_FOUND,
                    "no-such-session",
                    "There is no session " + id + "."));
  }

  /** {@code GET /api/admin/nodes}: the members of the cluster, by node name. */
  @GET
  @Path("nodes")
  public Response nodes() {
    Map<String, Boolean> draining = nodeStates.draining();
    NodeCounts counts = registry.countByNode();
    List<NodeItem> nodes =
        nodeStates.members().entrySet().stream()
            .map(
                m ->
                    new NodeItem(
                        m.getKey(),
                        m.getValue(),
                        counts.of(m.getKey()),
                        draining.getOrDefault(m.getKey(), false),
                        counts.partial()))
            .toList();
    return Response.ok(nodes).header("Cache-Control", "no-store").build();
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
