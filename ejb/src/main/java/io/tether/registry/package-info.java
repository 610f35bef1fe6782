/**
 * The session registry: one record per live session (who owns it, which node holds its PTY, its
 * state), kept by the node that holds the PTY, in a Hazelcast map (a single node is a cluster of
 * one member). Updates are atomic and activity is written at most every few seconds, never per
 * keystroke.
 */
package io.tether.registry;
