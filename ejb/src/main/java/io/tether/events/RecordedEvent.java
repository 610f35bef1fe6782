package io.tether.events;

import io.tether.registry.SessionItem;
import java.time.Instant;

/**
 * A {@link SessionEvent} as this node received it, numbered in the order its lifecycle consumer
 * took it off the topic. Numbers are per node and per start ({@link RecentEvents#epoch()}): they
 * say nothing about another node's numbering.
 *
 * @param seq 1 for the first event this node received since it started, then one more per event
 */
public record RecordedEvent(
    long seq,
    String type,
    String sessionId,
    String user,
    String node,
    Instant at,
    int attachedClients,
    String reason,
    String detail,
    SessionItem session) {

  static RecordedEvent of(long seq, SessionEvent event) {
    return new RecordedEvent(
        seq,
        event.type(),
        event.sessionId(),
        event.user(),
        event.node(),
        event.at(),
        event.attachedClients(),
        event.reason(),
        event.detail(),
        event.session());
  }

  public SessionEvent event() {
    return new SessionEvent(
        type, sessionId, user, node, at, attachedClients, reason, detail, session);
  }
}
