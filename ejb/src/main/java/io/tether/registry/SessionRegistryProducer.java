package io.tether.registry;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Chooses the session registry for this deployment. */
@ApplicationScoped
public class SessionRegistryProducer {
  @Produces
  @ApplicationScoped
  SessionRegistry sessionRegistry() {
    return new InMemorySessionRegistry();
  }
}
