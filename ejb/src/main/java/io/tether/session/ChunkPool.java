package io.tether.session;

/**
 * The fixed-size chunks output logs are made of, shared by the logs of a node: a log takes a chunk
 * when its output reaches a new one and gives it back when the chunk falls out of its window or the
 * session ends. Up to {@code maxFree} chunks given back wait here for the next log that grows (a
 * streaming log takes one and gives one back every chunk it writes); the rest are left to the
 * collector, so a node whose sessions went quiet holds at most that much beside its logs.
 *
 * <p>A chunk is handed out as it was given back, with another session's old bytes in it: a log only
 * ever reads bytes it wrote itself, between its tail and its head, so they are never seen.
 */
final class ChunkPool {
  /** 16 KiB: a screenful and a prompt fit in one; docs/architecture.md says why this size. */
  static final int CHUNK_BYTES = 16 * 1024;

  /** Up to 4 MiB of free chunks (one default log's worth) wait for reuse. */
  static final int MAX_FREE = 256;

  /** The pool of this deployment's logs: its budget is {@link OutputLog#HEAP_SHARE} of the heap. */
  static final ChunkPool SHARED =
      new ChunkPool(
          CHUNK_BYTES,
          MAX_FREE,
          (long) (Runtime.getRuntime().maxMemory() * OutputLog.HEAP_SHARE) / CHUNK_BYTES);

  private final int chunkBytes;
  private final long budget;
  private final byte[][] free; // guarded by this
  private int freeCount; // guarded by this
  private long inUse; // guarded by this: taken and not given back

  ChunkPool(int chunkBytes, int maxFree) {
    this(chunkBytes, maxFree, Long.MAX_VALUE);
  }

  /**
   * @param budget how many chunks the logs may hold together before each log that grows gives up
   *     its oldest chunk for its newest instead ({@link #overBudget()})
   */
  ChunkPool(int chunkBytes, int maxFree, long budget) {
    if (chunkBytes <= 0 || maxFree < 0 || budget <= 0) {
      throw new IllegalArgumentException(
          "chunkBytes and budget must be positive, maxFree not negative");
    }
    this.chunkBytes = chunkBytes;
    this.budget = budget;
    this.free = new byte[maxFree][];
  }

  /**
   * Whether the logs hold their budget's worth: sessions admitted while quiet may all stream at
   * once later, and no heap would hold every log at its configured size. A log that grows then
   * shrinks its own window instead of taking more (see {@link OutputLog}).
   */
  synchronized boolean overBudget() {
    return inUse >= budget;
  }

  int chunkBytes() {
    return chunkBytes;
  }

  /** A chunk of {@link #chunkBytes()}, reused if one is free. */
  byte[] take() {
    synchronized (this) {
      inUse++;
      if (freeCount > 0) {
        byte[] chunk = free[--freeCount];
        free[freeCount] = null;
        return chunk;
      }
    }
    return new byte[chunkBytes];
  }

  /** Gives a chunk back; it must not be used any more. */
  void give(byte[] chunk) {
    if (chunk.length != chunkBytes) {
      throw new IllegalArgumentException("not a chunk of this pool");
    }
    synchronized (this) {
      inUse--;
      if (freeCount < free.length) {
        free[freeCount++] = chunk;
      }
    }
  }

  /** How many chunks the logs hold. */
  synchronized long inUse() {
    return inUse;
  }

  /** How many chunks wait for reuse. */
  synchronized int freeChunks() {
    return freeCount;
  }
}
