package io.tether.node;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;

/**
 * At start, once the Hazelcast member listens, checks that shells sharing the machine's network
 * cannot reach any of this node's internal ports (docs/isolation.md): the outcome is logged (a
 * warning naming the open ports) and shown in the admin console.
 */
@Singleton
@Startup
@DependsOn("ClusterMember")
public class ShellNetworkCheck {
  @Inject ShellStarter starter;

  @PostConstruct
  void check() {
    starter.checkShellNetwork();
  }
}
