package io.tether.bench;

import java.nio.charset.StandardCharsets;

/**
 * Waits for a byte sequence in the output (Knuth-Morris-Pratt, so a pattern split across reads or
 * frames is still found) and reports when the chunk that completed it arrived. Also keeps the last
 * bytes seen, for error messages.
 */
final class Probe implements Sink {
  private static final byte[] ANY = new byte[0];

  private final Signal signal = new Signal();
  private final byte[] tail = new byte[256];
  private volatile long seen;
  private volatile byte[] pattern;
  private int[] failure = new int[0];
  private int matched;

  /** Arms the probe for {@code expected}; call before sending what produces it. */
  void expect(byte[] expected) {
    matched = 0;
    failure = failureTable(expected);
    signal.reset();
    pattern = expected;
  }

  void expect(String expected) {
    expect(expected.getBytes(StandardCharsets.UTF_8));
  }

  /** Arms the probe for the first output byte, whatever it is. */
  void expectAnyByte() {
    expect(ANY);
  }

  /** Waits for the armed pattern; returns the arrival time of the chunk that completed it. */
  long await(long timeoutMillis, String what) throws BenchException {
    try {
      return signal.await(timeoutMillis, what);
    } catch (BenchException e) {
      throw new BenchException(e.getMessage() + "; output ends with: " + tail());
    } finally {
      pattern = null;
    }
  }

  @Override
  public void accept(byte[] bytes, int from, int length, long arrivedNanos) {
    remember(bytes, from, length);
    byte[] p = pattern;
    if (p == null || length == 0) {
      return;
    }
    if (p.length == 0) {
      pattern = null;
      signal.fire(arrivedNanos);
      return;
    }
    int[] f = failure;
    int m = matched;
    for (int i = from, end = from + length; i < end; i++) {
      byte b = bytes[i];
      while (m > 0 && b != p[m]) {
        m = f[m - 1];
      }
      if (b == p[m] && ++m == p.length) {
        matched = 0;
        pattern = null;
        signal.fire(arrivedNanos);
        return;
      }
    }
    matched = m;
  }

  private void remember(byte[] bytes, int from, int length) {
    int keep = Math.min(length, tail.length);
    long at = seen;
    for (int i = from + length - keep; i < from + length; i++) {
      tail[(int) (at++ % tail.length)] = bytes[i];
    }
    seen = at;
  }

  /** The last bytes seen, printable (for diagnostics only; racy by design). */
  String tail() {
    long end = seen;
    int n = (int) Math.min(end, tail.length);
    byte[] last = new byte[n];
    for (int i = 0; i < n; i++) {
      last[i] = tail[(int) ((end - n + i) % tail.length)];
    }
    return printable(last);
  }

  static String printable(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xFF;
      switch (c) {
        case '\r' -> s.append("\\r");
        case '\n' -> s.append("\\n");
        case '\b' -> s.append("\\b");
        case 0x1B -> s.append("\\e");
        default -> {
          if (c < 0x20 || c == 0x7F) {
            s.append(String.format("\\x%02x", c));
          } else {
            s.append((char) c);
          }
        }
      }
    }
    return s.toString();
  }

  private static int[] failureTable(byte[] p) {
    int[] f = new int[p.length];
    for (int i = 1, k = 0; i < p.length; i++) {
      while (k > 0 && p[i] != p[k]) {
        k = f[k - 1];
      }
      if (p[i] == p[k]) {
        k++;
      }
      f[i] = k;
    }
    return f;
  }
}
