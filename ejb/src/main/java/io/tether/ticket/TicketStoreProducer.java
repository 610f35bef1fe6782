package io.tether.ticket;

import io.tether.config.TetherSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;

/** Chooses the ticket store for this deployment. */
@ApplicationScoped
public class TicketStoreProducer {
  @Produces
  @ApplicationScoped
  TicketStore ticketStore(TetherSettings settings) {
    return new InMemoryTicketStore(Duration.ofSeconds(settings.ticketTtlSeconds()));
  }
}
