package io.tether.registry;

import java.io.Serializable;
import java.time.Instant;

/**
 * A session as the admin API and the session events show it (JSON-B): a {@link SessionRecord} with
 * its owner called {@code user} and its state spelled out.
 */
public record SessionItem(
    String id,
    String user,
    String node,
    String state,
    int attachedClients,
    int observers,
    Instant created,
    Instant lastActivity,
    Instant idleDeadline,
    int cols,
    int rows,
    long outputBytes,
    String command,
    long revision)
    implements Serializable {

  public static SessionItem of(SessionRecord r) {
    return new SessionItem(
        r.id(),
        r.owner(),
        r.node(),
        r.state(),
        r.attachedClients(),
        r.observers(),
        r.created(),
        r.lastActivity(),
        r.idleDeadline(),
        r.cols(),
        r.rows(),
        r.outputBytes(),
        r.command(),
        r.revision());
  }
}
