/**
 * Relays: a connection that lands on a node that does not own its session is passed to the owner
 * over an internal WebSocket, frames unchanged in both directions, authenticated by an HMAC over
 * the relayed hello with the cluster's shared secret.
 */
package io.tether.relay;
