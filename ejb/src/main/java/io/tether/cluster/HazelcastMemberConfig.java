package io.tether.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import io.tether.config.TetherSettings;

/** The embedded member's configuration, from Tether's settings (docs/cluster.md). */
final class HazelcastMemberConfig {
  /** The member attribute that carries a node's relay base URL. */
  static final String URL_ATTRIBUTE = "tether.url";

  private HazelcastMemberConfig() {}

  static Config from(TetherSettings settings) {
    Config config =
        new Config()
            .setClusterName(settings.clusterName())
            .setInstanceName("tether-" + settings.nodeName());
    // Hazelcast sits in the EAR's lib/ but stores classes of the EJB module.
    config.setClassLoader(HazelcastMemberConfig.class.getClassLoader());
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false"); // the server stops us
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    // A frozen member (not a crashed one, whose sockets close at once) is noticed this fast.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty(
        "hazelcast.max.no.heartbeat.seconds",
        Integer.toString(settings.clusterMaxNoHeartbeatSeconds()));
    // After a split (a frozen or cut-off member), the halves look for each other this often and
    // merge as soon as they meet, not after Hazelcast's default of five minutes.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    config
        .getMemberAttributeConfig()
        .setAttribute(NodeDepartures.NODE_ATTRIBUTE, settings.nodeName())
        .setAttribute(URL_ATTRIBUTE, settings.clusterUrl());

    NetworkConfig network = config.getNetworkConfig();
    // No auto-increment: a taken port must fail the start, never join a stranger's cluster.
    network.setPort(settings.clusterPort()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface(settings.clusterBindAddress());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(settings.clusterMembers());

    // In a merge, what the smaller half wrote while split is discarded: its records may be stale
    // (a session that ended meanwhile would come back as a ghost), so the merged node writes its
    // own live sessions' records again itself (ClusterMerged); its tickets and the ends it
    // remembered are short-lived and were not the cluster's.
    config.addMapConfig(keepingTheLargerHalf(HazelcastSessionRegistry.mapConfig()));
    config.addMapConfig(new MapConfig(NodeStates.MAP).setBackupCount(1));
    config.addMapConfig(
        keepingTheLargerHalf(new MapConfig(HazelcastTicketStore.MAP).setBackupCount(1)));
    config.addMapConfig(
        keepingTheLargerHalf(
            new MapConfig(HazelcastEndedSessions.MAP)
                .setBackupCount(1)
                .setTimeToLiveSeconds((int) (settings.endedMemoryMinutes() * 60))));
    return config;
  }

  private static MapConfig keepingTheLargerHalf(MapConfig map) {
    map.getMergePolicyConfig().setPolicy(DiscardMergePolicy.class.getName());
    return map;
  }
}
