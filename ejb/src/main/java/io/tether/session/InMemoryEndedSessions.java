package io.tether.session;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@link EndedSessions} in this JVM, for tests and a node on its own. */
public final class InMemoryEndedSessions implements EndedSessions {
  private static final int MAX_REMEMBERED = 10_000;

  private final Duration memory;
  private final Map<String, SessionEnd> ended =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SessionEnd> eldest) {
          return size() > MAX_REMEMBERED;
        }
      };

  public InMemoryEndedSessions(Duration memory) {
    this.memory = memory;
  }

  @Override
  public synchronized void remember(String sessionId, SessionEnd end) {
    forgetOlderThan(Instant.now().minus(memory));
    ended.put(sessionId, end);
  }

  @Override
  public synchronized Optional<SessionEnd> find(String sessionId) {
    forgetOlderThan(Instant.now().minus(memory));
    return Optional.ofNullable(ended.get(sessionId));
  }

  private void forgetOlderThan(Instant cutoff) {
    // Insertion order is end order, so the oldest are first.
    var it = ended.values().iterator();
    while (it.hasNext() && it.next().at().isBefore(cutoff)) {
      it.remove();
    }
  }
}
