package io.tether.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Cleans up after a member that left the cluster (stopped, crashed, or declared dead after missed
 * heartbeats). Entries of a dead member survive in Hazelcast's backups, so without this its records
 * would live on as ghosts. Hazelcast calls listeners on its own event threads, so this only hands
 * the work to an executor.
 */
public final class NodeDepartures implements MembershipListener {
  /** The member attribute that carries a member's Tether node name. */
  public static final String NODE_ATTRIBUTE = "tether.node";

  private static final Logger LOG = Logger.getLogger(NodeDepartures.class.getName());

  private final SessionRegistry registry;
  private final Executor executor;
  private final Consumer<SessionRecord> lost;

  /**
   * @param lost told about each record this node removed (to publish closed(node-lost))
   */
  public NodeDepartures(SessionRegistry registry, Executor executor, Consumer<SessionRecord> lost) {
    this.registry = registry;
    this.executor = executor;
    this.lost = lost;
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    LOG.info(() -> "cluster: " + describe(event.getMember()) + " joined");
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String node = event.getMember().getAttribute(NODE_ATTRIBUTE);
    LOG.warning(() -> "cluster: " + describe(event.getMember()) + " left");
    if (node != null) {
      executor.execute(() -> removeRecordsOf(node));
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

  private static String describe(Member member) {
    return "node " + member.getAttribute(NODE_ATTRIBUTE) + " (" + member.getAddress() + ")";
  }
}
