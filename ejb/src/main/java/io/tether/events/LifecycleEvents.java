package io.tether.events;

/**
 * Publishes session events to every node. Implementations never block or fail the caller (the PTY
 * reader, WebSocket threads, the sweep): a lost event is logged, never thrown, and one session's
 * events keep their order.
 */
public interface LifecycleEvents {
  void publish(SessionEvent event);
}
