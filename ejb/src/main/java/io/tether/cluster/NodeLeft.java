package io.tether.cluster;

/**
 * A CDI event: {@code node} left the cluster (stopped, crashed or declared dead after missed
 * heartbeats).
 *
 * @param lost whether this node, in a majority, declared it lost (its sessions are over); if not,
 *     this node is in a minority and cannot tell whether {@code node} is gone or only out of reach
 */
public record NodeLeft(String node, boolean lost) {}
