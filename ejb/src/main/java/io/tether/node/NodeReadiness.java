package io.tether.node;

import io.tether.cluster.Quorum;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Whether this node should get new connections: not while it stops, drains or is cut off in a
 * minority of its cluster. Reported as MicroProfile Health readiness, and the shipped load balancer
 * sends new connections elsewhere while it is not (docs/cluster.md). Its own clients and relays to
 * its sessions are unaffected.
 */
@ApplicationScoped
public class NodeReadiness {
  @Inject NodeSessions sessions;
  @Inject NodeAdministration administration;
  @Inject Quorum quorum;

  /** Why this node is not ready, or empty if it is. */
  public Optional<String> notReadyBecause() {
    if (sessions.isStopping()) {
      return Optional.of("stopping");
    }
    if (administration.draining()) {
      return Optional.of("draining");
    }
    if (!quorum.held()) {
      return Optional.of("cut off in a minority of the cluster");
    }
    return Optional.empty();
  }
}
