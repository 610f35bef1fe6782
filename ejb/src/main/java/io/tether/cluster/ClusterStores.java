package io.tether.cluster;

import io.tether.config.TetherSettings;
import io.tether.registry.SessionRegistry;
import io.tether.session.EndedSessions;
import io.tether.ticket.TicketStore;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;

/**
 * The shared state of the cluster, on this node's Hazelcast member: the session registry, the
 * tickets and the memory of ended sessions. The one place that builds the Hazelcast adapters of
 * {@link SessionRegistry}, {@link TicketStore} and {@link EndedSessions}; every other bean, {@link
 * ClusterMember} included, injects them. A single node is a cluster of one.
 */
@ApplicationScoped
public class ClusterStores {
  @Resource ManagedExecutorService queries;

  @Produces
  @ApplicationScoped
  SessionRegistry sessionRegistry(ClusterMember member) {
    return new HazelcastSessionRegistry(member.hazelcast(), queries, TimeBound.REQUEST);
  }

  @Produces
  @ApplicationScoped
  TicketStore ticketStore(ClusterMember member, TetherSettings settings) {
    return new HazelcastTicketStore(
        member.hazelcast(), Duration.ofSeconds(settings.ticketTtlSeconds()));
  }

  /** Whether this node is in a majority of the configured cluster, asked anew each time. */
  @Produces
  @ApplicationScoped
  Quorum quorum(ClusterMember member) {
    return member::inMajority;
  }

  @Produces
  @ApplicationScoped
  EndedSessions endedSessions(ClusterMember member) {
    return new HazelcastEndedSessions(member.hazelcast());
  }
}
