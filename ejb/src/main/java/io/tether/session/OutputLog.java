package io.tether.session;

import io.tether.protocol.OffsetFrame;
import java.nio.ByteBuffer;

/**
 * The session's output: a ring of the most recent {@code capacity} bytes, addressed by absolute
 * offset (byte 0 is the first byte the shell ever wrote). One writer (the PTY reader) appends; any
 * number of clients read from their own cursor. A cursor older than {@link #tail()} has been
 * overwritten.
 */
public final class OutputLog {
  private final byte[] ring;
  private long head;

  public OutputLog(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.ring = new byte[capacity];
  }

  public int capacity() {
    return ring.length;
  }

  /** The offset one past the newest byte: how many bytes the shell has written in all. */
  public synchronized long head() {
    return head;
  }

  /** The offset of the oldest byte still held. */
  public synchronized long tail() {
    return Math.max(0, head - ring.length);
  }

  public synchronized void append(byte[] bytes, int from, int length) {
    if (length > ring.length) {
      // Only the newest capacity bytes can be kept; the rest is overwritten at once anyway.
      head += length - ring.length;
      from += length - ring.length;
      length = ring.length;
    }
    int at = (int) (head % ring.length);
    int first = Math.min(length, ring.length - at);
    System.arraycopy(bytes, from, ring, at, first);
    System.arraycopy(bytes, from + first, ring, 0, length - first);
    head += length;
  }

  /**
   * An output frame holding up to {@code maxPayload} bytes from {@code offset}, or null when
   * nothing is available there yet.
   *
   * @throws IllegalArgumentException if {@code offset} is outside {@code [tail, head]}
   */
  public synchronized ByteBuffer frame(long offset, int maxPayload) {
    long tail = tail();
    if (offset < tail || offset > head) {
      throw new IllegalArgumentException(
          "offset " + offset + " outside [" + tail + ", " + head + "]");
    }
    int length = (int) Math.min(maxPayload, head - offset);
    if (length == 0) {
      return null;
    }
    ByteBuffer frame = ByteBuffer.allocate(OffsetFrame.HEADER_BYTES + length);
    frame.putLong(offset);
    int at = (int) (offset % ring.length);
    int first = Math.min(length, ring.length - at);
    frame.put(ring, at, first).put(ring, 0, length - first).flip();
    return frame;
  }
}
