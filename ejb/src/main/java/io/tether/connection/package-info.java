/**
 * Connection handling: the protocol state of one WebSocket connection, independent of the WebSocket
 * API. Its first frame decides where the rest go: a browser's {@code hello} attaches it to a
 * session here or relays it to the session's owner; another node's {@code relay-hello} attaches it
 * here.
 */
package io.tether.connection;
