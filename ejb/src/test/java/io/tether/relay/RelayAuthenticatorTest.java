package io.tether.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tether.protocol.CloseCode;
import io.tether.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RelayAuthenticatorTest {
  private static final byte[] SECRET = "cluster-secret".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  private static final String HELLO = "{\"type\":\"hello\",\"sessionId\":\"s1\"}";

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  private final RelayAuthenticator node2 = new RelayAuthenticator(SECRET, "node2", at(NOW));
  private final RelayAuthenticator node1 = new RelayAuthenticator(SECRET, "node1", at(NOW));

  @Test
  void aSignedHelloSurvivesTheWireAndVerifiesOnce() throws Exception {
    RelayHello sent = node2.sign("node1", "alice", Set.of("user", "admin"), HELLO);
    RelayHello received = RelayHello.parse(sent.toJson());
    assertEquals(sent, received);
    node1.verify(received);
    ProtocolException replay = assertThrows(ProtocolException.class, () -> node1.verify(received));
    assertEquals(CloseCode.BAD_TICKET, replay.closeCode());
  }

  /** Every way to alter a signed relay hello, each of which must be refused. */
  static Iterable<Arguments> tamperings() {
    return java.util.List.of(
        Arguments.of(
            "another user", (UnaryOperator<RelayHello>) r -> copy(r, "mallory", null, r.roles())),
        Arguments.of(
            "more roles",
            (UnaryOperator<RelayHello>)
                r -> copy(r, r.user(), null, Set.of("user", "admin", "root"))),
        Arguments.of(
            "another session",
            (UnaryOperator<RelayHello>)
                r -> copy(r, r.user(), HELLO.replace("s1", "s2"), r.roles())),
        Arguments.of("forged token", (UnaryOperator<RelayHello>) r -> r.withToken("AAAA")),
        Arguments.of("no token", (UnaryOperator<RelayHello>) r -> r.withToken("")));
  }

  private static RelayHello copy(RelayHello r, String user, String hello, Set<String> roles) {
    return new RelayHello(
        r.from(),
        r.to(),
        user,
        roles,
        r.issuedAt(),
        r.nonce(),
        hello == null ? r.hello() : hello,
        r.token());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperings")
  void aTamperedHelloIsRefused(String what, UnaryOperator<RelayHello> tamper) {
    RelayHello forged = tamper.apply(node2.sign("node1", "alice", Set.of("user"), HELLO));
    assertEquals(
        CloseCode.BAD_TICKET,
        assertThrows(ProtocolException.class, () -> node1.verify(forged)).closeCode());
  }

  @Test
  void aHelloSignedWithAnotherSecretIsRefused() {
    RelayAuthenticator outsider =
        new RelayAuthenticator("guess".getBytes(StandardCharsets.UTF_8), "node2", at(NOW));
    RelayHello forged = outsider.sign("node1", "alice", Set.of("user"), HELLO);
    assertThrows(ProtocolException.class, () -> node1.verify(forged));
  }

  @Test
  void aHelloForAnotherNodeIsRefused() {
    RelayHello forNode3 = node2.sign("node3", "alice", Set.of("user"), HELLO);
    assertThrows(ProtocolException.class, () -> node1.verify(forNode3));
  }

  @Test
  void aStaleHelloIsRefused() {
    RelayHello old =
        new RelayAuthenticator(SECRET, "node2", at(NOW.minus(Duration.ofSeconds(31))))
            .sign("node1", "alice", Set.of("user"), HELLO);
    assertThrows(ProtocolException.class, () -> node1.verify(old));
  }

  @Test
  void malformedRelayHellosAreRefused() {
    for (String text : new String[] {"", "{}", "[]", "{\"type\":\"hello\"}", "not json"}) {
      assertEquals(
          CloseCode.BAD_TICKET,
          assertThrows(ProtocolException.class, () -> RelayHello.parse(text)).closeCode(),
          text);
    }
  }
}
