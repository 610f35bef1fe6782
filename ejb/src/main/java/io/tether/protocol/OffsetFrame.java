package io.tether.protocol;

import java.nio.ByteBuffer;

/**
 * A binary frame: an 8-byte big-endian absolute offset, then the payload. Output frames carry the
 * offset in the session's output stream; input frames the offset in the client's input stream.
 *
 * @param offset absolute position of the payload's first byte
 * @param payload a read-only view of the payload bytes
 */
public record OffsetFrame(long offset, ByteBuffer payload) {
  public static final int HEADER_BYTES = Long.BYTES;

  /** Decodes a complete binary frame; the payload is a view of {@code frame}, not a copy. */
  public static OffsetFrame decode(ByteBuffer frame) throws ProtocolException {
    if (frame.remaining() < HEADER_BYTES) {
      throw new ProtocolException(
          CloseCode.PROTOCOL_ERROR, "binary frame shorter than its 8-byte offset");
    }
    if (frame.remaining() > Limits.MAX_BINARY_BYTES) {
      throw new ProtocolException(CloseCode.FRAME_TOO_LARGE, "binary frame over 65544 bytes");
    }
    ByteBuffer view = frame.duplicate();
    long offset = view.getLong();
    if (offset < 0) {
      throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "negative offset");
    }
    return new OffsetFrame(offset, view.slice().asReadOnlyBuffer());
  }

  /**
   * Encodes {@code length} bytes of {@code source} from {@code from} as a frame at {@code offset}.
   * The source is read as a ring: bytes past its end continue at its start (an output log's ring
   * hands out a frame that straddles its end without a copy of its own).
   */
  public static ByteBuffer encode(long offset, byte[] source, int from, int length) {
    ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + length);
    int first = Math.min(length, source.length - from);
    frame.putLong(offset).put(source, from, first).put(source, 0, length - first).flip();
    return frame;
  }

  /**
   * A frame at {@code offset} with room for {@code length} payload bytes, its offset written: put
   * exactly {@code length} bytes, then flip it. For a payload that lies in several pieces (an
   * output log's chunks), without a copy of its own.
   */
  public static ByteBuffer allocate(long offset, int length) {
    return ByteBuffer.allocate(HEADER_BYTES + length).putLong(offset);
  }

  public int length() {
    return payload.remaining();
  }
}
