package io.tether.session;

import io.tether.protocol.OffsetFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Not a test: bulk output through an output log in memory, for choosing how the log keeps its bytes
 * (docs/architecture.md). The source hands over 4 KiB per read, as a PTY does, batched up to 64 KiB
 * as the session's reader does; one client takes 64 KiB frames. Compares the chunked log (several
 * chunk sizes, with and without the pool's free list) with a flat 4 MiB ring (the log as it was: a
 * read buffer, then a copy into the ring) and with chunks off the heap (direct buffers).
 *
 * <pre>
 * mvn -o -q test-compile -pl ejb
 * java -Xmx768m -cp ejb/target/classes:ejb/target/test-classes io.tether.session.OutputLogThroughput
 * </pre>
 */
public final class OutputLogThroughput {
  private static final int LOG = 4 << 20;
  private static final int BATCH = 64 * 1024;
  private static final byte[] PTY = new byte[4096];
  private static final long TOTAL = 1L << 30;
  private static long sink;

  /** A PTY with one batch pending, handed over 4 KiB at a time. */
  private static final class Pty implements OutputLog.Source {
    private int left = BATCH;

    @Override
    public int read(byte[] into, int from, int length) {
      int n = 0;
      while (n < length && left > 0) {
        int run = Math.min(Math.min(PTY.length, length - n), left);
        System.arraycopy(PTY, 0, into, from + n, run);
        n += run;
        left -= run;
      }
      return n;
    }

    @Override
    public boolean pending() {
      return left > 0;
    }
  }

  private static double megabytesPerSecond(long nanos) {
    return TOTAL / 1e6 / (nanos / 1e9);
  }

  private static double chunked(int chunkBytes, int maxFree) throws IOException {
    OutputLog log = new OutputLog(LOG, new ChunkPool(chunkBytes, maxFree));
    long cursor = 0;
    long start = System.nanoTime();
    for (long done = 0; done < TOTAL; ) {
      done += log.appendFrom(new Pty(), BATCH);
      for (OutputLog.Read read;
          (read = log.read(cursor, Long.MAX_VALUE, BATCH)) instanceof OutputLog.Frame frame; ) {
        cursor += frame.payloadBytes();
        sink += frame.frame().get(9);
      }
    }
    return megabytesPerSecond(System.nanoTime() - start);
  }

  /** The log as it was: the reader's own buffer, copied into one flat ring, frames from it. */
  private static double flatRing() {
    byte[] ring = new byte[LOG];
    byte[] buffer = new byte[BATCH];
    long head = 0;
    long cursor = 0;
    long start = System.nanoTime();
    while (head < TOTAL) {
      Pty pty = new Pty();
      int n = pty.read(buffer, 0, buffer.length);
      int at = (int) (head % LOG);
      int first = Math.min(n, LOG - at);
      System.arraycopy(buffer, 0, ring, at, first);
      System.arraycopy(buffer, first, ring, 0, n - first);
      head += n;
      for (; cursor < head; ) {
        int length = (int) Math.min(BATCH, head - cursor);
        ByteBuffer frame = OffsetFrame.encode(cursor, ring, (int) (cursor % LOG), length);
        cursor += length;
        sink += frame.get(9);
      }
    }
    return megabytesPerSecond(System.nanoTime() - start);
  }

  /** Chunks off the heap: the same copies, to and from direct buffers. */
  private static double offHeap(int chunkBytes) {
    int slots = LOG / chunkBytes + 2;
    ByteBuffer[] chunks = new ByteBuffer[slots];
    for (int i = 0; i < slots; i++) {
      chunks[i] = ByteBuffer.allocateDirect(chunkBytes);
    }
    long head = 0;
    long cursor = 0;
    long start = System.nanoTime();
    while (head < TOTAL) {
      for (int n = 0; n < BATCH; ) {
        int at = (int) ((head + n) % chunkBytes);
        int run = Math.min(Math.min(PTY.length, chunkBytes - at), BATCH - n);
        chunks[(int) (((head + n) / chunkBytes) % slots)].put(at, PTY, 0, run);
        n += run;
      }
      head += BATCH;
      for (; cursor < head; ) {
        int length = (int) Math.min(BATCH, head - cursor);
        ByteBuffer frame = OffsetFrame.allocate(cursor, length);
        for (long offset = cursor; offset < cursor + length; ) {
          int at = (int) (offset % chunkBytes);
          int run = (int) Math.min(cursor + length - offset, chunkBytes - at);
          frame.put(chunks[(int) ((offset / chunkBytes) % slots)].slice(at, run));
          offset += run;
        }
        cursor += length;
        sink += frame.flip().get(9);
      }
    }
    return megabytesPerSecond(System.nanoTime() - start);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  public static void main(String[] args) throws IOException {
    int rounds = 7;
    String[] names = {
      "flat 4 MiB ring",
      "chunks 4 KiB",
      "chunks 16 KiB",
      "chunks 64 KiB",
      "chunks 16 KiB, no free list",
      "chunks 16 KiB off the heap"
    };
    double[][] figures = new double[names.length][rounds];
    for (int round = 0; round < rounds; round++) {
      figures[0][round] = flatRing();
      figures[1][round] = chunked(4096, ChunkPool.MAX_FREE);
      figures[2][round] = chunked(16384, ChunkPool.MAX_FREE);
      figures[3][round] = chunked(65536, ChunkPool.MAX_FREE);
      figures[4][round] = chunked(16384, 0);
      figures[5][round] = offHeap(16384);
    }
    System.out.println(
        "1 GiB of bulk output through a 4 MiB log, median of " + rounds + " rounds:");
    for (int i = 0; i < names.length; i++) {
      System.out.printf(
          "  %-28s %6.0f MB/s  %s%n",
          names[i],
          median(figures[i]),
          Arrays.toString(Arrays.stream(figures[i]).mapToLong(Math::round).toArray()));
    }
    if (sink == 42) {
      System.out.println(); // keeps the frames from being optimised away
    }
  }
}
