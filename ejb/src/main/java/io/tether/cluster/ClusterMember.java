package io.tether.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.tether.config.TetherSettings;
import io.tether.events.LifecycleEvents;
import io.tether.events.SessionEvent;
import io.tether.protocol.CloseCode;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import io.tether.session.EndedSessions;
import io.tether.session.SessionEnd;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * This node's embedded Hazelcast member: started with the application, stopped with it. When
 * another member leaves and this node is in a majority of the configured cluster ({@link
 * ClusterQuorum}), it removes that node's session records (each exactly once across the survivors),
 * remembers them as ended with node-lost, publishes {@code closed}; either way it fires {@link
 * NodeLeft} so relays to that node are closed at once. After a split heals it fires {@link
 * ClusterMerged}.
 */
@Singleton
@Startup
@LocalBean
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
// No transactional resource is used: no JTA transaction around each call, which session starts,
// attaches and heartbeats make many of.
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ClusterMember {
  private static final Logger LOG = Logger.getLogger(ClusterMember.class.getName());

  @Inject TetherSettings settings;
  @Inject Event<NodeLeft> nodeLeft;
  @Inject Instance<LifecycleEvents> events;
  // Built by ClusterStores on this member; proxies, first used once the member has started.
  @Inject SessionRegistry registry;
  @Inject EndedSessions ended;
  @Inject Event<ClusterMerged> merged;
  @Resource ManagedExecutorService executor;
  @Resource ManagedScheduledExecutorService scheduler;

  private HazelcastInstance hazelcast;
  private NodeDepartures departures;

  @PostConstruct
  void start() {
    long started = System.nanoTime();
    hazelcast = Hazelcast.newHazelcastInstance(HazelcastMemberConfig.from(settings));
    departures =
        new NodeDepartures(
            hazelcast,
            new ClusterQuorum(settings.clusterMembers()),
            registry,
            scheduler,
            record -> {
              SessionEnd end = SessionEnd.of(CloseCode.NODE_LOST, CloseCode.NODE_LOST.sentence());
              ended.remember(record.id(), end);
              publishLost(record, end);
            },
            nodeLeft::fire);
    hazelcast.getCluster().addMembershipListener(departures);
    hazelcast
        .getLifecycleService()
        .addLifecycleListener(
            event -> {
              if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                LOG.warning("cluster: merged back into the cluster after a split");
                executor.execute(() -> merged.fire(new ClusterMerged()));
              }
            });
    LOG.info(
        () ->
            String.format(
                "cluster: member %s of '%s' on %s:%d started in %d ms; members: %s",
                settings.nodeName(),
                settings.clusterName(),
                settings.clusterBindAddress(),
                settings.clusterPort(),
                (System.nanoTime() - started) / 1_000_000,
                describeMembers()));
    if (settings.clusterSecret().isEmpty() && settings.clusterMembers().size() > 1) {
      LOG.warning(
          "cluster: tether.cluster.secret is not set; relays between nodes will be refused");
    }
  }

  /** Whether this node is in a majority of the configured cluster now ({@link ClusterQuorum}). */
  public boolean inMajority() {
    return departures.inMajority();
  }

  private void publishLost(SessionRecord record, SessionEnd end) {
    if (events.isResolvable()) {
      events
          .get()
          .publish(
              new SessionEvent(
                  "closed",
                  record.id(),
                  record.owner(),
                  record.node(),
                  Instant.now(),
                  0,
                  end.code().label(),
                  end.reason(),
                  null));
    }
  }

  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  /** The relay base URL of {@code node}, if it is a member now. */
  public Optional<String> urlOf(String node) {
    return hazelcast.getCluster().getMembers().stream()
        .filter(m -> node.equals(m.getAttribute(NodeDepartures.NODE_ATTRIBUTE)))
        .map(m -> m.getAttribute(HazelcastMemberConfig.URL_ATTRIBUTE))
        .findFirst();
  }

  public boolean isMember(String node) {
    return urlOf(node).isPresent();
  }

  private String describeMembers() {
    return hazelcast.getCluster().getMembers().stream()
        .map(ClusterMember::describe)
        .collect(Collectors.joining(", "));
  }

  private static String describe(Member member) {
    return member.getAttribute(NodeDepartures.NODE_ATTRIBUTE) + "@" + member.getAddress();
  }

  @PreDestroy
  void stop() {
    LOG.info(() -> "cluster: member " + settings.nodeName() + " leaving");
    hazelcast.shutdown();
  }
}
