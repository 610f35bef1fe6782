package io.tether.ticket;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Tickets in this JVM's memory: valid on this node only. */
public final class InMemoryTicketStore implements TicketStore {
  private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
  private final Duration ttl;

  public InMemoryTicketStore(Duration ttl) {
    this.ttl = ttl;
  }

  @Override
  public Ticket issue(String user, Set<String> roles) {
    Instant now = Instant.now();
    tickets.values().removeIf(t -> t.expiredAt(now));
    Ticket ticket = Tickets.create(user, roles, ttl);
    tickets.put(ticket.value(), ticket);
    return ticket;
  }

  @Override
  public Optional<Ticket> redeem(String value) {
    return Tickets.unexpired(tickets.remove(value));
  }
}
