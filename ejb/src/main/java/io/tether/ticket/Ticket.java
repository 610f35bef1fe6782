package io.tether.ticket;

import java.io.Serializable;
import java.time.Instant;
import java.util.Set;

/**
 * A ticket and whom it stands for.
 *
 * @param value 256 random bits, base64url
 */
public record Ticket(String value, String user, Set<String> roles, Instant expiresAt)
    implements Serializable {
  public Ticket {
    roles = Set.copyOf(roles);
  }

  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  public boolean isAdmin() {
    return roles.contains("admin");
  }

  @Override
  public String toString() {
    // Never log the secret itself.
    return "Ticket[user=" + user + ", roles=" + roles + ", expiresAt=" + expiresAt + "]";
  }
}
