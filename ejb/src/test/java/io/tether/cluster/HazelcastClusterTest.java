package io.tether.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.tether.protocol.CloseCode;
import io.tether.registry.SessionPage;
import io.tether.registry.SessionQuery;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import io.tether.session.EndedSessions;
import io.tether.session.SessionEnd;
import io.tether.ticket.Ticket;
import io.tether.ticket.TicketStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry, the tickets and the memory of ended sessions on a real two-member Hazelcast cluster
 * in this JVM (TCP-IP join on loopback, a cluster name of its own so no other cluster on the
 * machine can interfere).
 */
class HazelcastClusterTest {
  private static final int BASE_PORT = 5811;
  private static final String CLUSTER = "tether-test-" + UUID.randomUUID();
  private static HazelcastInstance node1;
  private static HazelcastInstance node2;
  private static final ScheduledExecutorService DECISIONS =
      Executors.newSingleThreadScheduledExecutor();

  static HazelcastInstance member(String node) {
    return member(CLUSTER, BASE_PORT, node);
  }

  /** A member of cluster {@code cluster}, whose three members' ports start at {@code basePort}. */
  private static HazelcastInstance member(String cluster, int basePort, String node) {
    Config config = new Config().setClusterName(cluster).setInstanceName(cluster + "-" + node);
    config.setProperty("hazelcast.logging.type", "none"); // keep the test output readable
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.getMemberAttributeConfig().setAttribute(NodeDepartures.NODE_ATTRIBUTE, node);
    // The registry's map as the nodes configure it, so the listings here also go through its
    // indexes.
    config.addMapConfig(HazelcastSessionRegistry.mapConfig());
    NetworkConfig network = config.getNetworkConfig().setPort(basePort).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig()
        .setEnabled(true)
        .setMembers(
            List.of(
                "127.0.0.1:" + basePort,
                "127.0.0.1:" + (basePort + 1),
                "127.0.0.1:" + (basePort + 2)));
    return Hazelcast.newHazelcastInstance(config);
  }

  @BeforeAll
  static void startCluster() {
    node1 = member("node1");
    node2 = member("node2");
    assertEquals(2, node1.getCluster().getMembers().size());
  }

  @AfterAll
  static void stopCluster() {
    node1.getLifecycleService().terminate();
    if (node2.getLifecycleService().isRunning()) {
      node2.getLifecycleService().terminate();
    }
    DECISIONS.shutdownNow();
  }

  private static SessionRecord record(String id, String owner, String node, int attached) {
    return SessionRecord.of(id, owner, node, Instant.EPOCH, attached);
  }

  @Test
  void aRecordWrittenOnOneNodeIsSeenOnTheOtherAndChangesAreAtomic() {
    SessionRegistry on1 = new HazelcastSessionRegistry(node1);
    SessionRegistry on2 = new HazelcastSessionRegistry(node2);
    SessionRecord attached = record("r-1", "carol", "node1", 1);
    assertTrue(on1.register(attached));
    assertFalse(on2.register(record("r-1", "mallory", "node2", 1)), "ids are taken once");
    assertEquals(attached, on2.find("r-1").orElseThrow());

    SessionRecord detached = record("r-1", "carol", "node1", 0);
    assertTrue(on2.replace(attached, detached));
    assertFalse(on1.replace(attached, record("r-1", "carol", "node1", 5)), "stale view loses");
    assertEquals(1, on1.countOwnedBy("carol"));
    assertEquals(List.of(detached), List.copyOf(on2.ownedBy("node1")));
    assertFalse(on1.remove(attached));
    assertTrue(on1.remove(detached));
    assertTrue(on2.find("r-1").isEmpty());
  }

  @Test
  void aTicketIssuedOnOneNodeWorksOnceOnAny() {
    TicketStore on1 = new HazelcastTicketStore(node1, Duration.ofSeconds(30));
    TicketStore on2 = new HazelcastTicketStore(node2, Duration.ofSeconds(30));
    Ticket ticket = on1.issue("carol", Set.of("user"));
    assertEquals("carol", on2.redeem(ticket.value()).orElseThrow().user());
    assertTrue(on1.redeem(ticket.value()).isEmpty());
    assertTrue(on2.redeem(ticket.value()).isEmpty());
    assertTrue(on2.redeem("never-issued").isEmpty());
  }

  @Test
  void anExpiredTicketIsRefused() throws Exception {
    TicketStore store = new HazelcastTicketStore(node1, Duration.ofMillis(300));
    Ticket ticket = store.issue("carol", Set.of("user"));
    while (!Instant.now().isAfter(ticket.expiresAt())) {
      Thread.sleep(20); // waiting for the clock itself: expiry is what is tested
    }
    assertTrue(
        new HazelcastTicketStore(node2, Duration.ofMillis(300)).redeem(ticket.value()).isEmpty());
  }

  @Test
  void whyASessionEndedIsKnownOnEveryNode() {
    EndedSessions on1 = new HazelcastEndedSessions(node1);
    EndedSessions on2 = new HazelcastEndedSessions(node2);
    on1.remember("ended-1", SessionEnd.exited(3));

    SessionEnd end = on2.find("ended-1").orElseThrow();
    assertEquals(CloseCode.SHELL_EXITED, end.code());
    assertEquals(3, end.exitCode());
    assertEquals("The shell exited with code 3.", end.reason());
    assertTrue(on2.find("never-ended").isEmpty());
  }

  /** The configured cluster: {@code size} members on consecutive ports, these tests' first. */
  private static ClusterQuorum configured(int size) {
    return configured(BASE_PORT, size);
  }

  private static ClusterQuorum configured(int basePort, int size) {
    return new ClusterQuorum(
        IntStream.range(0, size).mapToObj(i -> "127.0.0.1:" + (basePort + i)).toList());
  }

  /**
   * A third member joins and crashes: the two left are a majority of three, and each of its records
   * is removed by one of them exactly once.
   */
  @Test
  void whenANodeIsLostAMajorityRemovesItsRecordsOnceEach() throws Exception {
    SessionRegistry on1 = new HazelcastSessionRegistry(node1);
    BlockingQueue<SessionRecord> lost = new LinkedBlockingQueue<>();
    BlockingQueue<NodeLeft> left = new LinkedBlockingQueue<>();
    HazelcastInstance doomed = member("node3");
    UUID listening1 = null;
    UUID listening2 = null;
    try {
      on1.register(record("lost-1", "dave", "node3", 1));
      on1.register(record("lost-2", "erin", "node3", 0));
      on1.register(record("kept-1", "dave", "node1", 1));
      listening1 =
          node1
              .getCluster()
              .addMembershipListener(
                  new NodeDepartures(node1, configured(3), on1, DECISIONS, lost::add, left::add));
      listening2 =
          node2
              .getCluster()
              .addMembershipListener(
                  new NodeDepartures(
                      node2,
                      configured(3),
                      new HazelcastSessionRegistry(node2),
                      DECISIONS,
                      lost::add,
                      left::add));

      doomed.getLifecycleService().terminate(); // as a crash: no graceful leave

      SessionRecord first = lost.poll(30, TimeUnit.SECONDS);
      SessionRecord second = lost.poll(30, TimeUnit.SECONDS);
      assertEquals(
          Set.of("lost-1", "lost-2"), Set.of(first.id(), second.id()), "each reported once");
      assertTrue(on1.ownedBy("node3").isEmpty());
      assertTrue(on1.find("kept-1").isPresent());
      assertEquals(new NodeLeft("node3", true), left.poll(30, TimeUnit.SECONDS));
      assertEquals(null, lost.poll(500, TimeUnit.MILLISECONDS), "no record reported twice");
    } finally {
      if (doomed.getLifecycleService().isRunning()) {
        doomed.getLifecycleService().terminate();
      }
      on1.find("kept-1").ifPresent(on1::remove);
      if (listening1 != null) {
        node1.getCluster().removeMembershipListener(listening1);
      }
      if (listening2 != null) {
        node2.getCluster().removeMembershipListener(listening2);
      }
    }
  }

  /**
   * A member alone (a minority of three) that a second one joins is in a majority again, and the
   * third, gone meanwhile, is not declared lost at once: it comes back moments later, as the pieces
   * of a cluster that a thawed member splintered merge back one by one (a faults IT saw a healthy
   * node declared lost in the second between two such merges). In a cluster of its own, so that the
   * shared two members stay as they are.
   */
  @Test
  void aMajorityJustFormedWaitsForTheRestOfTheClusterBeforeDecidingAnyoneLost() throws Exception {
    String cluster = "tether-test-split-" + UUID.randomUUID();
    int basePort = BASE_PORT + 30;
    List<HazelcastInstance> members = new ArrayList<>();
    BlockingQueue<SessionRecord> lost = new LinkedBlockingQueue<>();
    BlockingQueue<NodeLeft> left = new LinkedBlockingQueue<>();
    try {
      HazelcastInstance first = member(cluster, basePort, "a1");
      members.add(first);
      SessionRegistry registry = new HazelcastSessionRegistry(first);
      registry.register(record("away-1", "dave", "a3", 1));
      NodeDepartures departures =
          new NodeDepartures(
              first, configured(basePort, 3), registry, DECISIONS, lost::add, left::add);
      first.getCluster().addMembershipListener(departures);
      assertFalse(departures.inMajority(), "1 of 3 members");

      members.add(member(cluster, basePort, "a2")); // a majority again, with a3 not a member
      assertTrue(departures.inMajority(), "2 of 3 members");
      members.add(member(cluster, basePort, "a3")); // a3 comes back
      assertEquals(3, first.getCluster().getMembers().size());

      // Every decision due by the end of the settling time has run once this task has (one
      // thread, tasks in the order of their time).
      DECISIONS
          .schedule(
              () -> {}, NodeDepartures.MAJORITY_SETTLE.toMillis() + 500, TimeUnit.MILLISECONDS)
          .get(30, TimeUnit.SECONDS);
      assertEquals(List.of(), List.copyOf(lost), "a node that came back was declared lost");
      assertEquals(List.of(), List.copyOf(left));
      assertTrue(registry.find("away-1").isPresent(), "its record was removed");
    } finally {
      members.forEach(m -> m.getLifecycleService().terminate());
    }
  }

  /**
   * The same crash in a cluster configured for five: the two left are a minority, which declares
   * nothing lost and removes no record; relays are told the node left without being lost.
   */
  @Test
  void aMinorityDeclaresNoNodeLost() throws Exception {
    SessionRegistry on1 = new HazelcastSessionRegistry(node1);
    BlockingQueue<SessionRecord> lost = new LinkedBlockingQueue<>();
    BlockingQueue<NodeLeft> left = new LinkedBlockingQueue<>();
    HazelcastInstance doomed = member("node3");
    UUID listening = null;
    try {
      on1.register(record("kept-3", "dave", "node3", 1));
      NodeDepartures departures =
          new NodeDepartures(node1, configured(5), on1, DECISIONS, lost::add, left::add);
      listening = node1.getCluster().addMembershipListener(departures);

      doomed.getLifecycleService().terminate();

      assertEquals(new NodeLeft("node3", false), left.poll(30, TimeUnit.SECONDS));
      assertFalse(departures.inMajority(), "2 of 5 members");
      assertTrue(lost.isEmpty());
      assertTrue(on1.find("kept-3").isPresent(), "a minority removes no record");
    } finally {
      if (doomed.getLifecycleService().isRunning()) {
        doomed.getLifecycleService().terminate();
      }
      on1.find("kept-3").ifPresent(on1::remove);
      if (listening != null) {
        node1.getCluster().removeMembershipListener(listening);
      }
    }
  }

  /**
   * A listing that gets no answer in time (here: no time at all) lists the records this member
   * holds itself, and says it is partial; the whole listing has them all.
   */
  @Test
  void aListingThatRunsOutOfTimeListsWhatThisMemberHoldsAndSaysSo() {
    SessionRegistry on1 = new HazelcastSessionRegistry(node1);
    SessionRegistry impatient =
        new HazelcastSessionRegistry(node1, command -> {}, Duration.ZERO); // never answers
    String user = "partial-" + UUID.randomUUID();
    List<String> ids = IntStream.range(0, 40).mapToObj(i -> "partial-" + i).toList();
    for (int i = 0; i < ids.size(); i++) {
      on1.register(created(ids.get(i), user, "node-p", 0, i));
    }
    try {
      Set<String> heldHere =
          node1.<String, SessionRecord>getMap(HazelcastSessionRegistry.MAP).localKeySet().stream()
              .filter(ids::contains)
              .collect(java.util.stream.Collectors.toSet());
      assertTrue(heldHere.size() > 0 && heldHere.size() < ids.size(), "both members hold some");

      SessionPage partial = impatient.list(new SessionQuery(user, null, null, 0, 100));
      assertTrue(partial.partial());
      assertEquals(heldHere, Set.copyOf(ids(partial)));
      assertEquals(heldHere.size(), partial.total());

      SessionPage whole = on1.list(new SessionQuery(user, null, null, 0, 100));
      assertFalse(whole.partial());
      assertEquals(ids, ids(whole));
    } finally {
      for (String id : ids) {
        on1.find(id).ifPresent(on1::remove);
      }
    }
  }

  private static SessionRecord created(String id, String owner, String node, int attached, long t) {
    Instant at = Instant.ofEpochSecond(1_700_000_000L + t);
    return SessionRecord.of(id, owner, node, at, attached);
  }

  @Test
  void aListingIsFilteredOnTheMembersOrderedByCreatedThenIdAndPaged() {
    SessionRegistry on1 = new HazelcastSessionRegistry(node1);
    SessionRegistry on2 = new HazelcastSessionRegistry(node2);
    String user = "lister-" + UUID.randomUUID();
    String other = "other-" + UUID.randomUUID();
    // Written from both members, in no particular order; b and c were created at the same time.
    assertTrue(on1.register(created("list-c", user, "node-x", 1, 2)));
    assertTrue(on2.register(created("list-a", user, "node-y", 0, 1)));
    assertTrue(on1.register(created("list-b", user, "node-x", 0, 2)));
    assertTrue(on2.register(created("list-d", user, "node-y", 2, 3)));
    assertTrue(on1.register(created("list-e", other, "node-x", 1, 0)));
    try {
      SessionPage all = on2.list(new SessionQuery(user, null, null, 0, 10));
      assertEquals(4, all.total());
      assertEquals(List.of("list-a", "list-b", "list-c", "list-d"), ids(all));

      SessionPage second = on1.list(new SessionQuery(user, null, null, 1, 2));
      assertEquals(4, second.total(), "the total is of every match, not of the page");
      assertEquals(List.of("list-b", "list-c"), ids(second));
      SessionPage past = on1.list(new SessionQuery(user, null, null, 10, 2));
      assertEquals(4, past.total());
      assertTrue(past.items().isEmpty());

      assertEquals(
          List.of("list-c", "list-d"), ids(on1.list(new SessionQuery(user, null, true, 0, 10))));
      assertEquals(
          List.of("list-a", "list-b"), ids(on2.list(new SessionQuery(user, null, false, 0, 10))));
      SessionPage xDetached = on2.list(new SessionQuery(user, "node-x", false, 0, 10));
      assertEquals(1, xDetached.total());
      assertEquals(List.of("list-b"), ids(xDetached));
      assertEquals(
          created("list-b", user, "node-x", 0, 2), xDetached.items().get(0), "whole records");

      assertEquals(3, on2.countByNode().of("node-x"));
      assertEquals(2, on1.countByNode().of("node-y"));
    } finally {
      for (String id : List.of("list-a", "list-b", "list-c", "list-d", "list-e")) {
        on1.find(id).ifPresent(on1::remove);
      }
    }
  }

  /**
   * Correctness only: how fast such a listing is belongs to the listing benchmark
   * (bench/run-listing.sh, docs/benchmark.md), which measures it beside a naive listing in the same
   * run.
   */
  @Test
  void aListingOfManyRecordsIsFilteredAndPagedCorrectly() {
    SessionRegistry on1 = new HazelcastSessionRegistry(node1);
    SessionRegistry on2 = new HazelcastSessionRegistry(node2);
    String user = "many-" + UUID.randomUUID();
    Map<String, SessionRecord> batch = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      // Every tenth record is the user's; odd ones are attached, so all of the user's are detached.
      SessionRecord r = created("many-" + i, i % 10 == 0 ? user : "crowd", "node-m", i % 2, i);
      batch.put(r.id(), r);
    }
    node1.<String, SessionRecord>getMap(HazelcastSessionRegistry.MAP).putAll(batch);
    try {
      SessionPage late = on1.list(new SessionQuery(null, "node-m", null, 9_900, 100));
      assertEquals(10_000, late.total());
      assertEquals(100, late.items().size());
      assertEquals("many-9900", late.items().get(0).id());
      assertEquals(
          IntStream.range(9_900, 10_000).mapToObj(i -> "many-" + i).toList(),
          ids(late),
          "the last page, in order of creation");
      assertEquals(batch.get("many-9950"), late.items().get(50), "whole records");

      SessionPage users = on2.list(new SessionQuery(user, null, false, 0, 1000));
      assertEquals(1000, users.total(), "every tenth is the user's, and all of those detached");
      assertEquals(1000, users.items().size());
      assertTrue(users.items().stream().allMatch(r -> r.owner().equals(user)));
      assertTrue(users.items().stream().allMatch(r -> r.attachedClients() == 0));
      assertEquals("many-0", users.items().get(0).id());
      assertEquals("many-9990", users.items().get(999).id());

      SessionPage usersLate = on1.list(new SessionQuery(user, "node-m", null, 995, 100));
      assertEquals(1000, usersLate.total());
      assertEquals(
          List.of("many-9950", "many-9960", "many-9970", "many-9980", "many-9990"),
          ids(usersLate),
          "a page past the end of the matches is cut short");
      assertEquals(0, on2.list(new SessionQuery(user, null, true, 0, 100)).total());

      SessionPage attached = on2.list(new SessionQuery(null, "node-m", true, 100, 100));
      assertEquals(5_000, attached.total(), "the odd ones");
      assertEquals("many-201", attached.items().get(0).id());
      assertEquals(100, attached.items().size());
    } finally {
      node1.getMap(HazelcastSessionRegistry.MAP).removeAll(Predicates.equal("node", "node-m"));
    }
  }

  @Test
  void drainingIsSeenOnEveryMemberAndForgottenWhenTheNodeLeaves() {
    IMap<String, Boolean> on1 = NodeStates.map(node1);
    on1.set("node-drained", true);
    assertEquals(Boolean.TRUE, NodeStates.map(node2).get("node-drained"));
    NodeStates.map(node2).delete("node-drained");
    assertFalse(on1.containsKey("node-drained"));
  }

  private static List<String> ids(SessionPage page) {
    return page.items().stream().map(SessionRecord::id).toList();
  }
}
