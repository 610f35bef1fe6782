package io.tether.registry;

import java.io.Serializable;
import java.time.Instant;

/**
 * What the cluster knows about a session. Immutable: an update is a new record, swapped in with an
 * atomic replace by the node that owns the session (the only writer).
 *
 * @param lastActivity the last input or resize, as of the last refresh
 * @param attachedClients how many clients are attached right now (0: detached); observers do not
 *     count
 * @param observers how many administrators watch it read-only
 * @param idleDeadline when the idle sweep would end the session if nothing happens (null when not
 *     known)
 * @param outputBytes how many bytes the shell has written since the session started
 * @param command what runs in the terminal's foreground (the shell itself when it waits for input)
 * @param revision 0 when registered, one more on every rewrite: tells an older snapshot of the
 *     record from a newer one
 */
public record SessionRecord(
    String id,
    String owner,
    String node,
    Instant created,
    Instant lastActivity,
    int attachedClients,
    int observers,
    int cols,
    int rows,
    Instant idleDeadline,
    long outputBytes,
    String command,
    long revision)
    implements Serializable {

  /** A record without the details only its owner knows (tests, placeholders). */
  public static SessionRecord of(
      String id, String owner, String node, Instant created, int attachedClients) {
    return new SessionRecord(
        id, owner, node, created, created, attachedClients, 0, 80, 24, null, 0, "", 0);
  }

  public String state() {
    return attachedClients > 0 ? "attached" : "detached";
  }

  /** The same record at another revision. */
  public SessionRecord withRevision(long next) {
    return new SessionRecord(
        id,
        owner,
        node,
        created,
        lastActivity,
        attachedClients,
        observers,
        cols,
        rows,
        idleDeadline,
        outputBytes,
        command,
        next);
  }
}
