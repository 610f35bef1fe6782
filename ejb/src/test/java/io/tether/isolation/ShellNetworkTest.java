package io.tether.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The check of the shells' network against the real firewall rules of {@code
 * setup-shell-accounts.sh} (run here if the rules are missing): a listening port those rules close
 * to group {@code tether-shells} is found closed, any other listening port open. Needs root.
 */
@Timeout(60)
class ShellNetworkTest {
  /** Ports the setup script closes to shells at port offset 0 (WildFly's iiop, txn, modcluster). */
  private static final List<Integer> GUARDED = List.of(3528, 3529, 4712, 4713, 23364);

  static int shellsGid;

  @BeforeAll
  static void needsRootAndTheRules() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "the probe runs as another account, which needs root: skipped");
    if (new ProcessBuilder(
                "iptables",
                "-C",
                "TETHER-SHELLS",
                "-p",
                "tcp",
                "-m",
                "tcp",
                "--dport",
                "4712",
                "-j",
                "REJECT",
                "--reject-with",
                "tcp-reset")
            .start()
            .waitFor()
        != 0) {
      Process setup =
          new ProcessBuilder(
                  Path.of("../server-config/setup-shell-accounts.sh").toAbsolutePath().toString(),
                  "alice",
                  "bob")
              .inheritIO()
              .start();
      assertEquals(0, setup.waitFor());
    }
    shellsGid = Account.groupId("tether-shells").orElseThrow();
  }

  /** Listens on the first of {@code ports} that is free. */
  static ServerSocket listenOnOneOf(List<Integer> ports) throws IOException {
    for (int port : ports) {
      try {
        return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        // taken: the next
      }
    }
    throw new IOException("none of " + ports + " is free");
  }

  @Test
  void anAddressOfProcNetTcpIsRead() throws Exception {
    assertEquals("127.0.0.1", ShellNetwork.address("0100007F").getHostAddress());
    assertEquals(
        "0:0:0:0:0:0:0:1",
        ShellNetwork.address("00000000000000000000000001000000").getHostAddress());
  }

  @Test
  void theListeningPortsOfThisProcessAreFoundButThePublicOnes() throws Exception {
    try (ServerSocket internal = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket open = new ServerSocket()) {
      open.bind(new InetSocketAddress(0)); // the wildcard: reached through the loopback
      List<ShellNetwork.Target> found = ShellNetwork.internalPorts(Set.of(open.getLocalPort()));
      assertTrue(
          found.contains(new ShellNetwork.Target("127.0.0.1", internal.getLocalPort())),
          found.toString());
      assertTrue(found.stream().noneMatch(t -> t.port() == open.getLocalPort()), found.toString());
    }
  }

  @Test
  void aPortTheRulesCloseIsClosedToTheShellsGroupAndAnyOtherIsOpen() throws Exception {
    try (ServerSocket guarded = listenOnOneOf(GUARDED);
        ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      ShellNetwork.Target closed = new ShellNetwork.Target("127.0.0.1", guarded.getLocalPort());
      ShellNetwork.Target open = new ShellNetwork.Target("127.0.0.1", other.getLocalPort());
      assertEquals(List.of(open), ShellNetwork.reachable(shellsGid, List.of(closed, open)));
      // Without the group the rules do not apply: the same port is open.
      int aliceGid = Account.lookup("tether-alice").orElseThrow().gid();
      assertEquals(List.of(closed), ShellNetwork.reachable(aliceGid, List.of(closed)));
    }
  }

  @Test
  void theIsolationSaysWhetherShellsCanReachThisProcesssInternalPorts() throws Exception {
    IsolationConfig config =
        new IsolationConfig(
            false,
            AccountMapping.of("prefix", "tether-", Map.of()),
            1000,
            List.of("/usr"),
            true,
            "/usr/bin:/bin",
            Map.of(),
            Path.of("/sys/fs/cgroup"),
            "tether-test",
            new IsolationConfig.Limits(64, 128),
            new IsolationConfig.Limits(64, 128));
    ShellIsolation isolation = ShellIsolation.start(config, "network-test");
    assertEquals(ShellIsolation.Network.UNCHECKED, isolation.network());
    try (ServerSocket guarded = listenOnOneOf(GUARDED)) {
      // Every other port this JVM listens on counts as public here.
      Set<Integer> others = new HashSet<>();
      ShellNetwork.internalPorts(Set.of()).forEach(t -> others.add(t.port()));
      others.remove(guarded.getLocalPort());
      assertEquals(ShellIsolation.Network.GUARDED, isolation.checkNetwork(others));
      try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        assertEquals(ShellIsolation.Network.UNGUARDED, isolation.checkNetwork(others));
        assertEquals(ShellIsolation.Network.UNGUARDED, isolation.network());
      }
    }
    ShellIsolation none =
        ShellIsolation.start(
            new IsolationConfig(
                false,
                config.mapping(),
                1000,
                config.readOnlyPaths(),
                false,
                config.path(),
                Map.of(),
                config.cgroupRoot(),
                "tether-test",
                config.userLimits(),
                config.adminLimits()),
            "network-test");
    assertEquals(ShellIsolation.Network.NONE, none.checkNetwork(Set.of()));
  }
}
