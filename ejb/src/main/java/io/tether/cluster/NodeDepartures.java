package io.tether.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Decides what a member's departure means (it stopped, crashed, or was declared dead after missed
 * heartbeats, or this node was cut off from it). Only a majority of the configured cluster ({@link
 * ClusterQuorum}) declares a node lost: it removes that node's records (entries of a dead member
 * survive in Hazelcast's backups, so without this they would live on as ghosts), each exactly once
 * across the survivors. A node in a minority decides nothing and waits; when it is in a majority
 * again, and the majority has held for {@link #MAJORITY_SETTLE}, it removes the records of the
 * nodes that left meanwhile and have not come back. Hazelcast calls listeners on its own event
 * threads, so this hands every decision to a scheduler.
 */
public final class NodeDepartures implements MembershipListener {
  /** The member attribute that carries a member's Tether node name. */
  public static final String NODE_ATTRIBUTE = "tether.node";

  /**
   * How long a departure stands before it is decided: a member that thaws after a freeze drops the
   * others one by one, and must not take what is left after the first for a majority.
   */
  static final Duration DECISION_DELAY = Duration.ofSeconds(2);

  /**
   * How long a majority must have held before it declares anyone lost. A majority that has just
   * formed may be the first pieces of a cluster that a thawed member splintered, merging back one
   * by one: the halves look for each other every five seconds ({@code HazelcastMemberConfig}), so a
   * healthy node may rejoin that long after the majority formed, and must not be declared lost
   * meanwhile. A majority that has held longer decides after {@link #DECISION_DELAY} as before.
   */
  static final Duration MAJORITY_SETTLE = Duration.ofSeconds(7);

  private static final Logger LOG = Logger.getLogger(NodeDepartures.class.getName());

  private final HazelcastInstance hazelcast;
  private final ClusterQuorum quorum;
  private final SessionRegistry registry;
  private final ScheduledExecutorService scheduler;
  private final Consumer<SessionRecord> lost;
  private final Consumer<NodeLeft> left;
  private boolean majority; // guarded by this; the side last noted
  private long majoritySinceNanos; // guarded by this; when this node last joined a majority

  /**
   * @param lost told about each record this node removed (to publish closed(node-lost))
   * @param left told about each departure once decided
   */
  public NodeDepartures(
      HazelcastInstance hazelcast,
      ClusterQuorum quorum,
      SessionRegistry registry,
      ScheduledExecutorService scheduler,
      Consumer<SessionRecord> lost,
      Consumer<NodeLeft> left) {
    this.hazelcast = hazelcast;
    this.quorum = quorum;
    this.registry = registry;
    this.scheduler = scheduler;
    this.lost = lost;
    this.left = left;
    this.majority = inMajority();
    this.majoritySinceNanos = System.nanoTime() - MAJORITY_SETTLE.toNanos(); // settled
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    LOG.info(() -> "cluster: " + describe(event.getMember()) + " joined");
    scheduler.execute(this::membershipChanged);
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String node = event.getMember().getAttribute(NODE_ATTRIBUTE);
    LOG.warning(() -> "cluster: " + describe(event.getMember()) + " left");
    if (node != null) {
      scheduler.schedule(() -> departed(node), DECISION_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    }
    scheduler.execute(this::membershipChanged);
  }

  /** Whether this member is in a majority of the configured cluster now. */
  public boolean inMajority() {
    return quorum.isMajority(
        hazelcast.getCluster().getMembers().stream()
            .map(m -> m.getAddress().getHost() + ":" + m.getAddress().getPort())
            .toList());
  }

  /**
   * A member left: if it is still gone and this node is in a majority, its records go and its
   * sessions are declared lost; in a minority nothing is decided.
   */
  synchronized void departed(String node) {
    if (memberNodes().contains(node)) {
      LOG.info(() -> "cluster: node " + node + " is back; nothing to decide");
      return;
    }
    noteSide();
    boolean decided = majority;
    long unsettled = majoritySinceNanos + MAJORITY_SETTLE.toNanos() - System.nanoTime();
    if (decided && unsettled > 0) { // other pieces of a split may still be merging back
      scheduler.schedule(() -> departed(node), unsettled, TimeUnit.NANOSECONDS);
      return;
    }
    if (decided) {
      removeRecordsOf(node);
      NodeStates.map(hazelcast).delete(node);
    } else {
      LOG.warning(
          () ->
              String.format(
                  "cluster: not declaring node %s lost: this node is in a minority (%s of %s)",
                  node, describeMembers(), quorum.configured()));
    }
    left.accept(new NodeLeft(node, decided));
  }

  /** Notes and logs a change of side (see {@link #noteSide}). */
  synchronized void membershipChanged() {
    noteSide();
  }

  /**
   * Notes which side this node is on now, and logs a change. On joining a majority, schedules the
   * decision on the nodes that left while this node could not decide (they are not members, so
   * nobody else will), for once the majority has settled ({@link #MAJORITY_SETTLE}). Called by
   * whichever runs first after a change: the membership listener's task or a decision.
   */
  private void noteSide() {
    boolean now = inMajority();
    if (now == majority) {
      return;
    }
    majority = now;
    if (now) {
      majoritySinceNanos = System.nanoTime();
      LOG.warning(() -> "cluster: in a majority again: " + describeMembers());
      Set<String> members = memberNodes();
      for (String node : registry.nodes()) {
        if (!members.contains(node)) {
          scheduler.schedule(
              () -> departed(node), MAJORITY_SETTLE.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } else {
      LOG.warning(
          () ->
              String.format(
                  "cluster: in a minority (%s of %s): no new sessions here and no node declared"
                      + " lost until a majority is back",
                  describeMembers(), quorum.configured()));
    }
  }

  /** Removes every record of {@code node}; survivors race for each, and one wins each. */
  public int removeRecordsOf(String node) {
    int removed = 0;
    for (SessionRecord record : registry.ownedBy(node)) {
      try {
        if (registry.remove(record)) {
          removed++;
          lost.accept(record);
        }
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "cluster: could not remove record " + record.id(), e);
      }
    }
    int count = removed;
    LOG.info(() -> "cluster: removed " + count + " session record(s) of lost node " + node);
    return removed;
  }

  private Set<String> memberNodes() {
    return hazelcast.getCluster().getMembers().stream()
        .map(m -> m.getAttribute(NODE_ATTRIBUTE))
        .filter(Objects::nonNull)
        .collect(Collectors.toSet());
  }

  private String describeMembers() {
    List<String> names =
        hazelcast.getCluster().getMembers().stream().map(NodeDepartures::describe).toList();
    return String.join(", ", names);
  }

  private static String describe(Member member) {
    return "node " + member.getAttribute(NODE_ATTRIBUTE) + " (" + member.getAddress() + ")";
  }
}
