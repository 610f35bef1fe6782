package io.tether.web.terminal;

import io.tether.connection.ClientConnection;
import io.tether.protocol.CloseCode;
import io.tether.protocol.Limits;
import io.tether.protocol.ProtocolException;
import java.nio.ByteBuffer;

/**
 * Puts partial WebSocket messages back together within the protocol's size limits, enforced here
 * because the container does not limit text frames, and hands whole frames to the connection, and
 * its end. What both endpoints do with their messages, one per connection; the container calls it
 * for one message at a time.
 */
final class FrameAssembly {
  private final ClientConnection connection;
  private StringBuilder textParts;
  private ByteBuffer binaryParts;

  FrameAssembly(ClientConnection connection) {
    this.connection = connection;
  }

  void text(String part, boolean last) {
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
    connection.onClosed(abrupt);
  }

  private void tooLarge() {
    textParts = null;
    binaryParts = null;
    connection.refuse(
        new ProtocolException(
            CloseCode.FRAME_TOO_LARGE, "A frame was larger than the protocol allows."));
  }
}
