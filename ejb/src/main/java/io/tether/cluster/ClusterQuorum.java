package io.tether.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Whether a group of members may speak for the cluster: only a majority of the configured cluster
 * ({@code tether.cluster.members}) declares other members lost, removes their records, publishes
 * {@code node-lost} and closes relayed clients for good. A partition that holds more than half the
 * configured members is a majority; an exact half is one only if it holds the first configured
 * member, so of a two-node cluster split in two, the first-listed node's half decides and the other
 * waits (docs/cluster.md). A cluster of one is always its own majority.
 *
 * @param configured the configured members, {@code host:port}, in their configured order
 */
public record ClusterQuorum(List<String> configured) {
  public ClusterQuorum {
    configured = configured.stream().map(ClusterQuorum::normalise).toList();
  }

  /**
   * @param present the members this node sees now, itself included, {@code host:port}
   */
  public boolean isMajority(Collection<String> present) {
    long counted =
        present.stream().map(ClusterQuorum::normalise).filter(configured::contains).count();
    int size = configured.size();
    if (size <= 1) {
      return true;
    }
    if (counted * 2 > size) {
      return true;
    }
    return counted * 2 == size
        && present.stream().map(ClusterQuorum::normalise).anyMatch(configured.get(0)::equals);
  }

  private static String normalise(String member) {
    return member.trim().toLowerCase(Locale.ROOT);
  }
}
