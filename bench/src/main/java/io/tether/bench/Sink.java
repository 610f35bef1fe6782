package io.tether.bench;

/**
 * Receives terminal output on the thread that read it (the bare PTY's reader, or the WebSocket
 * listener), with the {@link System#nanoTime()} at which the bytes arrived. Implementations scan
 * bytes in place and never build strings on this path.
 */
interface Sink {
  void accept(byte[] bytes, int from, int length, long arrivedNanos);
}
