package io.tether.web.terminal;

import io.tether.connection.Connections;
import io.tether.protocol.CloseCode;
import io.tether.protocol.Limits;
import io.tether.work.Workers;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The browser's terminal connection (protocol v1, docs/protocol.md). Transport only: checks the
 * handshake, then hands every message to the connection's {@link FrameAssembly}.
 */
@ServerEndpoint(
    value = "/ws/terminal",
    subprotocols = Limits.SUBPROTOCOL,
    configurator = OriginCheck.class)
public class TerminalEndpoint {
  private static final Logger LOG = Logger.getLogger(TerminalEndpoint.class.getName());

  @Inject Connections connections;
  @Inject Workers workers;

  private FrameAssembly frames; // null for a refused handshake

  @OnOpen
  public void open(Session ws) {
    WebSocketChannel channel = new WebSocketChannel(ws);
    if (!Limits.SUBPROTOCOL.equals(ws.getNegotiatedSubprotocol())) {
      channel.close(CloseCode.PROTOCOL_ERROR, "The WebSocket subprotocol tether.v1 is required.");
      return;
    }
    if (Boolean.FALSE.equals(ws.getUserProperties().get(OriginCheck.ORIGIN_ALLOWED))) {
      LOG.warning(() -> channel.describe() + ": handshake from a foreign origin refused");
      channel.close(CloseCode.ORIGIN_REJECTED, CloseCode.ORIGIN_REJECTED.sentence());
      return;
    }
    frames = new FrameAssembly(connections.fromBrowser(channel), workers, new ContainerClosing(ws));
  }

  @OnMessage
  public void text(String part, boolean last) {
    if (frames != null) {
      frames.text(part, last);
    }
  }

  @OnMessage
  public void binary(ByteBuffer part, boolean last) {
    if (frames != null) {
      frames.binary(part, last);
    }
  }

  @OnClose
  public void closed(Session ws, CloseReason reason) {
    if (frames != null) {
      frames.closed(vanished(reason));
    }
  }

  /**
   * Whether the client vanished rather than left: a page that leaves on purpose (closed, reloaded,
   * navigated away) closes with 1000 or 1001; a connection that ended any other way (no close
   * frame: 1005, 1006, as a network blip ends it) vanished.
   */
  static boolean vanished(CloseReason reason) {
    int code = reason.getCloseCode().getCode();
    return code != CloseReason.CloseCodes.NORMAL_CLOSURE.getCode()
        && code != CloseReason.CloseCodes.GOING_AWAY.getCode();
  }

  @OnError
  public void failed(Session ws, Throwable error) {
    // Resets and timeouts are how networks fail; the close that follows detaches the client.
    // Anything else is a fault of the server's own and must be seen.
    Level level = error instanceof IOException ? Level.FINE : Level.SEVERE;
    LOG.log(level, error, () -> "ws-" + ws.getId() + ": failed");
    if (frames != null) {
      frames.closed(true);
    }
  }
}
