package io.tether.relay;

import io.tether.protocol.CloseCode;
import io.tether.protocol.ProtocolException;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The first frame of a relay connection: who the entry node authenticated (from the ticket it
 * redeemed), the client's original {@code hello}, and the token that proves a node of this cluster
 * sent it.
 *
 * @param hello the client's {@code hello} as JSON text, relayed verbatim
 */
public record RelayHello(
    String from,
    String to,
    String user,
    Set<String> roles,
    long issuedAt,
    String nonce,
    String hello,
    String token) {
  private static final JsonProvider JSON = JsonProvider.provider();

  public RelayHello {
    roles = Set.copyOf(new TreeSet<>(roles));
  }

  /** What the token is computed over: everything but the token. */
  String signedText() {
    return String.join(
        "\n",
        from,
        to,
        user,
        String.join(",", new TreeSet<>(roles)),
        Long.toString(issuedAt),
        nonce,
        hello);
  }

  public RelayHello withToken(String signature) {
    return new RelayHello(from, to, user, roles, issuedAt, nonce, hello, signature);
  }

  public String toJson() {
    var roleArray = JSON.createArrayBuilder();
    new TreeSet<>(roles).forEach(roleArray::add);
    return JSON.createObjectBuilder()
        .add("type", "relay-hello")
        .add("from", from)
        .add("to", to)
        .add("user", user)
        .add("roles", roleArray)
        .add("issuedAt", issuedAt)
        .add("nonce", nonce)
        .add("hello", hello)
        .add("token", token)
        .build()
        .toString();
  }

  public static RelayHello parse(String text) throws ProtocolException {
    try {
      JsonObject json = JSON.createReader(new StringReader(text)).readObject();
      if (!"relay-hello".equals(json.getString("type", null))) {
        throw refused("the first relay frame must be relay-hello");
      }
      JsonArray roleArray = json.getJsonArray("roles");
      List<String> roles =
          roleArray.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
      return new RelayHello(
          json.getString("from"),
          json.getString("to"),
          json.getString("user"),
          Set.copyOf(roles),
          json.getJsonNumber("issuedAt").longValueExact(),
          json.getString("nonce"),
          json.getString("hello"),
          json.getString("token"));
    } catch (JsonException
        | ClassCastException
        | NullPointerException
        | ArithmeticException
        | IllegalStateException e) {
      throw refused("malformed relay-hello");
    }
  }

  private static ProtocolException refused(String detail) {
    return new ProtocolException(CloseCode.BAD_TICKET, detail);
  }
}
