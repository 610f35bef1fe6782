package io.tether.session;

import io.tether.protocol.OffsetFrame;
import java.nio.ByteBuffer;

/**
 * The session's output: a ring of the most recent {@code capacity} bytes, addressed by absolute
 * offset (byte 0 is the first byte the shell ever wrote). One writer (the PTY reader) appends; any
 * number of clients read from their own cursor with {@link #read}. A cursor older than {@link
 * #tail()} has been overwritten. The log's lock never leaves it: every answer that needs two of its
 * values consistent (a resume point, a read) is one call.
 */
public final class OutputLog {
  /** What a reader at a cursor gets next. */
  public sealed interface Read {}

  /** The next output frame: header and payload, ready to send. */
  public record Frame(ByteBuffer frame, int payloadBytes) implements Read {}

  /** The cursor was overwritten: the reader continues at {@code tail}, {@code dropped} bytes on. */
  public record Behind(long tail, long dropped) implements Read {}

  /** Nothing to send now: the reader is at the head, or at the end of what it may be sent. */
  public record Nothing(boolean atHead) implements Read {}

  /** Where a client resuming at some offset starts, and the head at that moment. */
  public record ResumePoint(long from, long head) {}

  private final Object lock = new Object();
  private byte[] ring; // guarded by lock; shrinks once, when the session ends (retainFrom)
  private long head; // guarded by lock

  public OutputLog(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.ring = new byte[capacity];
  }

  public int capacity() {
    synchronized (lock) {
      return ring.length;
    }
  }

  /** The offset one past the newest byte: how many bytes the shell has written in all. */
  public long head() {
    synchronized (lock) {
      return head;
    }
  }

  /** The offset of the oldest byte still held. */
  public long tail() {
    synchronized (lock) {
      return tailLocked();
    }
  }

  private long tailLocked() {
    return Math.max(0, head - ring.length);
  }

  /**
   * Keeps only the bytes from {@code from} to the head and lets the rest of the ring go: an ended
   * session's clients still need the output they were not sent yet, nothing older. {@code from} at
   * the head keeps nothing; later appends then only count.
   */
  public void retainFrom(long from) {
    synchronized (lock) {
      long start = Math.max(from, tailLocked());
      int keep = (int) Math.max(0, head - start);
      if (keep == ring.length) {
        return;
      }
      byte[] kept = new byte[keep];
      for (long offset = start; offset < head; ) {
        int source = (int) (offset % ring.length);
        int target = (int) (offset % keep);
        int run = (int) Math.min(head - offset, Math.min(ring.length - source, keep - target));
        System.arraycopy(ring, source, kept, target, run);
        offset += run;
      }
      ring = kept;
    }
  }

  public void append(byte[] bytes, int from, int length) {
    synchronized (lock) {
      if (ring.length == 0) {
        head += length; // nothing is kept any more
        return;
      }
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
  }

  /**
   * Where a client asking to resume at {@code requested} starts: there, or at the oldest byte still
   * held if that is later.
   *
   * @throws IllegalArgumentException if {@code requested} is beyond the head
   */
  public ResumePoint resumePoint(long requested) {
    synchronized (lock) {
      if (requested > head) {
        throw new IllegalArgumentException(
            "resume offset " + requested + " is beyond the output head " + head);
      }
      return new ResumePoint(Math.max(requested, tailLocked()), head);
    }
  }

  /**
   * What a reader at {@code cursor} gets next, sending nothing at or beyond {@code until} (its
   * flow-control window's end).
   */
  public Read read(long cursor, long until, int maxPayload) {
    synchronized (lock) {
      long tail = tailLocked();
      if (cursor < tail) {
        return new Behind(tail, tail - cursor);
      }
      long end = Math.min(head, until);
      if (cursor >= end) {
        return new Nothing(cursor == head);
      }
      int length = (int) Math.min(maxPayload, end - cursor);
      return new Frame(frameLocked(cursor, length), length);
    }
  }

  /**
   * An output frame holding up to {@code maxPayload} bytes from {@code offset}, or null when
   * nothing is available there yet.
   *
   * @throws IllegalArgumentException if {@code offset} is outside {@code [tail, head]}
   */
  public ByteBuffer frame(long offset, int maxPayload) {
    synchronized (lock) {
      long tail = tailLocked();
      if (offset < tail || offset > head) {
        throw new IllegalArgumentException(
            "offset " + offset + " outside [" + tail + ", " + head + "]");
      }
      int length = (int) Math.min(maxPayload, head - offset);
      return length == 0 ? null : frameLocked(offset, length);
    }
  }

  private ByteBuffer frameLocked(long offset, int length) {
    return OffsetFrame.encode(offset, ring, (int) (offset % ring.length), length);
  }
}
