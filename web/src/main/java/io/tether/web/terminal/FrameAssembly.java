package io.tether.web.terminal;

import io.tether.connection.ClientConnection;
import io.tether.protocol.CloseCode;
import io.tether.protocol.Limits;
import io.tether.protocol.ProtocolException;
import io.tether.work.InOrder;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Puts partial WebSocket messages back together within the protocol's size limits, enforced here
 * because the container does not limit text frames, and hands whole frames to the connection, and
 * its end. What both endpoints do with their messages, one per connection; the container calls it
 * for one message at a time. Once a fault, a close or an error has come, nothing that still arrives
 * is acted on.
 *
 * <p>The container calls it on the connection's I/O thread (WildFly: {@code dispatch-to-worker}
 * off), which must not wait: frames are acted on {@link InOrder} on worker threads, except a
 * keystroke, which is written to the shell right here when nothing of the connection is pending and
 * the shell takes it at once. That saves a keystroke's echo one thread's wake-up.
 */
final class FrameAssembly {
  private final ClientConnection connection;
  private final BooleanSupplier containerClosing;
  private final InOrder inOrder;
  private volatile boolean shut;
  private StringBuilder textParts;
  private ByteBuffer binaryParts;

  FrameAssembly(ClientConnection connection, Executor workers) {
    this(connection, workers, () -> false);
  }

  /**
   * @param workers where frames that may wait are acted on
   * @param containerClosing whether the container has begun closing the connection (it found a
   *     fault in a frame, or a close went either way): from then on nothing more is acted on, even
   *     a message the container still delivers
   */
  FrameAssembly(ClientConnection connection, Executor workers, BooleanSupplier containerClosing) {
    this.connection = connection;
    this.inOrder = new InOrder(workers, "a connection");
    this.containerClosing = containerClosing;
  }

  /** Whether a message may still act: no fault, close or error has come before it. */
  private boolean admits() {
    if (shut) {
      return false;
    }
    if (containerClosing.getAsBoolean()) {
      shut = true;
      textParts = null;
      binaryParts = null;
      return false;
    }
    return true;
  }

  void text(String part, boolean last) {
    if (!admits()) {
      return;
    }
    if (textParts == null && last) {
      if (part.length() > Limits.MAX_TEXT_BYTES) {
        tooLarge();
        return;
      }
      inOrder.run(() -> connection.onText(part));
      return;
    }
    if (textParts == null) {
      textParts = new StringBuilder();
    }
    // Characters never outnumber UTF-8 bytes, so this bounds memory before the exact byte check.
    if (textParts.length() + part.length() > Limits.MAX_TEXT_BYTES) {
      tooLarge();
      return;
    }
    textParts.append(part);
    if (last) {
      String whole = textParts.toString();
      textParts = null;
      inOrder.run(() -> connection.onText(whole));
    }
  }

  void binary(ByteBuffer part, boolean last) {
    if (!admits()) {
      return;
    }
    if (binaryParts == null && last) {
      if (part.remaining() > Limits.MAX_BINARY_BYTES) {
        tooLarge();
        return;
      }
      binaryFrame(part);
      return;
    }
    if (binaryParts == null) {
      binaryParts = ByteBuffer.allocate(Limits.MAX_BINARY_BYTES);
    }
    if (part.remaining() > binaryParts.remaining()) {
      tooLarge();
      return;
    }
    binaryParts.put(part);
    if (last) {
      ByteBuffer whole = binaryParts.flip();
      binaryParts = null;
      binaryFrame(whole);
    }
  }

  private void binaryFrame(ByteBuffer frame) {
    if (inOrder.idle() && connection.inputNow(frame)) {
      return;
    }
    // The container reuses its buffer once this call returns.
    ByteBuffer copy = ByteBuffer.allocate(frame.remaining()).put(frame.duplicate()).flip();
    inOrder.run(() -> connection.onBinary(copy));
  }

  /**
   * The transport closed.
   *
   * @param abrupt true when the peer vanished without a close (a reset, a cut, an error)
   */
  void closed(boolean abrupt) {
    shut = true;
    inOrder.run(() -> connection.onClosed(abrupt));
  }

  private void tooLarge() {
    shut = true;
    textParts = null;
    binaryParts = null;
    ProtocolException fault =
        new ProtocolException(
            CloseCode.FRAME_TOO_LARGE, "A frame was larger than the protocol allows.");
    inOrder.run(() -> connection.refuse(fault));
  }
}
