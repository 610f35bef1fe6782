/**
 * Cluster membership and the cluster's shared state: everything that touches Hazelcast lives here.
 * {@link io.tether.cluster.ClusterMember} runs this node's embedded member; {@link
 * io.tether.cluster.ClusterStores} builds, in one place, the Hazelcast adapters of the interfaces
 * other packages own (the session registry, the tickets, the memory of ended sessions).
 *
 * <p>Hazelcast tells every survivor when a member leaves; the survivors remove the lost node's
 * records (each record exactly once, by conditional remove) and report each as closed with reason
 * node-lost.
 */
package io.tether.cluster;
