package io.tether.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.tether.session.EndedSessions;
import io.tether.session.SessionEnd;
import java.util.Optional;

/** Ended sessions in a Hazelcast map (its TTL forgets them): a client learns why on any node. */
final class HazelcastEndedSessions implements EndedSessions {
  static final String MAP = "tether.ended";

  private final IMap<String, SessionEnd> ended;

  HazelcastEndedSessions(HazelcastInstance hazelcast) {
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

  @Override
  public void forget(String sessionId) {
    ended.delete(sessionId);
  }
}
