package io.tether.ticket;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/** Makes new tickets: 256 bits from a {@link SecureRandom}, valid for a fixed time. */
public final class Tickets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Tickets() {}

  /** A ticket just taken out of a store, if it was there and is still valid. */
  public static Optional<Ticket> unexpired(Ticket ticket) {
    return ticket == null || ticket.expiredAt(Instant.now())
        ? Optional.empty()
        : Optional.of(ticket);
  }

  public static Ticket create(String user, Set<String> roles, Duration ttl) {
    byte[] bits = new byte[32];
    RANDOM.nextBytes(bits);
    String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    return new Ticket(value, user, roles, Instant.now().plus(ttl));
  }
}
