/**
 * Cluster membership: which nodes are alive, and what happens to a lost node's sessions. Hazelcast
 * tells every survivor when a member leaves; the survivors remove the lost node's records (each
 * record exactly once, by conditional remove) and report each as closed with reason node-lost.
 */
package io.tether.cluster;
