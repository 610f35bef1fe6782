package io.tether.connection;

import io.tether.cluster.Quorum;
import io.tether.node.SessionLauncher;
import io.tether.node.SessionObservers;
import io.tether.protocol.ClientChannel;
import io.tether.relay.RelayConnector;
import io.tether.ticket.TicketStore;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/** Makes the protocol state of each new WebSocket connection, by what its first frame must be. */
@ApplicationScoped
public class Connections {
  private static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);

  @Inject TicketStore tickets;
  @Inject SessionLauncher launcher;
  @Inject SessionObservers observers;
  @Inject RelayConnector relays;
  @Inject Quorum quorum;
  @Resource ManagedScheduledExecutorService scheduler;

  /** A browser's connection: its first frame is a {@code hello} with a ticket. */
  public ClientConnection fromBrowser(ClientChannel channel) {
    return expectingHello(
        new ClientConnection(
            channel, new BrowserHello(tickets, launcher, observers, relays, quorum)));
  }

  /** Another node's relay: its first frame is a signed {@code relay-hello}. */
  public ClientConnection fromRelay(ClientChannel channel) {
    return expectingHello(
        new ClientConnection(channel, new RelayedHello(launcher, observers, relays)));
  }

  private ClientConnection expectingHello(ClientConnection connection) {
    connection.expectHelloWithin(scheduler, HELLO_TIMEOUT);
    return connection;
  }
}
