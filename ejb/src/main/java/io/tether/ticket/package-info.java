/**
 * Single-use, short-lived tickets: an authenticated REST call issues one, the terminal WebSocket's
 * {@code hello} redeems it, so no credential travels in a WebSocket URL. The store that lets a
 * ticket issued on one node be redeemed on another is {@code
 * io.tether.cluster.HazelcastTicketStore}.
 */
package io.tether.ticket;
