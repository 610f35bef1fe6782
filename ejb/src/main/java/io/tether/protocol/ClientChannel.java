package io.tether.protocol;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The transport under one attached client (a WebSocket). Sends are asynchronous; {@link Attachment}
 * guarantees one at a time, so an implementation never sees concurrent sends.
 */
public interface ClientChannel {
  /** Sends a binary frame; {@code done} receives null on success or the failure. */
  void sendBinary(ByteBuffer frame, Consumer<Throwable> done);

  void sendText(String text, Consumer<Throwable> done);

  void sendPing(Consumer<Throwable> done);

  /** Closes the connection with a Tether close code; safe to call more than once. */
  default void close(CloseCode code, String reason) {
    close(code.code(), reason);
  }

  /** Closes the connection with any close code (a relay passes the owner's on unchanged). */
  void close(int code, String reason);

  /** A short description for logs (remote address, connection id). */
  String describe();
}
