/**
 * The terminal WebSocket endpoint: transport only. Frames are assembled within the protocol's size
 * limits and handed to {@link io.tether.connection.ClientConnection}; sends go through {@link
 * io.tether.web.terminal.WebSocketChannel}, one at a time.
 */
package io.tether.web.terminal;
