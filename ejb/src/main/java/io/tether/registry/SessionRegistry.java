package io.tether.registry;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/** The records of live sessions, cluster-wide. Every change is atomic. */
public interface SessionRegistry {
  /** Adds a new session's record; false if one with that id exists. */
  boolean register(SessionRecord record);

  /** Replaces {@code expected} with {@code updated}; false if the record changed meanwhile. */
  boolean replace(SessionRecord expected, SessionRecord updated);

  /** Removes the record if it is still {@code expected}. */
  boolean remove(SessionRecord expected);

  Optional<SessionRecord> find(String id);

  /** Every record whose PTY is on {@code node}. */
  Collection<SessionRecord> ownedBy(String node);

  /** How many sessions {@code user} has, on all nodes. */
  long countOwnedBy(String user);

  /**
   * The records matching {@code query}'s filters, ordered by created then id, one page of them,
   * with the number that matched.
   */
  SessionPage list(SessionQuery query);

  /** The nodes that have at least one record. */
  Set<String> nodes();

  /** How many sessions have their PTY on each node. */
  NodeCounts countByNode();
}
