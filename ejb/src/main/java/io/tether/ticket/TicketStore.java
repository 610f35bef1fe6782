package io.tether.ticket;

import java.util.Optional;
import java.util.Set;

/** Issues and redeems tickets. Redeeming is atomic: a ticket works once, on any node. */
public interface TicketStore {
  /**
   * @throws Unavailable the cluster did not answer in time
   */
  Ticket issue(String user, Set<String> roles);

  /**
   * The ticket, if it exists and has not expired; it can never be redeemed again.
   *
   * @throws Unavailable the cluster did not answer in time (the ticket may be used up)
   */
  Optional<Ticket> redeem(String value);

  /** The cluster did not answer in time (a member is frozen or out of reach): try again. */
  final class Unavailable extends RuntimeException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
