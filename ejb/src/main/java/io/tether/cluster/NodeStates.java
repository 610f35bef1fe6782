package io.tether.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which nodes of the cluster are draining, in the Hazelcast map {@value #MAP} (node name to true
 * while it drains), so any node can tell. Written by the node itself when it drains or undrains; a
 * departed node's entry is removed by the survivors ({@link ClusterMember}).
 */
@ApplicationScoped
public class NodeStates {
  private static final Logger LOG = Logger.getLogger(NodeStates.class.getName());

  public static final String MAP = "tether.nodes";

  @Inject ClusterMember member;
  @Resource ManagedExecutorService queries;

  /**
   * Records whether {@code node} drains. A failure is logged, not thrown: draining itself (this
   * node's refusal of new sessions) does not depend on the map, only what other nodes see does.
   */
  public void setDraining(String node, boolean draining) {
    try {
      if (draining) {
        map(member.hazelcast()).set(node, Boolean.TRUE);
      } else {
        map(member.hazelcast()).delete(node);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not record that " + node + " drains: " + draining, e);
    }
  }

  /**
   * Every draining node (a node absent from the map is not draining); if the cluster does not
   * answer within {@link TimeBound#REQUEST}, the flags this member holds itself.
   */
  public Map<String, Boolean> draining() {
    IMap<String, Boolean> flags = map(member.hazelcast());
    return TimeBound.orHeldHere(
        () -> Map.copyOf(flags),
        () -> {
          Map<String, Boolean> held = new TreeMap<>();
          for (String node : flags.localKeySet()) {
            held.put(node, Boolean.TRUE.equals(flags.get(node)));
          }
          return held;
        },
        queries,
        TimeBound.REQUEST,
        "reading which nodes drain");
  }

  static IMap<String, Boolean> map(HazelcastInstance hazelcast) {
    return hazelcast.getMap(MAP);
  }

  /** The members of the cluster now: node name to relay base URL. */
  public Map<String, String> members() {
    Map<String, String> members = new TreeMap<>();
    for (Member m : member.hazelcast().getCluster().getMembers()) {
      String node = m.getAttribute(NodeDepartures.NODE_ATTRIBUTE);
      if (node != null) {
        members.put(node, m.getAttribute(HazelcastMemberConfig.URL_ATTRIBUTE));
      }
    }
    return members;
  }
}
