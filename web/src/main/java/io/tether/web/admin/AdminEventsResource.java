package io.tether.web.admin;

import io.tether.events.RecentEvents;
import io.tether.events.RecordedEvent;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * This node's recent session events (every node receives every event of the cluster) as a list
 * after a sequence number. The live stream of the same events is {@link EventStreamServlet}.
 */
@Path("admin/events")
@AdminOnly
public class AdminEventsResource {
  /** Names this node's numbering on list answers (see {@link RecentEvents}). */
  public static final String EPOCH_HEADER = "Tether-Events-Epoch";

  private static final int MAX_LIMIT = RecentEvents.DEFAULT_CAPACITY;

  @Inject RecentEvents recent;

  /**
   * {@code GET /api/admin/events?after=<seq>&limit=<n>}: the events held with a number above {@code
   * after} (default 0: all held), oldest first, at most {@code limit} (default and most 10,000).
   */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Response list(@QueryParam("after") String after, @QueryParam("limit") String limit) {
    long from;
    int max;
    try {
      from = after == null || after.isBlank() ? 0 : Long.parseLong(after.trim());
      max = limit == null || limit.isBlank() ? MAX_LIMIT : Integer.parseInt(limit.trim());
    } catch (NumberFormatException e) {
      return ApiError.badRequest("after and limit are whole numbers");
    }
    if (from < 0 || max < 1) {
      return ApiError.badRequest("after must be 0 or more, limit 1 or more");
    }
    List<RecordedEvent> events = recent.after(from).events();
    if (events.size() > max) {
      events = events.subList(0, max);
    }
    return Response.ok(events)
        .header(EPOCH_HEADER, recent.epoch())
        .header("Cache-Control", "no-store")
        .build();
  }
}
