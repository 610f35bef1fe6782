/**
 * Single-use, short-lived tickets: an authenticated REST call issues one, the terminal WebSocket's
 * {@code hello} redeems it, so no credential travels in a WebSocket URL.
 */
package io.tether.ticket;
