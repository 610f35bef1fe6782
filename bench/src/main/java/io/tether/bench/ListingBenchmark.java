package io.tether.bench;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.tether.cluster.HazelcastSessionRegistry;
import io.tether.registry.SessionPage;
import io.tether.registry.SessionQuery;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The admin console's listing of the cluster's sessions ({@link HazelcastSessionRegistry#list}),
 * beside a naive listing measured in the same run: two Hazelcast members in this JVM on loopback,
 * the registry's map configured as on a node (its indexes included), N session records, and the
 * console's queries timed both ways. Not a test: it prints figures, no pass/fail. Run it with
 * bench/run-listing.sh.
 *
 * <p>Settings (system properties):
 *
 * <ul>
 *   <li>{@code listing.sizes}: how many records, comma-separated, one table each (default
 *       10000,1000,50000: the requirement's 10,000 first)
 *   <li>{@code listing.rounds}: timed rounds per query and side (default 30)
 *   <li>{@code listing.warmup}: untimed rounds per query and side before them (default 10)
 *   <li>{@code listing.port}: the first member's port; the second takes the next (default 5901)
 * </ul>
 */
public final class ListingBenchmark {
  /** The console's page size. */
  private static final int PAGE = 100;

  /** The user of the filtered query: owns every tenth record (a shared service account). */
  private static final String HEAVY_USER = "ops";

  private static final int NODES = 4;

  /**
   * Hazelcast logs through java.util.logging here; its INFO lines (joins, migrations) would bury
   * the tables. Held in a field: the logging framework only keeps weak references to loggers.
   */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  private ListingBenchmark() {}

  /** One of the console's queries, for a map of {@code size} records. */
  private record Case(String name, SessionQuery query) {}

  /** Median and p90 of one side of one case, in milliseconds. */
  private record Figures(double median, double p90) {}

  public static void main(String[] args) {
    List<Integer> sizes =
        Arrays.stream(System.getProperty("listing.sizes", "10000,1000,50000").split(","))
            .map(String::trim)
            .map(Integer::parseInt)
            .toList();
    int rounds = Integer.getInteger("listing.rounds", 30);
    int warmup = Integer.getInteger("listing.warmup", 10);
    int port = Integer.getInteger("listing.port", 5901);
    HAZELCAST_LOG.setLevel(Level.WARNING);
    Locale.setDefault(Locale.ROOT); // decimal points in the tables, whatever the machine's locale

    System.out.printf(
        "Tether listing benchmark, %s%n",
        LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
    System.out.printf(
        "Java %s, %d CPUs, max heap %d MB, load average %.2f at start%n",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() / (1024 * 1024),
        loadAverage());
    System.out.printf(
        "2 members on 127.0.0.1:%d and :%d; %d warm-up and %d timed rounds per query and side,"
            + " the two sides taking turns%n",
        port, port + 1, warmup, rounds);

    // A cluster name of its own: this benchmark must never join (or be joined by) anything else.
    String cluster = "tether-listing-bench-" + UUID.randomUUID();
    HazelcastInstance first = null;
    HazelcastInstance second = null;
    try {
      first = member(cluster, "bench1", port, port);
      second = member(cluster, "bench2", port + 1, port);
      if (first.getCluster().getMembers().size() != 2) {
        throw new IllegalStateException(
            "the members did not form one cluster: " + first.getCluster().getMembers());
      }
      // The console's node is a member, as on a real node; half of the partitions are on the other.
      SessionRegistry registry = new HazelcastSessionRegistry(first);
      IMap<String, SessionRecord> map = first.getMap(HazelcastSessionRegistry.MAP);
      for (int size : sizes) {
        map.clear();
        fill(map, size);
        measure(registry, map, size, rounds, warmup);
      }
      map.clear();
    } finally {
      // Graceful: each member hands its partitions over and stops its threads, so the JVM ends.
      if (second != null) {
        second.shutdown();
      }
      if (first != null) {
        first.shutdown();
      }
    }
    System.out.printf("%nLoad average %.2f at the end%n", loadAverage());
  }

  /**
   * A member as io.tether.cluster.HazelcastMemberConfig builds one (TCP-IP join on loopback, no
   * multicast, no auto-detection, a fixed port), with the registry's map configuration of the
   * nodes.
   */
  private static HazelcastInstance member(String cluster, String name, int port, int seed) {
    Config config = new Config().setClusterName(cluster).setInstanceName(cluster + "-" + name);
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    NetworkConfig network = config.getNetworkConfig();
    // No auto-increment: a taken port fails the start instead of moving somewhere unexpected.
    network.setPort(port).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1:" + seed));
    config.addMapConfig(HazelcastSessionRegistry.mapConfig());
    return Hazelcast.newHazelcastInstance(config);
  }

  /**
   * {@code size} records: every tenth is {@link #HEAVY_USER}'s, the others spread over size/10
   * users (about nine sessions each); nodes node1 to node4 at random; about 30% attached (some with
   * two clients); created at random within the last week, so the map's order is not the listing's.
   * Seeded: every run lists the same records.
   */
  private static void fill(IMap<String, SessionRecord> map, int size) {
    Random random = new Random(42);
    Instant now = Instant.now();
    int users = Math.max(1, size / 10);
    Map<String, SessionRecord> batch = new HashMap<>();
    for (int i = 0; i < size; i++) {
      byte[] bits = new byte[16];
      random.nextBytes(bits);
      // Ids as SessionLauncher makes them: 16 random bytes, URL-safe Base64.
      String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
      String owner = i % 10 == 0 ? HEAVY_USER : "user-" + random.nextInt(users);
      String node = "node" + (1 + random.nextInt(NODES));
      int attached = random.nextInt(10) < 3 ? (random.nextInt(5) == 0 ? 2 : 1) : 0;
      Instant created = now.minusSeconds(random.nextInt(7 * 24 * 3600));
      batch.put(id, SessionRecord.of(id, owner, node, created, attached));
      if (batch.size() == 1000) {
        map.putAll(batch);
        batch.clear();
      }
    }
    map.putAll(batch);
    if (map.size() != size) {
      throw new IllegalStateException(map.size() + " records in the map, not " + size);
    }
  }

  private static void measure(
      SessionRegistry registry, IMap<String, SessionRecord> map, int size, int rounds, int warmup) {
    List<Case> cases =
        List.of(
            new Case("first page", new SessionQuery(null, null, null, 0, PAGE)),
            new Case(
                "late page (offset N-100)",
                new SessionQuery(null, null, null, Math.max(0, size - PAGE), PAGE)),
            new Case("one user (1 in 10)", new SessionQuery(HEAVY_USER, null, null, 0, PAGE)),
            new Case("node2 + attached", new SessionQuery(null, "node2", true, 0, PAGE)));

    System.out.printf("%nN = %,d records (times in ms: median / p90 of %d rounds)%n", size, rounds);
    System.out.printf(
        "%-26s %8s %17s %17s %13s%n", "query", "matches", "Tether", "naive", "naive/Tether");
    for (Case c : cases) {
      // Both sides must list the same page, or the comparison is meaningless.
      SessionPage expected = naive(map, c.query());
      SessionPage actual = registry.list(c.query());
      if (!expected.equals(actual)) {
        throw new IllegalStateException(
            c.name() + ": the registry's page differs from the naive listing's");
      }
      for (int i = 0; i < warmup; i++) {
        registry.list(c.query());
        naive(map, c.query());
      }
      long[] tether = new long[rounds];
      long[] naive = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        // Taking turns, and swapping who goes first, spreads the machine's noise over both sides.
        if (i % 2 == 0) {
          tether[i] = time(() -> registry.list(c.query()));
          naive[i] = time(() -> naive(map, c.query()));
        } else {
          naive[i] = time(() -> naive(map, c.query()));
          tether[i] = time(() -> registry.list(c.query()));
        }
      }
      Figures t = figures(tether);
      Figures n = figures(naive);
      System.out.printf(
          "%-26s %8d %8.2f / %6.2f %8.2f / %6.2f %12.1fx%n",
          c.name(),
          expected.total(),
          t.median(),
          t.p90(),
          n.median(),
          n.p90(),
          n.median() / t.median());
    }
  }

  /**
   * What a console without the registry's listing would do: fetch every record to this node, filter
   * and sort here, then cut the page.
   */
  private static SessionPage naive(IMap<String, SessionRecord> map, SessionQuery query) {
    List<SessionRecord> matching = new ArrayList<>();
    for (SessionRecord record : map.values()) {
      if (query.matches(record)) {
        matching.add(record);
      }
    }
    matching.sort(SessionQuery::compare);
    int from = Math.min(query.offset(), matching.size());
    int to = (int) Math.min((long) from + query.limit(), matching.size());
    return new SessionPage(List.copyOf(matching.subList(from, to)), matching.size());
  }

  private static long time(Runnable listing) {
    long started = System.nanoTime();
    listing.run();
    return System.nanoTime() - started;
  }

  private static Figures figures(long[] nanos) {
    List<Double> millis = Arrays.stream(nanos).mapToObj(n -> n / 1e6).toList();
    return new Figures(Stats.median(millis), Stats.percentile(nanos, 90) / 1e6);
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
