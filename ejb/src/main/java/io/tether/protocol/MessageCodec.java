package io.tether.protocol;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;

/**
 * Parses and validates client text frames, and writes server text frames. Every fault becomes a
 * {@link ProtocolException} with the close code the protocol prescribes; nothing here touches a
 * session.
 */
public final class MessageCodec {
  private static final JsonProvider JSON = JsonProvider.provider();
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_DIMENSION = 1000;

  private MessageCodec() {}

  public static ClientMessage parse(String text) throws ProtocolException {
    // A char is at most 3 UTF-8 bytes: only a frame that could be over the limit is encoded to
    // count.
    if (text.length() > Limits.MAX_TEXT_BYTES
        || (text.length() * 3L > Limits.MAX_TEXT_BYTES
            && text.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_TEXT_BYTES)) {
      throw new ProtocolException(CloseCode.FRAME_TOO_LARGE, "text frame over 4096 bytes");
    }
    JsonObject json = readObject(text);
    String type = string(json, "type", false);
    return switch (type) {
      case "hello" -> hello(json);
      case "ack" -> new ClientMessage.Ack(offset(json, "offset"));
      case "resize" -> new ClientMessage.Resize(dimension(json, "cols"), dimension(json, "rows"));
      case "heartbeat" -> new ClientMessage.Heartbeat();
      case "observe-answer" ->
          new ClientMessage.ObserveAnswer(
              id(json, "requestId", false), requiredFlag(json, "accept"));
      default -> throw fault("unknown message type '" + Utf8.truncate(type, 32) + "'");
    };
  }

  private static ClientMessage.Hello hello(JsonObject json) throws ProtocolException {
    // Required even for a new session: an explicit null says "new", an absent member says nothing.
    if (!json.containsKey("sessionId")) {
      throw fault("missing 'sessionId' (null for a new session)");
    }
    ClientMessage.Hello hello =
        new ClientMessage.Hello(
            string(json, "ticket", false),
            id(json, "sessionId", true),
            offset(json, "resumeOffset"),
            id(json, "clientId", false),
            offset(json, "inputOffset"),
            dimension(json, "cols"),
            dimension(json, "rows"),
            flag(json, "observe"));
    if (hello.observe() && !hello.resumes()) {
      throw fault("observing needs a 'sessionId'");
    }
    return hello;
  }

  /** Exactly one JSON object and nothing after it but whitespace. */
  private static JsonObject readObject(String text) throws ProtocolException {
    try (JsonParser parser = JSON.createParser(new StringReader(text))) {
      if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
        throw fault("a text frame must be a JSON object");
      }
      JsonObject object = parser.getObject();
      if (parser.hasNext()) {
        throw fault("a text frame holds one JSON object and nothing after it");
      }
      return object;
    } catch (JsonException | IllegalStateException | NoSuchElementException e) {
      throw fault("text frame is not valid JSON");
    }
  }

  private static String string(JsonObject json, String name, boolean nullable)
      throws ProtocolException {
    JsonValue value = json.get(name);
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      if (nullable) {
        return null;
      }
      throw fault("missing '" + name + "'");
    }
    if (!(value instanceof JsonString s)) {
      throw fault("'" + name + "' must be a string");
    }
    return s.getString();
  }

  private static String id(JsonObject json, String name, boolean nullable)
      throws ProtocolException {
    String value = string(json, name, nullable);
    if (value != null && !ID.matcher(value).matches()) {
      throw fault("'" + name + "' must be 1 to 64 characters of [A-Za-z0-9_-]");
    }
    return value;
  }

  private static long offset(JsonObject json, String name) throws ProtocolException {
    JsonValue value = json.get(name);
    if (!(value instanceof JsonNumber n) || !n.isIntegral()) {
      throw fault("'" + name + "' must be a whole number");
    }
    try {
      long v = n.longValueExact();
      if (v < 0) {
        throw fault("'" + name + "' must not be negative");
      }
      return v;
    } catch (ArithmeticException e) {
      throw fault("'" + name + "' is out of range");
    }
  }

  /** An optional boolean member: absent means false. */
  private static boolean flag(JsonObject json, String name) throws ProtocolException {
    JsonValue value = json.get(name);
    if (value == null) {
      return false;
    }
    if (value.getValueType() != JsonValue.ValueType.TRUE
        && value.getValueType() != JsonValue.ValueType.FALSE) {
      throw fault("'" + name + "' must be true or false");
    }
    return value.getValueType() == JsonValue.ValueType.TRUE;
  }

  /** A boolean member that must be there. */
  private static boolean requiredFlag(JsonObject json, String name) throws ProtocolException {
    if (!json.containsKey(name)) {
      throw fault("missing '" + name + "'");
    }
    return flag(json, name);
  }

  private static int dimension(JsonObject json, String name) throws ProtocolException {
    long v = offset(json, name);
    if (v < 1 || v > MAX_DIMENSION) {
      throw fault("'" + name + "' must be between 1 and " + MAX_DIMENSION);
    }
    return (int) v;
  }

  private static ProtocolException fault(String detail) {
    return new ProtocolException(CloseCode.PROTOCOL_ERROR, detail);
  }

  // ---- server messages ----

  /** The answer to {@code hello}; see docs/protocol.md for each member. */
  public static String attached(
      String sessionId,
      String node,
      long replayFrom,
      long head,
      long dropped,
      long inputAcked,
      boolean inputForgotten,
      long heartbeatMillis,
      long window,
      boolean observer,
      int cols,
      int rows) {
    return JSON.createObjectBuilder()
        .add("type", "attached")
        .add("sessionId", sessionId)
        .add("node", node)
        .add("replayFrom", replayFrom)
        .add("head", head)
        .add("dropped", dropped)
        .add("inputAcked", inputAcked)
        .add("inputForgotten", inputForgotten)
        .add("heartbeatMillis", heartbeatMillis)
        .add("window", window)
        .add("observer", observer)
        .add("cols", cols)
        .add("rows", rows)
        .build()
        .toString();
  }

  public static String heartbeat(long inputAcked, long head) {
    return "{\"type\":\"heartbeat\",\"inputAcked\":" + inputAcked + ",\"head\":" + head + "}";
  }

  /** The terminal's new size, for observers: they show the screen at the size its user gave it. */
  public static String size(int cols, int rows) {
    return "{\"type\":\"size\",\"cols\":" + cols + ",\"rows\":" + rows + "}";
  }

  public static String resync(long dropped, long from) {
    return "{\"type\":\"resync\",\"dropped\":" + dropped + ",\"from\":" + from + "}";
  }

  public static String exit(int code) {
    return "{\"type\":\"exit\",\"code\":" + code + "}";
  }

  /**
   * A notice for the person at the terminal.
   *
   * @param secondsLeft for an idle warning, the time left; negative when not applicable
   */
  public static String notice(String kind, String message, long secondsLeft) {
    var builder = JSON.createObjectBuilder().add("type", "notice").add("kind", kind);
    builder.add("message", message);
    if (secondsLeft >= 0) {
      builder.add("secondsLeft", secondsLeft);
    }
    return builder.build().toString();
  }

  /**
   * To the session's user (policy {@code consent}): administrator {@code admin} asks to observe;
   * answered with {@code observe-answer} within {@code secondsLeft}.
   */
  public static String observeRequest(String requestId, String admin, long secondsLeft) {
    return JSON.createObjectBuilder()
        .add("type", "observe-request")
        .add("requestId", requestId)
        .add("admin", admin)
        .add("secondsLeft", secondsLeft)
        .build()
        .toString();
  }

  /**
   * To the session's user: the request is settled ({@code accepted}, {@code declined}, {@code
   * expired} or {@code withdrawn}); every tab takes its prompt down.
   */
  public static String observeRequestOver(String requestId, String outcome) {
    return JSON.createObjectBuilder()
        .add("type", "observe-request-over")
        .add("requestId", requestId)
        .add("outcome", outcome)
        .build()
        .toString();
  }

  /** To the observer (policy {@code consent}): nothing is shown until {@code user} agrees. */
  public static String awaitingConsent(String user, long secondsLeft) {
    return JSON.createObjectBuilder()
        .add("type", "awaiting-consent")
        .add("user", user)
        .add("secondsLeft", secondsLeft)
        .build()
        .toString();
  }

  /** An administrator's notice ({@code broadcast}), naming the administrator ({@code from}). */
  public static String broadcast(String message, String from) {
    return JSON.createObjectBuilder()
        .add("type", "notice")
        .add("kind", "broadcast")
        .add("message", message)
        .add("from", from)
        .build()
        .toString();
  }
}
