package io.tether.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.tether.ticket.Ticket;
import io.tether.ticket.TicketStore;
import io.tether.ticket.Tickets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tickets in a Hazelcast map: issued on one node, redeemable on any. Redeeming is one atomic {@code
 * remove}, so a ticket works exactly once however many nodes race for it; the map's time-to-live
 * clears tickets nobody redeemed.
 */
final class HazelcastTicketStore implements TicketStore {
  static final String MAP = "tether.tickets";

  private final IMap<String, Ticket> tickets;
  private final Duration ttl;

  HazelcastTicketStore(HazelcastInstance hazelcast, Duration ttl) {
    this.tickets = hazelcast.getMap(MAP);
    this.ttl = ttl;
  }

  @Override
  public Ticket issue(String user, Set<String> roles) {
    Ticket ticket = Tickets.create(user, roles, ttl);
    try {
      TimeBound.await(
          tickets.setAsync(ticket.value(), ticket, ttl.toMillis(), TimeUnit.MILLISECONDS),
          TimeBound.TICKET);
    } catch (TimeoutException e) {
      throw new Unavailable("the cluster did not store the ticket in time", e);
    }
    return ticket;
  }

  @Override
  public Optional<Ticket> redeem(String value) {
    // The map's expiry runs on its own schedule; the ticket's own deadline is what counts.
    try {
      return Tickets.unexpired(TimeBound.await(tickets.removeAsync(value), TimeBound.TICKET));
    } catch (TimeoutException e) {
      throw new Unavailable("the cluster did not answer for the ticket in time", e);
    }
  }
}
