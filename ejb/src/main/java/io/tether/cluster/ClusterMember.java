package io.tether.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
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
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * This node's embedded Hazelcast member: started with the application, stopped with it. When
 * another member leaves, it removes that node's session records (each exactly once across the
 * survivors), remembers them as ended with node-lost, publishes {@code closed}, and fires {@link
 * NodeLeft} so relays to that node are closed at once.
 */
@Singleton
@Startup
@LocalBean
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class ClusterMember {
  private static final Logger LOG = Logger.getLogger(ClusterMember.class.getName());

  @Inject TetherSettings settings;
  @Inject Event<NodeLeft> nodeLeft;
  @Inject Instance<LifecycleEvents> events;
  // Built by ClusterStores on this member; proxies, first used once the member has started.
  @Inject SessionRegistry registry;
  @Inject EndedSessions ended;
  @Resource ManagedExecutorService executor;

  private HazelcastInstance hazelcast;

  @PostConstruct
  void start() {
    long started = System.nanoTime();
    hazelcast = Hazelcast.newHazelcastInstance(HazelcastMemberConfig.from(settings));
    NodeDepartures departures =
        new NodeDepartures(
            registry,
            executor,
            record -> {
              SessionEnd end = SessionEnd.of(CloseCode.NODE_LOST, CloseCode.NODE_LOST.sentence());
              ended.remember(record.id(), end);
              publishLost(record, end);
            });
    hazelcast
        .getCluster()
        .addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent event) {
                departures.memberAdded(event);
              }

              @Override
              public void memberRemoved(MembershipEvent event) {
                departures.memberRemoved(event);
                String node = event.getMember().getAttribute(NodeDepartures.NODE_ATTRIBUTE);
                if (node != null) {
                  // Listeners only hand work off: observers run on a managed thread.
                  executor.execute(
                      () -> {
                        NodeStates.map(hazelcast).delete(node);
                        nodeLeft.fire(new NodeLeft(node));
                      });
                }
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
