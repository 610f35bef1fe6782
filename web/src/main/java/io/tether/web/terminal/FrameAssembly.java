package io.tether.web.terminal;

import io.tether.connection.ClientConnection;
import io.tether.protocol.CloseCode;
import io.tether.protocol.Limits;
import io.tether.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * Puts partial WebSocket messages back together within the protocol's size limits, enforced here
 * because the container does not limit text frames, and hands whole frames to the connection, and
 * its end. What both endpoints do with their messages, one per connection; the container calls it
 * for one message at a time. Once a fault, a close or an error has come, nothing that still arrives
 * is acted on.
 */
final class FrameAssembly {
  private final ClientConnection connection;
  private final BooleanSupplier containerClosing;
  private volatile boolean shut;
  private StringBuilder textParts;
  private ByteBuffer binaryParts;

  FrameAssembly(ClientConnection connection) {
    this(connection, () -> false);
  }

  /**
   * @param containerClosing whether the container has begun closing the connection (it found a
   *     fault in a frame, or a close went either way): from then on nothing more is acted on, even
   *     a message the container still delivers
   */
  FrameAssembly(ClientConnection connection, BooleanSupplier containerClosing) {
    this.connection = connection;
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
      connection.onText(part);
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
      connection.onText(whole);
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
      connection.onBinary(part);
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
      connection.onBinary(whole);
    }
  }

  /**
   * The transport closed.
   *
   * @param abrupt true when the peer vanished without a close (a reset, a cut, an error)
   */
  void closed(boolean abrupt) {
    shut = true;
    connection.onClosed(abrupt);
  }

  private void tooLarge() {
    shut = true;
    textParts = null;
    binaryParts = null;
    connection.refuse(
        new ProtocolException(
            CloseCode.FRAME_TOO_LARGE, "A frame was larger than the protocol allows."));
  }
}
