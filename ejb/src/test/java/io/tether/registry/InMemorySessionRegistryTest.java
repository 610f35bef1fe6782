package io.tether.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemorySessionRegistryTest {
  private final SessionRegistry registry = new InMemorySessionRegistry();
  private final SessionRecord record = SessionRecord.of("s1", "alice", "node1", Instant.EPOCH, 1);

  @Test
  void changesAreConditionalOnWhatTheCallerSaw() {
    assertTrue(registry.register(record));
    assertFalse(registry.register(record));
    SessionRecord detached = SessionRecord.of("s1", "alice", "node1", Instant.EPOCH, 0);
    assertTrue(registry.replace(record, detached));
    assertFalse(registry.replace(record, detached), "a stale expectation must not win");
    assertFalse(registry.remove(record));
    assertEquals(1, registry.countOwnedBy("alice"));
    assertEquals(1, registry.ownedBy("node1").size());
    assertTrue(registry.remove(detached));
    assertTrue(registry.find("s1").isEmpty());
  }

  private static SessionRecord at(String id, String owner, String node, int attached, long t) {
    Instant created = Instant.ofEpochSecond(t);
    return SessionRecord.of(id, owner, node, created, attached);
  }

  @Test
  void aListingIsFilteredOrderedByCreatedThenIdAndPaged() {
    registry.register(at("c", "alice", "n1", 1, 2));
    registry.register(at("a", "alice", "n2", 0, 1));
    registry.register(at("b", "alice", "n1", 0, 2));
    registry.register(at("z", "bob", "n1", 1, 0));

    SessionPage alice = registry.list(new SessionQuery("alice", null, null, 0, 10));
    assertEquals(3, alice.total());
    assertEquals(List.of("a", "b", "c"), alice.items().stream().map(SessionRecord::id).toList());
    SessionPage page = registry.list(new SessionQuery(null, null, null, 1, 2));
    assertEquals(4, page.total());
    assertEquals(List.of("a", "b"), page.items().stream().map(SessionRecord::id).toList());
    assertEquals(0, registry.list(new SessionQuery(null, null, null, 9, 2)).items().size());
    SessionPage n1Detached = registry.list(new SessionQuery(null, "n1", false, 0, 10));
    assertEquals(List.of(at("b", "alice", "n1", 0, 2)), n1Detached.items());
    assertEquals(2, registry.list(new SessionQuery(null, null, true, 0, 10)).total());
    assertEquals(3, registry.countByNode().of("n1"));
  }
}
