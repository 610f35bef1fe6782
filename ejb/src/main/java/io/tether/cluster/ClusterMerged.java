package io.tether.cluster;

/**
 * A CDI event: this node's member merged back into the cluster after a split (it had been cut off
 * or frozen). What it wrote meanwhile was discarded in the merge, so it writes its live sessions'
 * records again.
 */
public record ClusterMerged() {}
