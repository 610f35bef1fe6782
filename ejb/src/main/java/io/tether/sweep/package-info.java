/**
 * The idle rules: {@link io.tether.sweep.IdlePolicy} decides, for one session's facts and its
 * owner's limits, whether to keep, warn or end it, and {@link io.tether.sweep.IdleSweep} applies
 * the rules to a node's sessions, surviving any one session's failure. The node's timer ({@code
 * io.tether.node.IdleSweeper}) runs it.
 */
package io.tether.sweep;
