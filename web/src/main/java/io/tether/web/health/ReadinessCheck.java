package io.tether.web.health;

import io.tether.node.NodeReadiness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * This node's readiness for new connections ({@code /health/ready}: on WildFly's management
 * interface), down while it stops, drains or is cut off from most of its cluster. The server itself
 * reports it down while it starts.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
  @Inject NodeReadiness readiness;

  @Override
  public HealthCheckResponse call() {
    Optional<String> why = readiness.notReadyBecause();
    return HealthCheckResponse.named("tether-node")
        .status(why.isEmpty())
        .withData("state", why.orElse("ready"))
        .build();
  }
}
