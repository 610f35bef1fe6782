package io.tether.session;

import java.util.Optional;

/**
 * Remembers for a while why recent sessions ended, so a client that comes back after its session
 * ended is told why (idle timeout, exit code, node lost, ...) rather than "no such session".
 */
public interface EndedSessions {
  void remember(String sessionId, SessionEnd end);

  Optional<SessionEnd> find(String sessionId);

  /** Forgets a session's end: it was declared lost, and its node came back with it alive. */
  void forget(String sessionId);
}
