package io.tether.cluster;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.projection.Projections;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import io.tether.registry.NodeCounts;
import io.tether.registry.SessionPage;
import io.tether.registry.SessionQuery;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;

/**
 * The session registry in a Hazelcast map, shared by every node of the cluster. Every change is a
 * single atomic map operation ({@code putIfAbsent}, {@code replace(k, old, new)}, {@code remove(k,
 * v)}), never a get followed by a put.
 */
public final class HazelcastSessionRegistry implements SessionRegistry {
  public static final String MAP = "tether.sessions";

  private final IMap<String, SessionRecord> records;
  private final Executor queries;
  private final Duration bound;

  /**
   * The map's configuration: one backup, and indexes for the admin listing's filters and the
   * per-user and per-node counts. Public so that the listing benchmark (bench module) measures the
   * very indexes a node runs with.
   */
  public static MapConfig mapConfig() {
    return new MapConfig(MAP)
        .setBackupCount(1)
        .addIndexConfig(new IndexConfig(IndexType.HASH, "owner"))
        .addIndexConfig(new IndexConfig(IndexType.HASH, "node"));
  }

  /**
   * @param queries runs the listings' cluster-wide queries
   * @param bound how long a listing waits for them before it lists what this member holds
   */
  public HazelcastSessionRegistry(HazelcastInstance hazelcast, Executor queries, Duration bound) {
    this.records = hazelcast.getMap(MAP);
    this.queries = queries;
    this.bound = bound;
  }

  /** Listings wait a minute, on the common pool: for tests and benchmarks outside a server. */
  public HazelcastSessionRegistry(HazelcastInstance hazelcast) {
    this(hazelcast, ForkJoinPool.commonPool(), Duration.ofMinutes(1));
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

  /**
   * The members filter (predicates on owner, node, attachedClients) and send back only each match's
   * sort key (created, id); this node sorts the keys, takes the page and fetches just its records.
   * A record removed between the two steps is left out of its page. If the cluster does not answer
   * within its bound (half a second on a node; a member froze and is not removed yet), the page is
   * made of the records this member holds itself, and says it is partial.
   */
  @Override
  public SessionPage list(SessionQuery query) {
    return TimeBound.orHeldHere(
        () ->
            page(
                records.project(Projections.multiAttribute("created", "id"), predicate(query)),
                query,
                false),
        () ->
            page(
                heldHere(predicate(query)).stream()
                    .map(r -> new Object[] {r.created(), r.id()})
                    .toList(),
                query,
                true),
        queries,
        bound,
        "a session listing");
  }

  /** The matching records of this member's own partitions: read here, waiting for no other. */
  private List<SessionRecord> heldHere(Predicate<String, SessionRecord> predicate) {
    List<SessionRecord> held = new ArrayList<>();
    for (String id : records.localKeySet(predicate)) {
      SessionRecord record = records.get(id); // local: its partition is owned here
      if (record != null) {
        held.add(record);
      }
    }
    return held;
  }

  private SessionPage page(Collection<Object[]> keys, SessionQuery query, boolean partial) {
    List<Object[]> sorted = new ArrayList<>(keys);
    sorted.sort(
        Comparator.comparing((Object[] k) -> (Instant) k[0]).thenComparing(k -> (String) k[1]));
    int from = Math.min(query.offset(), sorted.size());
    int to = (int) Math.min((long) from + query.limit(), sorted.size());
    List<String> ids = sorted.subList(from, to).stream().map(k -> (String) k[1]).toList();
    Map<String, SessionRecord> found = ids.isEmpty() ? Map.of() : records.getAll(Set.copyOf(ids));
    List<SessionRecord> page = new ArrayList<>(ids.size());
    for (String id : ids) {
      SessionRecord record = found.get(id);
      if (record != null) {
        page.add(record);
      }
    }
    return new SessionPage(page, sorted.size(), partial);
  }

  @Override
  public Set<String> nodes() {
    return Set.copyOf(nodeOfEach());
  }

  /** As a listing, one query, within the same bound, else what this member holds itself. */
  @Override
  public NodeCounts countByNode() {
    return TimeBound.orHeldHere(
        () -> new NodeCounts(countEach(nodeOfEach()), false),
        () ->
            new NodeCounts(
                countEach(
                    heldHere(Predicates.alwaysTrue()).stream().map(SessionRecord::node).toList()),
                true),
        queries,
        bound,
        "counting sessions by node");
  }

  private Collection<String> nodeOfEach() {
    return records.project(
        Projections.<Map.Entry<String, SessionRecord>, String>singleAttribute("node"));
  }

  private static Map<String, Long> countEach(Collection<String> nodes) {
    return nodes.stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
  }

  private static Predicate<String, SessionRecord> predicate(SessionQuery query) {
    List<Predicate<String, SessionRecord>> all = new ArrayList<>();
    if (query.user() != null) {
      all.add(Predicates.equal("owner", query.user()));
    }
    if (query.node() != null) {
      all.add(Predicates.equal("node", query.node()));
    }
    if (query.attached() != null) {
      all.add(
          query.attached()
              ? Predicates.greaterThan("attachedClients", 0)
              : Predicates.equal("attachedClients", 0));
    }
    if (all.isEmpty()) {
      return Predicates.alwaysTrue();
    }
    return all.size() == 1 ? all.get(0) : Predicates.and(all.toArray(Predicate[]::new));
  }
}
