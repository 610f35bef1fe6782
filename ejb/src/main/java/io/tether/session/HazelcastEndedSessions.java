package io.tether.session;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.Optional;

/** Ended sessions in a Hazelcast map (its TTL forgets them): a client learns why on any node. */
public final class HazelcastEndedSessions implements EndedSessions {
  public static final String MAP = "tether.ended";

  private final IMap<String, SessionEnd> ended;

  public HazelcastEndedSessions(HazelcastInstance hazelcast) {
    this.ended = hazelcast.getMap(MAP);
  }

  @Override
  public void remember(String sessionId, SessionEnd end) {
    ended.set(sessionId, end);
  }

  @Override
  public Optional<SessionEnd> find(String sessionId) {
    return Optional.ofNullable(ended.get(sessionId));
  }
}
