package io.tether.registry;

import java.io.Serializable;
import java.time.Instant;

/**
 * What the cluster knows about a session. Immutable: an update is a new record, swapped in with an
 * atomic replace.
 *
 * @param attachedClients how many clients are attached right now (0: detached)
 */
public record SessionRecord(
    String id,
    String owner,
    String node,
    Instant created,
    Instant lastActivity,
    int attachedClients,
    int cols,
    int rows)
    implements Serializable {

  public String state() {
    return attachedClients > 0 ? "attached" : "detached";
  }
}
