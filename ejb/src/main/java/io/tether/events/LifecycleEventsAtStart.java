package io.tether.events;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;

/**
 * Makes {@link JmsLifecycleEvents} as the application starts, once its resources are bound. A CDI
 * {@code Startup} observer is not that: Payara delivers that event while the application's CDI
 * deployment is still under way, before the topics its MDBs define ({@code
 * java:app/jms/tether/...}) are bound, and the bean's injection of the topic fails the deployment.
 * A startup singleton runs after them on both servers.
 */
@Singleton
@Startup
public class LifecycleEventsAtStart {
  @Inject JmsLifecycleEvents events;

  @PostConstruct
  void start() {
    events.made();
  }
}
