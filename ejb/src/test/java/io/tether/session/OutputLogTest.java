package io.tether.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.protocol.OffsetFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutputLogTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads the frame's offset and payload. */
  private static String payload(ByteBuffer frame, long expectedOffset) {
    assertEquals(expectedOffset, frame.getLong(0));
    byte[] body = new byte[frame.remaining() - 8];
    frame.duplicate().position(8).get(body);
    return new String(body, StandardCharsets.US_ASCII);
  }

  @Test
  void addressesBytesByAbsoluteOffset() {
    OutputLog log = new OutputLog(16);
    log.append(bytes("hello world"), 0, 11);
    assertEquals(0, log.tail());
    assertEquals(11, log.head());
    assertEquals("world", payload(log.frame(6, 100), 6));
    assertEquals("hel", payload(log.frame(0, 3), 0));
  }

  @Test
  void nothingToReadAtTheHead() {
    OutputLog log = new OutputLog(8);
    log.append(bytes("abc"), 0, 3);
    assertNull(log.frame(3, 10));
  }

  @Test
  void wrapsAroundAndForgetsTheOldest() {
    OutputLog log = new OutputLog(8);
    log.append(bytes("0123456789"), 0, 10);
    log.append(bytes("abcdef"), 0, 6);
    assertEquals(16, log.head());
    assertEquals(8, log.tail());
    // The frame straddles the ring's end.
    assertEquals("89abcdef", payload(log.frame(8, 100), 8));
    assertThrows(IllegalArgumentException.class, () -> log.frame(7, 1));
    assertThrows(IllegalArgumentException.class, () -> log.frame(17, 1));
  }

  @Test
  void anAppendLargerThanTheRingKeepsItsNewestBytes() {
    OutputLog log = new OutputLog(4);
    log.append(bytes("xyz0123456"), 1, 9);
    assertEquals(9, log.head());
    assertEquals(5, log.tail());
    assertEquals("3456", payload(log.frame(5, 10), 5));
  }

  @Test
  void manySmallAppendsReadBackExactly() {
    OutputLog log = new OutputLog(1000);
    byte[] expected = new byte[700];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (byte) i;
      log.append(expected, i, 1);
    }
    ByteBuffer frame = log.frame(0, 1000);
    byte[] body = Arrays.copyOfRange(frame.array(), 8, frame.limit());
    assertArrayEquals(expected, body);
  }

  @Test
  void retainingFromAnOffsetKeepsExactlyTheRestAndLetsTheRingGo() {
    OutputLog log = new OutputLog(8);
    log.append(bytes("0123456789ab"), 0, 12); // holds 456789ab, wrapped
    log.retainFrom(9);
    assertEquals(3, log.capacity());
    assertEquals(ChunkPool.CHUNK_BYTES, log.heldBytes(), "the one chunk the 3 bytes are in");
    assertEquals(9, log.tail());
    assertEquals("9ab", payload(log.frame(9, 100), 9));
    assertThrows(IllegalArgumentException.class, () -> log.frame(8, 1));
  }

  @Test
  void retainingNothingKeepsCountingWhatArrives() {
    OutputLog log = new OutputLog(8);
    log.append(bytes("abc"), 0, 3);
    log.retainFrom(3);
    assertEquals(0, log.capacity());
    assertEquals(0, log.heldBytes());
    log.append(bytes("de"), 0, 2);
    assertEquals(0, log.heldBytes());
    assertEquals(5, log.head());
    assertEquals(new OutputLog.Nothing(true), log.read(5, 100, 10));
    assertEquals(new OutputLog.Behind(5, 2), log.read(3, 100, 10));
  }

  // Chunks: small ones here, so that frames, resume points and the window cross their boundaries.

  /**
   * Sessions admitted while quiet may all stream later: once the logs hold their pool's budget, a
   * log that grows gives up its oldest chunk for its newest. A reader that was further behind is
   * told exactly what it missed, what is kept is exact, and the other logs keep theirs.
   */
  @Test
  void overThePoolsBudgetAGrowingLogGivesUpItsOldestChunksNotTheOthersBytes() {
    ChunkPool pool = new ChunkPool(4, 0, 12);
    OutputLog quiet = new OutputLog(400, pool);
    quiet.append(bytes("0123456789"), 0, 10);
    OutputLog streaming = new OutputLog(400, pool);
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      String line = i + ",";
      all.append(line);
      streaming.append(bytes(line), 0, line.length());
      assertTrue(pool.inUse() <= 12, "the logs hold " + pool.inUse() + " chunks of a budget of 12");
    }

    long tail = streaming.tail();
    long head = streaming.head();
    assertTrue(tail > 0 && head - tail < 400, "the window shrank to " + (head - tail));
    assertEquals(new OutputLog.Behind(tail, tail), streaming.read(0, Long.MAX_VALUE, 1000));
    assertEquals(
        all.substring((int) tail), payload(streaming.frame(tail, 1000), tail), "what is kept");
    assertEquals("0123456789", payload(quiet.frame(0, 100), 0), "the quiet log keeps its bytes");
  }

  /** A log shrinks under pressure to no fewer than its minimum of chunks, and keeps working. */
  @Test
  void underPressureALogKeepsItsMinimumOfChunks() {
    ChunkPool pool = new ChunkPool(4, 0, 1);
    OutputLog log = new OutputLog(400, pool);
    for (int i = 0; i < 50; i++) {
      log.append(bytes("abcd"), 0, 4);
    }
    long held = log.heldBytes();
    assertTrue(held >= OutputLog.MIN_CHUNKS_UNDER_PRESSURE * 4L - 4, "held " + held);
    assertTrue(held <= (OutputLog.MIN_CHUNKS_UNDER_PRESSURE + 1) * 4L, "held " + held);
    assertEquals("abcdabcd", payload(log.frame(log.head() - 8, 8), log.head() - 8));
  }

  @Test
  void aFrameSpansChunksByteForByte() {
    OutputLog log = new OutputLog(20, new ChunkPool(4, 8));
    log.append(bytes("0123456789abcdefghij"), 0, 20);
    assertEquals(20, log.heldBytes(), "five chunks of 4");
    assertEquals("23456789abcde", payload(log.frame(2, 13), 2));
    assertEquals("ghij", payload(log.frame(16, 100), 16));
    assertEquals(
        OffsetFrame.encode(3, bytes("0123456789abcdefghij"), 3, 9),
        ((OutputLog.Frame) log.read(3, 12, 100)).frame(),
        "the same frame, byte for byte, as one encoded from a flat array");
  }

  @Test
  void theWindowWrapsAcrossChunksAndGivesTheOldOnesBack() {
    ChunkPool pool = new ChunkPool(4, 100);
    OutputLog log = new OutputLog(10, pool);
    log.append(bytes("0123456789"), 0, 10);
    log.append(bytes("abcdefghijklmno"), 0, 15); // 25 bytes in all; keeps 15..24
    assertEquals(15, log.tail());
    assertEquals(new OutputLog.ResumePoint(15, 25), log.resumePoint(12));
    assertEquals(new OutputLog.ResumePoint(17, 25), log.resumePoint(17));
    assertEquals(new OutputLog.Behind(15, 1), log.read(14, 100, 100));
    assertEquals("fghijklmno", payload(log.frame(15, 100), 15));
    assertEquals("hijk", payload(((OutputLog.Frame) log.read(17, 21, 100)).frame(), 17));
    // Chunks 3 to 6 ([12, 28)) hold the window; 0 to 2 went back to the pool before the append
    // wrote, which took them again.
    assertEquals(16, log.heldBytes());
    assertEquals(0, pool.freeChunks());
    log.append(bytes("pqrstuvw"), 0, 8); // keeps 23..32: chunks 5 to 8; 3 and 4 go back
    assertEquals(16, log.heldBytes());
    assertEquals(2, pool.freeChunks());
    assertEquals("nopqrstuvw", payload(log.frame(23, 100), 23));
  }

  @Test
  void retainingFromAnOffsetGivesEveryChunkBeforeItBack() {
    ChunkPool pool = new ChunkPool(4, 100);
    OutputLog log = new OutputLog(64, pool);
    log.append(bytes("0123456789abcdefghij"), 0, 20);
    log.retainFrom(13);
    assertEquals(7, log.capacity());
    assertEquals(8, log.heldBytes(), "chunks [12, 16) and [16, 20)");
    assertEquals(3, pool.freeChunks());
    assertEquals("defghij", payload(log.frame(13, 100), 13));
    log.retainFrom(20);
    assertEquals(0, log.heldBytes());
    assertEquals(5, pool.freeChunks());
  }

  @Test
  void memoryGrowsWithOutputNotWithTheConfiguredSize() {
    OutputLog log = new OutputLog(4 << 20);
    assertEquals(0, log.heldBytes(), "nothing before the first byte");
    byte[] screen = new byte[2048];
    log.append(screen, 0, screen.length);
    assertEquals(ChunkPool.CHUNK_BYTES, log.heldBytes(), "a screenful: one chunk");
    byte[] bulk = new byte[64 * 1024];
    for (int i = 0; i < 100; i++) {
      log.append(bulk, 0, bulk.length);
    }
    assertEquals((4 << 20) + ChunkPool.CHUNK_BYTES, log.heldBytes(), "full: its size and a chunk");
    assertEquals(4 << 20, log.capacity());
    log.retainFrom(log.head());
    assertEquals(0, log.heldBytes());
  }

  /** A source that hands out scripted reads: each a length, or -1 for the end. */
  private static final class ScriptedSource implements OutputLog.Source {
    private final List<Integer> reads;
    private final Random random;
    final ByteArrayOutputStream produced = new ByteArrayOutputStream();
    int asked;

    ScriptedSource(Random random, Integer... reads) {
      this.random = random;
      this.reads = new ArrayList<>(List.of(reads));
    }

    @Override
    public int read(byte[] into, int from, int length) {
      asked++;
      int n = reads.isEmpty() ? -1 : reads.get(0);
      if (n < 0) {
        return -1;
      }
      n = Math.min(n, length);
      if (n == reads.get(0)) {
        reads.remove(0);
      } else {
        reads.set(0, reads.get(0) - n); // the rest is still pending
      }
      for (int i = 0; i < n; i++) {
        into[from + i] = (byte) random.nextInt();
      }
      produced.write(into, from, n);
      return n;
    }

    @Override
    public boolean pending() {
      return !reads.isEmpty() && reads.get(0) > 0;
    }
  }

  @Test
  void aBatchIsReadStraightIntoTheChunksAcrossTheirBoundaries() throws IOException {
    OutputLog log = new OutputLog(100, new ChunkPool(8, 8));
    ScriptedSource source = new ScriptedSource(new Random(1), 3, 30, -1);
    assertEquals(3, log.appendFrom(source, 64), "a lone echo: one read");
    assertEquals(30, log.appendFrom(source, 64), "bulk: on across four chunks");
    assertEquals(-1, log.appendFrom(source, 64));
    assertEquals(33, log.head());
    ByteBuffer frame = log.frame(0, 100);
    assertArrayEquals(source.produced.toByteArray(), Arrays.copyOfRange(frame.array(), 8, 41));
    assertEquals(40, log.heldBytes());
  }

  @Test
  void aBatchStopsAtItsLimit() throws IOException {
    OutputLog log = new OutputLog(100, new ChunkPool(8, 8));
    ScriptedSource source = new ScriptedSource(new Random(2), 50);
    assertEquals(20, log.appendFrom(source, 20));
    assertEquals(20, log.appendFrom(source, 20));
    assertEquals(10, log.appendFrom(source, 20));
    assertEquals(50, log.head());
  }

  @Test
  void whileTheWriterWaitsClientsReadAndItsChunkIsNotGivenAway() throws Exception {
    ChunkPool pool = new ChunkPool(8, 100);
    OutputLog log = new OutputLog(100, pool);
    log.append(bytes("prompt$ "), 0, 8); // fills chunk 0: the writer waits in chunk 1
    CountDownLatch waiting = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    byte[][] writingInto = new byte[1][];
    OutputLog.Source source =
        new OutputLog.Source() {
          @Override
          public int read(byte[] into, int from, int length) throws IOException {
            writingInto[0] = into;
            waiting.countDown();
            try {
              assertTrue(go.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
            into[from] = 'x';
            return 1;
          }

          @Override
          public boolean pending() {
            return false;
          }
        };
    CompletableFuture<Integer> writer =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return log.appendFrom(source, 64);
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    assertTrue(waiting.await(10, TimeUnit.SECONDS));
    assertEquals("prompt$ ", payload(log.frame(0, 100), 0), "read while the writer waits");
    assertThrows(IllegalStateException.class, () -> log.append(bytes("y"), 0, 1), "one writer");

    log.retainFrom(log.head()); // the session ended meanwhile: nothing is kept
    List<byte[]> handedOut = new ArrayList<>();
    while (pool.freeChunks() > 0) {
      handedOut.add(pool.take());
    }
    assertEquals(1, handedOut.size(), "chunk 0 went back");
    assertNotSame(writingInto[0], handedOut.get(0), "not the one being written");

    go.countDown();
    assertEquals(1, writer.get(10, TimeUnit.SECONDS));
    assertEquals(9, log.head(), "what arrived after the end still counts");
    assertEquals(0, log.heldBytes(), "and its chunk went back");
    assertEquals(1, pool.freeChunks());
  }

  /**
   * Random appends (whole, larger than the log, read straight from a source in batches), reads,
   * resume points, frames and one retainFrom, against a model that keeps every byte ever written:
   * every answer and every byte must be the model's, and the log must hold exactly the chunks its
   * window touches.
   */
  @ParameterizedTest
  @CsvSource({
    "1, 10, 4",
    "2, 16, 16",
    "3, 17, 5",
    "4, 5, 8",
    "5, 1, 3",
    "6, 64, 7",
    "7, 100, 1",
    "8, 40, 13"
  })
  void behavesAsAFlatArrayOfEveryByteWritten(long seed, int capacity, int chunkBytes)
      throws IOException {
    Random random = new Random(seed);
    ChunkPool pool = new ChunkPool(chunkBytes, 4);
    for (int run = 0; run < 20; run++) {
      OutputLog log = new OutputLog(capacity, pool);
      ByteArrayOutputStream written = new ByteArrayOutputStream();
      int modelCapacity = capacity;
      boolean retained = false;
      for (int step = 0; step < 300; step++) {
        long head = written.size();
        long tail = Math.max(0, head - modelCapacity);
        switch (random.nextInt(7)) {
          case 0 -> {
            byte[] source = new byte[random.nextInt(3 * capacity + 3)];
            random.nextBytes(source);
            int from = random.nextInt(source.length + 1);
            int length = random.nextInt(source.length - from + 1);
            log.append(source, from, length);
            written.write(source, from, length);
          }
          case 1 -> {
            Integer[] reads = new Integer[1 + random.nextInt(4)];
            for (int i = 0; i < reads.length; i++) {
              reads[i] = 1 + random.nextInt(2 * chunkBytes + 2);
            }
            ScriptedSource source = new ScriptedSource(random, reads);
            int maxBytes = 1 + random.nextInt(3 * chunkBytes);
            int n = log.appendFrom(source, maxBytes);
            assertTrue(n > 0 && n <= maxBytes);
            byte[] produced = source.produced.toByteArray();
            assertEquals(produced.length, n);
            written.write(produced, 0, n);
          }
          case 2 -> {
            long cursor = Math.max(0, tail - 3) + random.nextInt((int) (head - tail) + 4);
            cursor = Math.min(cursor, head);
            long until = cursor - 2 + random.nextInt(modelCapacity + 6);
            int maxPayload = 1 + random.nextInt(3 * chunkBytes);
            OutputLog.Read read = log.read(cursor, until, maxPayload);
            long end = Math.min(head, until);
            if (cursor < tail) {
              assertEquals(new OutputLog.Behind(tail, tail - cursor), read);
            } else if (cursor >= end) {
              assertEquals(new OutputLog.Nothing(cursor == head), read);
            } else {
              int length = (int) Math.min(maxPayload, end - cursor);
              OutputLog.Frame frame = (OutputLog.Frame) read;
              assertEquals(length, frame.payloadBytes());
              assertEquals(
                  OffsetFrame.encode(cursor, written.toByteArray(), (int) cursor, length),
                  frame.frame());
            }
          }
          case 3 -> {
            long requested = random.nextInt((int) head + 2);
            if (requested > head) {
              assertThrows(IllegalArgumentException.class, () -> log.resumePoint(requested));
            } else {
              assertEquals(
                  new OutputLog.ResumePoint(Math.max(requested, tail), head),
                  log.resumePoint(requested));
            }
          }
          case 4 -> {
            long offset = Math.max(0, tail - 1) + random.nextInt((int) (head - tail) + 3);
            int maxPayload = 1 + random.nextInt(3 * chunkBytes);
            if (offset < tail || offset > head) {
              assertThrows(IllegalArgumentException.class, () -> log.frame(offset, maxPayload));
            } else if (offset == head) {
              assertNull(log.frame(offset, maxPayload));
            } else {
              int length = (int) Math.min(maxPayload, head - offset);
              assertEquals(
                  OffsetFrame.encode(offset, written.toByteArray(), (int) offset, length),
                  log.frame(offset, maxPayload));
            }
          }
          case 5 -> {
            if (!retained && random.nextInt(10) == 0) {
              retained = true;
              long from = Math.max(0, tail - 2) + random.nextInt((int) (head - tail) + 3);
              log.retainFrom(from);
              modelCapacity = (int) Math.max(0, head - Math.max(from, tail));
            }
          }
          default -> {
            assertEquals(head, log.head());
            assertEquals(tail, log.tail());
          }
        }
        head = written.size();
        tail = Math.max(0, head - modelCapacity);
        assertEquals(head, log.head());
        assertEquals(tail, log.tail());
        assertEquals(modelCapacity, log.capacity());
        long chunks = tail < head ? (head - 1) / chunkBytes - tail / chunkBytes + 1 : 0;
        assertEquals(chunks * chunkBytes, log.heldBytes(), "exactly the chunks of the window");
      }
      log.retainFrom(log.head());
      assertEquals(0, log.heldBytes());
    }
  }
}
