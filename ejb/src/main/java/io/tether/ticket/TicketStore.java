package io.tether.ticket;

import java.util.Optional;
import java.util.Set;

/** Issues and redeems tickets. Redeeming is atomic: a ticket works once, on any node. */
public interface TicketStore {
  Ticket issue(String user, Set<String> roles);

  /** The ticket, if it exists and has not expired; it can never be redeemed again. */
  Optional<Ticket> redeem(String value);
}
