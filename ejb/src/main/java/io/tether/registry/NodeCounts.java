package io.tether.registry;

import java.util.Map;

/**
 * How many sessions each node has.
 *
 * @param counts node name to its number of records (nodes without any are left out)
 * @param partial whether some of the cluster did not answer in time: only the records this node
 *     holds itself are counted
 */
public record NodeCounts(Map<String, Long> counts, boolean partial) {
  public NodeCounts {
    counts = Map.copyOf(counts);
  }

  public long of(String node) {
    return counts.getOrDefault(node, 0L);
  }
}
