package io.tether.web.terminal;

import io.tether.connection.Connections;
import io.tether.protocol.Limits;
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
 * The owner's end of a relay from another node of the cluster. Its first frame is a {@code
 * relay-hello} whose HMAC proves a node holding the cluster secret sent it; after that it speaks
 * protocol v1 exactly like {@link TerminalEndpoint}. Not for browsers: no Origin applies.
 */
@ServerEndpoint(value = "/ws/relay", subprotocols = Limits.SUBPROTOCOL)
public class RelayEndpoint {
  private static final Logger LOG = Logger.getLogger(RelayEndpoint.class.getName());

  @Inject Connections connections;

  private FrameAssembly frames;

  @OnOpen
  public void open(Session ws) {
    frames = new FrameAssembly(connections.fromRelay(new WebSocketChannel(ws)));
  }

  @OnMessage
  public void text(String part, boolean last) {
    frames.text(part, last);
  }

  @OnMessage
  public void binary(ByteBuffer part, boolean last) {
    frames.binary(part, last);
  }

  @OnClose
  public void closed(Session ws, CloseReason reason) {
    frames.closed(TerminalEndpoint.vanished(reason));
  }

  @OnError
  public void failed(Session ws, Throwable error) {
    Level level = error instanceof IOException ? Level.FINE : Level.SEVERE;
    LOG.log(level, error, () -> "relay ws-" + ws.getId() + ": failed");
    frames.closed(true);
  }
}
