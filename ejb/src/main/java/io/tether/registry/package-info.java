/**
 * The session registry: one record per live session (who owns it, which node holds its PTY, its
 * state), kept by the node that holds the PTY. Updates are atomic and activity is written at most
 * every few seconds, never per keystroke. This package holds the interface and its values; the
 * cluster's implementation, a Hazelcast map (a single node is a cluster of one member), is {@code
 * io.tether.cluster.HazelcastSessionRegistry}.
 */
package io.tether.registry;
