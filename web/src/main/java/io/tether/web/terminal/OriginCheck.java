package io.tether.web.terminal;

import io.tether.config.TetherSettings;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;

/**
 * Judges the handshake's Origin against its Host and hands the verdict to the endpoint, which
 * closes a rejected connection with {@code 4002} before reading anything. The user properties seen
 * here are a per-connection copy (Jakarta WebSocket 2.1), so verdicts cannot leak between
 * handshakes.
 */
public class OriginCheck extends ServerEndpointConfig.Configurator {
  static final String ORIGIN_ALLOWED = "tether.origin.allowed";

  private volatile OriginPolicy policy;

  @Override
  public void modifyHandshake(
      ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
    String origin = header(request.getHeaders(), "Origin");
    String host = header(request.getHeaders(), "Host");
    config.getUserProperties().put(ORIGIN_ALLOWED, policy().allows(origin, host));
  }

  private OriginPolicy policy() {
    OriginPolicy current = policy;
    if (current == null) {
      TetherSettings settings = CDI.current().select(TetherSettings.class).get();
      current = new OriginPolicy(settings.allowedOrigins());
      policy = current;
    }
    return current;
  }

  private static String header(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
        return header.getValue().get(0);
      }
    }
    return null;
  }
}
