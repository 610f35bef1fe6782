package io.tether.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemorySessionRegistryTest {
  private final SessionRegistry registry = new InMemorySessionRegistry();
  private final SessionRecord record =
      new SessionRecord("s1", "alice", "node1", Instant.EPOCH, Instant.EPOCH, 1, 80, 24);

  @Test
  void changesAreConditionalOnWhatTheCallerSaw() {
    assertTrue(registry.register(record));
    assertFalse(registry.register(record));
    SessionRecord detached =
        new SessionRecord("s1", "alice", "node1", Instant.EPOCH, Instant.EPOCH, 0, 80, 24);
    assertTrue(registry.replace(record, detached));
    assertFalse(registry.replace(record, detached), "a stale expectation must not win");
    assertFalse(registry.remove(record));
    assertEquals(1, registry.countOwnedBy("alice"));
    assertEquals(1, registry.ownedBy("node1").size());
    assertTrue(registry.remove(detached));
    assertTrue(registry.find("s1").isEmpty());
  }
}
