package io.tether.web.terminal;

import io.tether.protocol.ClientChannel;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A {@link ClientChannel} on a Jakarta WebSocket session, with asynchronous sends. */
final class WebSocketChannel implements ClientChannel {
  private static final Logger LOG = Logger.getLogger(WebSocketChannel.class.getName());
  private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);

  private final Session ws;
  private final String description;

  WebSocketChannel(Session ws) {
    this.ws = ws;
    this.description = "ws-" + ws.getId();
  }

  @Override
  public void sendBinary(ByteBuffer frame, Consumer<Throwable> done) {
    ws.getAsyncRemote().sendBinary(frame, handler(done));
  }

  @Override
  public void sendText(String text, Consumer<Throwable> done) {
    ws.getAsyncRemote().sendText(text, handler(done));
  }

  @Override
  public void sendPing(Consumer<Throwable> done) {
    try {
      ws.getAsyncRemote().sendPing(NO_DATA.duplicate());
      done.accept(null);
    } catch (IOException | RuntimeException e) {
      done.accept(e);
    }
  }

  @Override
  public void close(int code, String reason) {
    if (!ws.isOpen()) {
      return;
    }
    try {
      ws.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
    } catch (IOException | RuntimeException e) {
      // The peer is already gone; there is nobody left to tell.
      LOG.log(Level.FINE, e, () -> description + ": close failed");
    }
  }

  @Override
  public String describe() {
    return description;
  }

  private static SendHandler handler(Consumer<Throwable> done) {
    return result -> done.accept(result.isOK() ? null : result.getException());
  }
}
