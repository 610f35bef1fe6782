package io.tether.bench;

import io.tether.pty.CpuLatencyRequest;
import java.util.OptionalInt;

/**
 * What the kernel's CPU latency QoS enforces now, over every request on the machine (the node's,
 * the benchmark's own, anyone's): 0 µs while someone keeps the idle CPUs polling. Reading needs the
 * same rights as writing (root, as a rule).
 */
final class KernelCpuLatency {
  private KernelCpuLatency() {}

  /** The enforced target in µs, or empty where the device cannot be read. */
  static OptionalInt target() {
    return CpuLatencyRequest.enforcedMicros();
  }

  /** Whether a 0 µs request is in force now. */
  static boolean held() {
    return target().orElse(-1) == 0;
  }

  /**
   * Waits until no 0 µs request is in force (the node lets its own go 200 ms after its output
   * stopped streaming), so that a plain bare run gets the machine as it is.
   *
   * @throws BenchException if someone still holds one after {@code timeoutMillis}
   */
  static void awaitReleased(long timeoutMillis) throws BenchException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (held()) {
      if (System.nanoTime() > deadline) {
        throw new BenchException(
            "a 0 µs CPU latency request is still in force after "
                + timeoutMillis
                + " ms (another process holds "
                + CpuLatencyRequest.DEVICE
                + "?); the bare run would not get the machine as it is");
      }
      try {
        Thread.sleep(10); // polling the kernel's value; it has no change notification
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted", e);
      }
    }
  }
}
