package io.tether.relay;

import io.tether.cluster.ClusterMember;
import io.tether.cluster.NodeLeft;
import io.tether.config.TetherSettings;
import io.tether.protocol.ClientChannel;
import io.tether.protocol.CloseCode;
import io.tether.protocol.Limits;
import io.tether.protocol.ProtocolException;
import io.tether.ticket.Ticket;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Opens relays from this node to session owners and tracks them, so that every relay to a node that
 * leaves the cluster is closed with {@code 4010} at once. The upstream connect retries transient
 * failures (refused, timed out, unresolved: a node restarting, a DNS race) after 0.2, 0.4 and 0.8
 * s, each attempt with an open timeout, and fails fast on anything else.
 */
@ApplicationScoped
public class RelayConnector {
  private static final Logger LOG = Logger.getLogger(RelayConnector.class.getName());
  private static final List<Duration> RETRY_DELAYS =
      List.of(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
  private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(2);

  @Inject TetherSettings settings;
  @Inject ClusterMember cluster;
  @Resource ManagedExecutorService executor;
  @Resource ManagedScheduledExecutorService scheduler;

  private final Set<Relay> open = ConcurrentHashMap.newKeySet();
  private HttpClient http;
  private RelayAuthenticator authenticator;

  @PostConstruct
  void start() {
    byte[] secret =
        settings
            .clusterSecret()
            .map(s -> s.getBytes(StandardCharsets.UTF_8))
            .orElseGet(RelayConnector::randomSecret);
    authenticator = new RelayAuthenticator(secret, settings.nodeName(), Clock.systemUTC());
    http = HttpClient.newBuilder().executor(executor).connectTimeout(OPEN_TIMEOUT).build();
  }

  private static byte[] randomSecret() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return secret;
  }

  /** Checks a relay hello that arrived at this node (the owner side). */
  public RelayHello authenticate(String text) throws ProtocolException {
    RelayHello relay = RelayHello.parse(text);
    authenticator.verify(relay);
    return relay;
  }

  /**
   * Relays the client to {@code node}, which owns its session, sending the client's {@code hello}
   * on its behalf. Blocks the calling (WebSocket worker) thread while connecting, so the client's
   * next frames wait in order.
   */
  public Relay open(String node, Ticket ticket, String helloText, ClientChannel client)
      throws ProtocolException, RelayUnavailableException {
    // Not a member: lost, if a majority says so; from a minority, perhaps only out of reach.
    String base =
        cluster
            .urlOf(node)
            .orElseThrow(
                () ->
                    new ProtocolException(
                        cluster.inMajority() ? CloseCode.NODE_LOST : CloseCode.CUT_OFF, null));
    URI uri = URI.create(base.replaceFirst("^http", "ws") + "ws/relay");
    Relay relay =
        new Relay(node, client, cluster::isMember, cluster::inMajority, open::remove, scheduler);
    // Known before it can end, so an upstream that closes at once is not left in the set.
    open.add(relay);
    try {
      relay.connected(connect(uri, relay));
    } catch (ProtocolException | RelayUnavailableException | RuntimeException e) {
      open.remove(relay);
      throw e;
    }
    relay.forwardText(authenticator.sign(node, ticket.user(), ticket.roles(), helloText).toJson());
    return relay;
  }

  private WebSocket connect(URI uri, Relay relay)
      throws ProtocolException, RelayUnavailableException {
    for (int attempt = 0; ; attempt++) {
      Throwable cause;
      CompletableFuture<WebSocket> opening =
          http.newWebSocketBuilder()
              .connectTimeout(OPEN_TIMEOUT)
              .subprotocols(Limits.SUBPROTOCOL)
              .buildAsync(uri, relay);
      try {
        return opening.get(OPEN_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        cause = e.getCause();
      } catch (TimeoutException e) {
        // Given up on: should it open after all, it must not speak for this relay.
        opening.thenAccept(WebSocket::abort);
        cause = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProtocolException(CloseCode.NODE_STOPPING, null);
      }
      if (!isTransient(cause) || attempt >= RETRY_DELAYS.size()) {
        int attempts = attempt + 1;
        LOG.warning("relay: cannot reach " + uri + " after " + attempts + " attempt(s): " + cause);
        if (cluster.isMember(relay.node())) {
          // Alive but unreachable: the client should come back a little later.
          throw new RelayUnavailableException(CloseCode.TRY_AGAIN_LATER);
        }
        throw new ProtocolException(CloseCode.NODE_LOST, CloseCode.NODE_LOST.sentence());
      }
      try {
        Thread.sleep(RETRY_DELAYS.get(attempt).toMillis()); // the retry's back-off itself
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProtocolException(CloseCode.NODE_STOPPING, null);
      }
    }
  }

  /** Failures worth another try: the owner is restarting, or a name did not resolve yet. */
  static boolean isTransient(Throwable cause) {
    return cause instanceof ConnectException
        || cause instanceof HttpTimeoutException
        || cause instanceof TimeoutException
        || cause instanceof UnresolvedAddressException
        || cause instanceof UnknownHostException
        || (cause instanceof IOException && cause.getCause() instanceof ConnectException);
  }

  /**
   * Relays to a node that left are closed at once: with {@code 4010} when a majority declared it
   * lost (its sessions are over), else with {@code 1013} so that their clients come back, perhaps
   * through a node that can reach it.
   */
  void nodeLeft(@Observes NodeLeft left) {
    CloseCode code = left.lost() ? CloseCode.NODE_LOST : CloseCode.TRY_AGAIN_LATER;
    int closed = 0;
    for (Relay relay : List.copyOf(open)) {
      if (relay.node().equals(left.node())) {
        relay.closeBoth(code);
        closed++;
      }
    }
    int count = closed;
    LOG.info(
        () ->
            "relay: closed " + count + " relay(s) to node " + left.node() + " with " + code.code());
  }

  @PreDestroy
  void stop() {
    for (Relay relay : List.copyOf(open)) {
      relay.closeBoth(CloseCode.GOING_AWAY);
    }
  }
}
