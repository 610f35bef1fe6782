package io.tether.web.terminal;

import io.tether.protocol.CloseCode;
import io.tether.protocol.Limits;
import io.tether.relay.RelayConnector;
import io.tether.session.ClientConnection;
import io.tether.session.SessionManager;
import io.tether.ticket.TicketStore;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The browser's terminal connection (protocol v1, docs/protocol.md). Transport only: assembles
 * frames within the size limits (enforced here, since the container does not limit text frames) and
 * hands them to a {@link ClientConnection}.
 */
@ServerEndpoint(
    value = "/ws/terminal",
    subprotocols = Limits.SUBPROTOCOL,
    configurator = OriginCheck.class)
public class TerminalEndpoint {
  private static final Logger LOG = Logger.getLogger(TerminalEndpoint.class.getName());
  private static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);

  @Inject SessionManager sessions;
  @Inject TicketStore tickets;
  @Resource ManagedScheduledExecutorService scheduler;

  @Inject RelayConnector relays;

  private ClientConnection connection;
  private FrameAssembly frames;

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
    ClientConnection opened = new ClientConnection(channel, tickets, sessions, relays, false);
    connection = opened;
    frames = new FrameAssembly(opened);
    opened.expectHelloWithin(scheduler, HELLO_TIMEOUT);
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
    if (connection != null) {
      connection.onClosed();
    }
  }

  @OnError
  public void failed(Session ws, Throwable error) {
    // Resets and timeouts are how networks fail; the close that follows detaches the client.
    LOG.log(Level.FINE, error, () -> "ws-" + ws.getId() + ": transport error");
    if (connection != null) {
      connection.onClosed();
    }
  }
}
