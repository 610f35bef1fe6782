package io.tether.bench;

import java.nio.charset.StandardCharsets;

/**
 * Follows the output of {@code stty -opost; seq 1 N | cat; echo MARKER} as it arrives and checks it
 * byte by byte: the numbers 1..N, each exactly once, in order, each line ending in a bare {@code
 * \n} (no output post-processing), then the marker line. The clock runs from the arrival of the
 * chunk holding the first byte of "1" to the arrival of the chunk that completes the marker.
 *
 * <p>The stream starts with the echo of the command line, which is skipped: the numbers start at
 * the first "1\n2\n3\n" that follows a non-digit.
 */
final class SeqCheck implements Sink {
  private static final byte[] START = "1\n2\n3\n".getBytes(StandardCharsets.US_ASCII);

  private enum State {
    SEEK,
    NUMBERS,
    MARKER,
    DONE,
    FAILED
  }

  private final long last;
  private final byte[] marker;
  private final Signal done = new Signal();
  private final Signal ended = new Signal();
  private int tailMatched;

  private State state = State.SEEK;
  private byte beforeMatch = '\n';
  private byte previous = '\n';
  private int startMatched;
  private long next;
  private long nextPower;
  private int nextDigits;
  private long value;
  private int digits;
  private int markerMatched;
  private long bytes;
  private long reads;
  private long startNanos;
  private long endNanos;
  private volatile String failure;

  SeqCheck(long last, String markerLine) {
    if (last < 4) {
      throw new IllegalArgumentException("count must be at least 4");
    }
    this.last = last;
    this.marker = markerLine.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void accept(byte[] b, int from, int length, long arrivedNanos) {
    State s = state;
    if (s == State.DONE) {
      return;
    }
    if (s == State.FAILED) {
      findMarkerAfterFailure(b, from, from + length, arrivedNanos);
      return;
    }
    int i = from;
    int end = from + length;
    if (s == State.SEEK) {
      i = seek(b, i, end, arrivedNanos);
      if (state == State.SEEK) {
        return;
      }
      s = state;
    }
    reads++;
    long v = value;
    int d = digits;
    long n = next;
    int i0 = i;
    if (s == State.NUMBERS) {
      for (; i < end; i++) {
        int c = b[i];
        if (c >= '0' && c <= '9') {
          v = v * 10 + (c - '0');
          d++;
        } else if (c == '\n' && v == n && d == nextDigits) {
          v = 0;
          d = 0;
          if (++n == nextPower) {
            nextPower *= 10;
            nextDigits++;
          }
          if (n > last) {
            i++;
            s = State.MARKER;
            break;
          }
        } else {
          next = n;
          fail(bytes + (i - i0), "expected line '" + n + "' but found byte 0x" + hex(c));
          findMarkerAfterFailure(b, i, end, arrivedNanos);
          return;
        }
      }
      value = v;
      digits = d;
      next = n;
    }
    if (s == State.MARKER) {
      for (; i < end; i++) {
        if (b[i] != marker[markerMatched]) {
          fail(
              bytes + (i - i0),
              "expected the marker after " + last + " but found byte 0x" + hex(b[i]));
          findMarkerAfterFailure(b, i, end, arrivedNanos);
          return;
        }
        if (++markerMatched == marker.length) {
          i++;
          bytes += i - i0;
          endNanos = arrivedNanos;
          state = State.DONE;
          done.fire(arrivedNanos);
          ended.fire(arrivedNanos);
          return;
        }
      }
    }
    bytes += i - i0;
    state = s;
  }

  /** Looks for the first "1\n2\n3\n" after a non-digit; returns where the numbers go on. */
  private int seek(byte[] b, int i, int end, long arrivedNanos) {
    for (; i < end; i++) {
      byte c = b[i];
      if (c == START[startMatched]) {
        if (startMatched == 0) {
          beforeMatch = previous;
        }
        if (++startMatched == START.length) {
          if (beforeMatch >= '0' && beforeMatch <= '9') {
            startMatched = 0;
          } else {
            startNanos = arrivedNanos;
            bytes = START.length;
            next = 4;
            nextPower = 10;
            nextDigits = 1;
            state = State.NUMBERS;
            previous = c;
            return i + 1;
          }
        }
      } else {
        startMatched = 0;
        if (c == START[0]) {
          beforeMatch = previous;
          startMatched = 1;
        }
      }
      previous = c;
    }
    return i;
  }

  private void fail(long at, String why) {
    failure = "output corrupt at byte " + at + " of the numbers: " + why;
    state = State.FAILED;
    endNanos = System.nanoTime();
    done.fire(endNanos);
  }

  /** After a corruption: watches for the marker line, so the caller knows the output is over. */
  private void findMarkerAfterFailure(byte[] b, int i, int end, long arrivedNanos) {
    for (; i < end; i++) {
      if (b[i] == marker[tailMatched]) {
        if (++tailMatched == marker.length) {
          state = State.DONE;
          ended.fire(arrivedNanos);
          return;
        }
      } else {
        tailMatched = b[i] == marker[0] ? 1 : 0;
      }
    }
  }

  /** Waits until the output is over (the marker arrived, even after a corruption). */
  void awaitEnd(long timeoutMillis) throws BenchException {
    ended.await(timeoutMillis, "the end marker of the bulk output");
  }

  private static String hex(int c) {
    return String.format("%02x", c & 0xFF);
  }

  /** Waits for the marker (or a corruption); the result says which. */
  Result await(long timeoutMillis) throws BenchException {
    done.await(timeoutMillis, "the end marker of the bulk output (at number " + next + ")");
    String why = failure;
    return new Result(why == null, why, bytes, endNanos - startNanos, reads);
  }

  /**
   * One bulk run.
   *
   * @param ok whether every number and the marker arrived intact and in order
   * @param bytes bytes from the first "1" to the end of the marker line
   * @param nanos time from the chunk holding the first "1" to the chunk completing the marker
   * @param chunks reads (bare) or binary message parts (Tether) that carried the numbers
   */
  record Result(boolean ok, String failure, long bytes, long nanos, long chunks) {
    /** The same run, marked as having lost output ({@code why}). */
    Result lost(String why) {
      return new Result(false, why + (failure == null ? "" : "; " + failure), bytes, nanos, chunks);
    }

    double megabytesPerSecond() {
      return nanos <= 0 ? 0 : bytes / (nanos / 1e9) / 1e6;
    }
  }
}
