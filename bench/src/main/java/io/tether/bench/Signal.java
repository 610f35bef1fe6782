package io.tether.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * A one-shot event with a timestamp: the reading thread fires it, the measuring thread parks until
 * it has fired. The timestamp is taken where the bytes arrived, so the time the measuring thread
 * needs to wake up is never part of a figure.
 */
final class Signal {
  private volatile boolean fired;
  private long nanos;
  private volatile Thread waiter = Thread.currentThread();

  /** Re-arms the signal for the calling thread. */
  void reset() {
    waiter = Thread.currentThread();
    fired = false;
  }

  void fire(long at) {
    if (fired) {
      return;
    }
    nanos = at;
    fired = true;
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }

  boolean fired() {
    return fired;
  }

  /** The time it fired; only meaningful once {@link #fired()}. */
  long nanos() {
    return nanos;
  }

  /** Waits until fired and returns its timestamp. */
  long await(long timeoutMillis, String what) throws BenchException {
    return await(timeoutMillis, what, null);
  }

  /**
   * Waits until fired; fails at once if {@code abortOn} fires first (the connection closed while a
   * frame was awaited).
   */
  long await(long timeoutMillis, String what, Signal abortOn) throws BenchException {
    waiter = Thread.currentThread();
    if (abortOn != null) {
      abortOn.waiter = Thread.currentThread();
    }
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (!fired) {
      if (abortOn != null && abortOn.fired) {
        throw new BenchException("gave up waiting for " + what + ": the connection closed");
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new BenchException("timed out after " + timeoutMillis + " ms waiting for " + what);
      }
      LockSupport.parkNanos(this, left);
    }
    return nanos;
  }
}
