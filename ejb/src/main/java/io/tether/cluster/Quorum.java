package io.tether.cluster;

/**
 * Whether this node is in a majority of the configured cluster now ({@link ClusterQuorum}). A node
 * in a minority keeps its shells and their clients but takes no new sessions and decides nothing
 * about other nodes (docs/cluster.md).
 */
@FunctionalInterface
public interface Quorum {
  boolean held();
}
