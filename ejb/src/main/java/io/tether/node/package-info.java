/**
 * This node's sessions: launching them (limits, draining, who may attach), their upkeep
 * (heartbeats, ends, undeploy), the mirror of their state into the registry and the event stream,
 * the administrator's commands, and the idle sweep's timer with the reconciliation of PTYs and
 * records.
 */
package io.tether.node;
