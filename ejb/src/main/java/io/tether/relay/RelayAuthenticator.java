package io.tether.relay;

import io.tether.protocol.CloseCode;
import io.tether.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs relay hellos on the entry node and checks them on the owner: HMAC-SHA256 with the cluster
 * secret, addressed to this node, fresh (30 s either way), and each nonce accepted once, so a
 * captured relay hello cannot be replayed.
 */
public final class RelayAuthenticator {
  static final Duration FRESHNESS = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] secret;
  private final String node;
  private final Clock clock;
  private final Map<String, Long> seenNonces = new LinkedHashMap<>();

  public RelayAuthenticator(byte[] secret, String node, Clock clock) {
    this.secret = secret.clone();
    this.node = node;
    this.clock = clock;
  }

  /** A relay hello from this node to {@code to}, signed. */
  public RelayHello sign(String to, String user, java.util.Set<String> roles, String hello) {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    RelayHello unsigned =
        new RelayHello(
            node,
            to,
            user,
            roles,
            clock.millis(),
            Base64.getUrlEncoder().withoutPadding().encodeToString(nonce),
            hello,
            "");
    return unsigned.withToken(mac(unsigned.signedText()));
  }

  /** Accepts a relay hello meant for this node, or refuses it with {@code 4001}. */
  public void verify(RelayHello relay) throws ProtocolException {
    byte[] expected = mac(relay.signedText()).getBytes(StandardCharsets.US_ASCII);
    byte[] given = relay.token().getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      throw refused("relay token does not verify");
    }
    if (!node.equals(relay.to())) {
      throw refused("relay addressed to " + relay.to() + ", not " + node);
    }
    long now = clock.millis();
    if (Math.abs(now - relay.issuedAt()) > FRESHNESS.toMillis()) {
      throw refused("relay hello is stale");
    }
    synchronized (seenNonces) {
      seenNonces.values().removeIf(at -> now - at > 2 * FRESHNESS.toMillis());
      if (seenNonces.putIfAbsent(relay.nonce(), now) != null) {
        throw refused("relay hello replayed");
      }
    }
  }

  private String mac(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  private static ProtocolException refused(String detail) {
    return new ProtocolException(CloseCode.BAD_TICKET, detail);
  }
}
