package io.tether.session;

import io.tether.protocol.OffsetFrame;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The session's output: the most recent {@code capacity} bytes, addressed by absolute offset (byte
 * 0 is the first byte the shell ever wrote). One writer (the PTY reader) appends; any number of
 * clients read from their own cursor with {@link #read}. A cursor older than {@link #tail()} has
 * been overwritten. The log's lock never leaves it: every answer that needs two of its values
 * consistent (a resume point, a read) is one call.
 *
 * <p>The bytes live in fixed-size chunks from a {@link ChunkPool}: chunk {@code n} holds offsets
 * {@code [n * chunkBytes, (n + 1) * chunkBytes)}. The log takes a chunk when its output reaches it
 * and gives back every chunk that falls wholly out of {@code [tail, head)}, so it holds what its
 * output needs (at most {@code capacity} plus two chunks), not {@code capacity} from the start.
 */
public final class OutputLog {
  /**
   * The share of the heap all logs together may hold: past it, each log that grows gives up its
   * oldest chunk for its newest (its window shrinks, down to {@link #MIN_CHUNKS_UNDER_PRESSURE}),
   * and new sessions are refused (node.Admission).
   */
  public static final double HEAP_SHARE = 0.5;

  /** A log shrinks under memory pressure to no fewer chunks than this (128 KiB). */
  static final int MIN_CHUNKS_UNDER_PRESSURE = 8;

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

  /** Where {@link #appendFrom} reads from: the PTY, for a session. */
  public interface Source {
    /**
     * Reads into {@code into[from, from + length)}: waits for the first bytes, then takes what is
     * already pending without waiting again.
     *
     * @return how many bytes were read, or -1 once the output has ended
     */
    int read(byte[] into, int from, int length) throws IOException;

    /** Whether more can be read right now without waiting. */
    boolean pending();
  }

  private final Object lock = new Object();
  private final ChunkPool pool;
  private final int chunkBytes;
  // guarded by lock; shrinks when the session ends (retainFrom), or when the logs of the node hold
  // their share of the heap (writableLocked); never grows, so the tail never moves back
  private int capacity;
  private long head; // guarded by lock
  // The chunks held, numbers firstChunk to firstChunk + count - 1, as a ring of slots.
  private byte[][] slots = new byte[2][]; // guarded by lock; its length a power of two
  private int first; // guarded by lock: the slot of chunk firstChunk
  private int count; // guarded by lock
  private long firstChunk; // guarded by lock
  private boolean writing; // guarded by lock: appendFrom reads into chunks from the head's on

  public OutputLog(int capacity) {
    this(capacity, ChunkPool.SHARED);
  }

  OutputLog(int capacity, ChunkPool pool) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
    this.pool = pool;
    this.chunkBytes = pool.chunkBytes();
  }

  /**
   * How many of the newest bytes the log keeps: a client may resume anywhere within them. Its
   * configured size while the session lives, less what it gave up under memory pressure; once the
   * session ended, only what its clients were still owed ({@link #retainFrom}).
   */
  public int capacity() {
    synchronized (lock) {
      return capacity;
    }
  }

  /** The memory the log holds now, in bytes: its chunks. */
  public long heldBytes() {
    synchronized (lock) {
      return (long) count * chunkBytes;
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
    return Math.max(0, head - capacity);
  }

  /**
   * Keeps only the bytes from {@code from} to the head and lets the rest go: an ended session's
   * clients still need the output they were not sent yet, nothing older. {@code from} at the head
   * keeps nothing; later appends then only count.
   */
  public void retainFrom(long from) {
    synchronized (lock) {
      long start = Math.max(from, tailLocked());
      capacity = (int) Math.max(0, Math.min(capacity, head - start));
      trimLocked();
    }
  }

  public void append(byte[] bytes, int from, int length) {
    synchronized (lock) {
      if (writing) {
        throw new IllegalStateException("the log has one writer");
      }
      if (length > capacity) {
        // Only the newest capacity bytes can be kept; the rest is overwritten at once anyway.
        head += length - capacity;
        from += length - capacity;
        length = capacity;
        releaseBeforeLocked(head / chunkBytes); // all that stays is what is written now
      }
      for (long offset = head, end = head + length; offset < end; ) {
        int at = (int) (offset % chunkBytes);
        int run = (int) Math.min(end - offset, chunkBytes - at);
        System.arraycopy(bytes, from, writableLocked(offset), at, run);
        from += run;
        offset += run;
      }
      head += length;
      trimLocked();
    }
  }

  /**
   * Reads the next batch of at most {@code maxBytes} from {@code source} straight into the log, and
   * appends it: waits for the first bytes, then takes what is pending across chunks without waiting
   * again. The wait holds no lock: clients read what is there meanwhile. One writer at a time.
   *
   * @return how many bytes were appended, or -1 once the source has ended
   */
  public int appendFrom(Source source, int maxBytes) throws IOException {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive");
    }
    synchronized (lock) {
      if (writing) {
        throw new IllegalStateException("the log has one writer");
      }
      writing = true;
    }
    int total = 0;
    try {
      for (; ; ) {
        byte[] chunk;
        int at;
        synchronized (lock) {
          long offset = head + total;
          chunk = writableLocked(offset);
          at = (int) (offset % chunkBytes);
        }
        // Bytes past the head: no reader looks at them before the head moves past them, under the
        // lock, and no chunk from the head's on is given back while this writer holds them.
        int room = Math.min(chunkBytes - at, maxBytes - total);
        int n = source.read(chunk, at, room);
        if (n < 0) {
          return total > 0 ? total : -1;
        }
        total += n;
        if (n < room || total == maxBytes || !source.pending()) {
          return total;
        }
      }
    } finally {
      synchronized (lock) {
        writing = false;
        head += total;
        trimLocked();
      }
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

  /** The frame of {@code [offset, offset + length)}, within the window; its chunks one by one. */
  private ByteBuffer frameLocked(long offset, int length) {
    ByteBuffer frame = OffsetFrame.allocate(offset, length);
    long chunk = offset / chunkBytes;
    int at = (int) (offset % chunkBytes);
    for (int left = length; left > 0; chunk++, at = 0) {
      int run = Math.min(left, chunkBytes - at);
      frame.put(slots[slotLocked(chunk)], at, run);
      left -= run;
    }
    return frame.flip();
  }

  private int slotLocked(long chunk) {
    return (first + (int) (chunk - firstChunk)) & (slots.length - 1);
  }

  /** The chunk holding {@code offset} (at or past the head), taken from the pool if needed. */
  private byte[] writableLocked(long offset) {
    long chunk = offset / chunkBytes;
    if (count == 0) {
      firstChunk = chunk;
    } else if (chunk < firstChunk) {
      throw new IllegalStateException("chunk " + chunk + " is before the log's first");
    }
    while (firstChunk + count <= chunk) {
      shrinkIfPressedLocked();
      if (count == slots.length) {
        byte[][] grown = new byte[slots.length * 2][];
        for (int i = 0; i < count; i++) {
          grown[i] = slots[(first + i) & (slots.length - 1)];
        }
        slots = grown;
        first = 0;
      }
      slots[(first + count) & (slots.length - 1)] = pool.take();
      count++;
    }
    return slots[slotLocked(chunk)];
  }

  /**
   * When the node's logs hold their share of the heap, a log that needs a new chunk gives up its
   * oldest one first, by shrinking its window past it: clients that were further behind are told
   * what they missed ({@code resync}), as when any log overruns them, and the heap never holds more
   * than the share. Not below {@link #MIN_CHUNKS_UNDER_PRESSURE}, and never a chunk at or past the
   * head (a writer may be reading into it).
   */
  private void shrinkIfPressedLocked() {
    long newTail = (firstChunk + 1) * chunkBytes;
    if (count >= MIN_CHUNKS_UNDER_PRESSURE && newTail <= head && pool.overBudget()) {
      capacity = (int) Math.min(capacity, head - newTail);
      releaseBeforeLocked(firstChunk + 1);
    }
  }

  /**
   * Gives back every chunk wholly outside {@code [tail, head)}, except those a writer reads into
   * (from the head's chunk on).
   */
  private void trimLocked() {
    long tail = tailLocked();
    long keepFrom = tail < head ? tail / chunkBytes : head / chunkBytes;
    long keepTo = tail < head ? (head - 1) / chunkBytes + 1 : keepFrom; // exclusive
    if (writing) {
      keepFrom = Math.min(keepFrom, head / chunkBytes);
      keepTo = Long.MAX_VALUE;
    }
    releaseBeforeLocked(keepFrom);
    while (count > 0 && firstChunk + count > keepTo) {
      int last = (first + count - 1) & (slots.length - 1);
      pool.give(slots[last]);
      slots[last] = null;
      count--;
    }
    if (count == 0 && slots.length > 2) {
      slots = new byte[2][];
      first = 0;
    }
  }

  /** Gives back the chunks before chunk number {@code keepFrom}. */
  private void releaseBeforeLocked(long keepFrom) {
    while (count > 0 && firstChunk < keepFrom) {
      pool.give(slots[first]);
      slots[first] = null;
      first = (first + 1) & (slots.length - 1);
      firstChunk++;
      count--;
    }
  }
}
