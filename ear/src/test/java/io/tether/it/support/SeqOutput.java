package io.tether.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Pattern;

/** Checks the output of {@code seq 1 n} as a terminal shows it. */
public final class SeqOutput {
  private static final Pattern NUMBER = Pattern.compile("\\d+");

  private SeqOutput() {}

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
