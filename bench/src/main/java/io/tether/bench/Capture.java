package io.tether.bench;

import java.io.ByteArrayOutputStream;

/** Collects output for setup steps (never on a measured path) and tells when it went quiet. */
final class Capture implements Sink {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private volatile long lastNanos;

  @Override
  public synchronized void accept(byte[] b, int from, int length, long arrivedNanos) {
    bytes.write(b, from, length);
    lastNanos = arrivedNanos;
  }

  synchronized byte[] bytes() {
    return bytes.toByteArray();
  }

  synchronized int size() {
    return bytes.size();
  }

  /**
   * Waits until at least one byte arrived and then nothing for {@code quietMillis}; returns what
   * was captured.
   */
  byte[] awaitQuiet(long quietMillis, long timeoutMillis, String what) throws BenchException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    try {
      for (; ; ) {
        long now = System.nanoTime();
        if (size() > 0 && now - lastNanos >= quietMillis * 1_000_000L) {
          return bytes();
        }
        if (now > deadline) {
          throw new BenchException(
              "timed out waiting for " + what + "; got: " + Probe.printable(bytes()));
        }
        Thread.sleep(Math.max(1, quietMillis / 5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }
}
