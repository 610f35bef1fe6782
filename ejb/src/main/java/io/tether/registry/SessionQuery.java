package io.tether.registry;

/**
 * Which session records to list and which page of them: every filter that is null matches all.
 * Records are ordered by {@code created}, then {@code id}, so pages are stable while records stay.
 *
 * @param user only sessions owned by this user
 * @param node only sessions whose PTY is on this node
 * @param attached true: only attached sessions (1 or more clients); false: only detached ones
 * @param offset how many matching records to skip (0 or more)
 * @param limit the most records in the page (1 or more)
 */
public record SessionQuery(String user, String node, Boolean attached, int offset, int limit) {
  public SessionQuery {
    if (offset < 0 || limit < 1) {
      throw new IllegalArgumentException("offset must be 0 or more, limit 1 or more");
    }
  }

  /** Whether {@code record} passes the filters (not the paging). */
  public boolean matches(SessionRecord record) {
    return (user == null || user.equals(record.owner()))
        && (node == null || node.equals(record.node()))
        && (attached == null || attached == record.attachedClients() > 0);
  }

  /** The order of a listing: created, then id. */
  public static int compare(SessionRecord a, SessionRecord b) {
    int byCreated = a.created().compareTo(b.created());
    return byCreated != 0 ? byCreated : a.id().compareTo(b.id());
  }
}
