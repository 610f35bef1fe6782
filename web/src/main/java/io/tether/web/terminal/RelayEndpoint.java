package io.tether.web.terminal;

import io.tether.connection.Connections;
import io.tether.protocol.ClientChannel;
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
 * The owner's end of a relay from another node of the cluster. Its first frame is a {@code
 * relay-hello} whose HMAC proves a node holding the cluster secret sent it; after that it speaks
 * protocol v1 exactly like {@link TerminalEndpoint}. Not for browsers: no Origin applies, the
 * shipped load balancer does not pass it on, and every close carries only its code's public
 * sentence ({@link NeutralReasons}).
 */
@ServerEndpoint(value = "/ws/relay", subprotocols = Limits.SUBPROTOCOL)
public class RelayEndpoint {
  private static final Logger LOG = Logger.getLogger(RelayEndpoint.class.getName());

  @Inject Connections connections;
  @Inject Workers workers;

  private FrameAssembly frames; // null for a refused handshake

  @OnOpen
  public void open(Session ws) {
    ClientChannel channel = new NeutralReasons(new WebSocketChannel(ws));
    if (!Limits.SUBPROTOCOL.equals(ws.getNegotiatedSubprotocol())) {
      channel.close(CloseCode.PROTOCOL_ERROR, "relay handshake without the subprotocol");
      return;
    }
    frames = new FrameAssembly(connections.fromRelay(channel), workers, new ContainerClosing(ws));
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
      frames.closed(TerminalEndpoint.vanished(reason));
    }
  }

  @OnError
  public void failed(Session ws, Throwable error) {
    Level level = error instanceof IOException ? Level.FINE : Level.SEVERE;
    LOG.log(level, error, () -> "relay ws-" + ws.getId() + ": failed");
    if (frames != null) {
      frames.closed(true);
    }
  }
}
