package io.tether.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

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
    log.append(bytes("de"), 0, 2);
    assertEquals(5, log.head());
    assertEquals(new OutputLog.Nothing(true), log.read(5, 100, 10));
    assertEquals(new OutputLog.Behind(5, 2), log.read(3, 100, 10));
  }
}
