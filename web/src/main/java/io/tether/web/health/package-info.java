/**
 * This node's readiness: {@code /health/ready}, and the filter that turns the load balancer's
 * requests away while the node is not ready ({@link io.tether.node.NodeReadiness}).
 */
package io.tether.web.health;
