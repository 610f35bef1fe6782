package io.tether.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

/** Checks the output of {@code seq 1 n} as a terminal shows it. */
public final class SeqOutput {
  private static final Pattern NUMBER = Pattern.compile("\\d+");

  private SeqOutput() {}

  /**
   * Types the paced {@code seq 1 n} ({@link #pacedSeqCommand}) on {@code t} and calls {@code cut}
   * (with the number of cuts so far) each time about 40 KB more output has arrived, until there
   * have been at least {@code minCuts} and the output has ended; then checks it is exactly the
   * sequence, nothing lost or doubled.
   *
   * @return how many cuts came before the end of the output (the ones that interrupted it)
   */
  public static int cutWhileStreaming(Terminal t, int n, int minCuts, IntConsumer cut) {
    t.type(pacedSeqCommand(n, 0.2));
    int cuts = 0;
    int cutsMidStream = 0;
    while (cuts < minCuts || !t.output().contains("SEQ-2")) {
      long before = t.outputEnd();
      t.awaitOutput(
          s -> s.length() > before + 40_000 || s.contains("SEQ-2"),
          Duration.ofSeconds(30),
          "more output");
      if (!t.output().contains("SEQ-2")) {
        cutsMidStream++;
      }
      cut.accept(cuts);
      cuts++;
    }
    assertEquals(0, t.resyncDropped());
    assertExactSequence(t.output(), n);
    return cutsMidStream;
  }

  /**
   * A shell command printing exactly what {@code seq 1 n} prints, then {@code SEQ-2}, paced by the
   * shell in 30 chunks with a pause after each. At full speed the 2 MB are written in a few tens of
   * milliseconds, faster than a client reconnects, so cuts would mostly land after the end; paced,
   * the stream lasts several seconds and a test's cuts really interrupt it. The pause is part of
   * the workload, not a wait in the test.
   */
  static String pacedSeqCommand(int n, double pauseSeconds) {
    int chunk = n / 30;
    return String.format(
        "for k in $(seq 0 29); do seq $((k*%d+1)) $((k*%d+%d)); sleep %s; done; echo SEQ-$((1+1))\r",
        chunk, chunk, chunk, pauseSeconds);
  }

  /** The lines 1..n, each exactly once and in order, in a terminal's output. */
  public static void assertExactSequence(String output, int n) {
    int expected = 1;
    for (String line : output.split("\r\n")) {
      // What counts is the text after the last carriage return (a prompt's escapes may precede).
      line = line.substring(line.lastIndexOf('\r') + 1);
      if (NUMBER.matcher(line).matches()) {
        int value = Integer.parseInt(line);
        if (value != expected) {
          throw new AssertionError("expected line " + expected + " but got " + value);
        }
        expected++;
      }
    }
    assertEquals(n + 1, expected, "lines 1.." + n);
  }
}
