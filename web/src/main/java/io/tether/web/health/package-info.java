/**
 * This node's readiness: the MicroProfile Health check, and the filter that turns the load
 * balancer's requests away while the node is not ready.
 */
package io.tether.web.health;
