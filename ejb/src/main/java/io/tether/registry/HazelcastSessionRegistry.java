package io.tether.registry;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The session registry in a Hazelcast map, shared by every node of the cluster. Every change is a
 * single atomic map operation ({@code putIfAbsent}, {@code replace(k, old, new)}, {@code remove(k,
 * v)}), never a get followed by a put.
 */
public final class HazelcastSessionRegistry implements SessionRegistry {
  public static final String MAP = "tether.sessions";

  private final IMap<String, SessionRecord> records;

  public HazelcastSessionRegistry(HazelcastInstance hazelcast) {
    this.records = hazelcast.getMap(MAP);
  }

  @Override
  public boolean register(SessionRecord record) {
    return records.putIfAbsent(record.id(), record) == null;
  }

  @Override
  public boolean replace(SessionRecord expected, SessionRecord updated) {
    return records.replace(expected.id(), expected, updated);
  }

  @Override
  public boolean remove(SessionRecord expected) {
    return records.remove(expected.id(), expected);
  }

  @Override
  public Optional<SessionRecord> find(String id) {
    return Optional.ofNullable(records.get(id));
  }

  @Override
  public Collection<SessionRecord> ownedBy(String node) {
    return List.copyOf(records.values(Predicates.equal("node", node)));
  }

  @Override
  public long countOwnedBy(String user) {
    return records.aggregate(Aggregators.count(), Predicates.equal("owner", user));
  }
}
