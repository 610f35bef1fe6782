package io.tether.pty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request against the kernel's real CPU latency QoS device (where this process may write it),
 * on a hand-driven clock and timer, so the linger is checked step by step without waiting.
 */
class CpuLatencyRequestTest {
  private static final long MILLI = 1_000_000L;
  private static final int STREAMING = CpuLatencyRequest.STREAMING_BATCH_BYTES;
  private static final Duration LINGER = Duration.ofMillis(200);

  /** A timer that runs its tasks only when the test moves the clock past them. */
  private static final class HandDrivenTime implements CpuLatencyRequest.Timer {
    private record Due(long at, Runnable task) {}

    private final List<Due> due = new ArrayList<>();
    long now;

    @Override
    public void after(long delayNanos, Runnable task) {
      due.add(new Due(now + delayNanos, task));
    }

    /** Moves the clock to {@code millis} and runs what has come due, in order. */
    void advanceTo(long millis) {
      now = millis * MILLI;
      for (boolean ran = true; ran; ) {
        ran = false;
        Due next = due.stream().filter(d -> d.at() <= now).findFirst().orElse(null);
        if (next != null) {
          due.remove(next);
          next.task().run();
          ran = true;
        }
      }
    }

    int pending() {
      return due.size();
    }
  }

  private final HandDrivenTime time = new HandDrivenTime();

  private static int kernelTarget() {
    return CpuLatencyRequest.enforcedMicros().orElseThrow();
  }

  /** The real device, where this process may write it and no one else already asks for 0 µs. */
  private static int assumeDeviceToOurselves() throws IOException {
    assumeTrue(
        Files.isWritable(CpuLatencyRequest.DEVICE),
        CpuLatencyRequest.DEVICE + " is not writable here");
    int before = kernelTarget();
    assumeTrue(before != 0, "another process already holds a 0 µs request");
    return before;
  }

  private CpuLatencyRequest request(Path device) {
    return new CpuLatencyRequest(device, time, () -> time.now, LINGER);
  }

  @Test
  void streamingOutputTakesTheRequestAndQuietLetsItGo() throws IOException {
    int before = assumeDeviceToOurselves();
    try (CpuLatencyRequest request = request(CpuLatencyRequest.DEVICE)) {
      // Echoes and prompts: single reads, never the request.
      request.outputBatch(1);
      request.outputBatch(STREAMING - 1);
      assertFalse(request.held());
      assertEquals(before, kernelTarget());

      request.outputBatch(64 * 1024);
      assertTrue(request.held());
      assertEquals(0, kernelTarget(), "the kernel enforces the 0 µs request");

      // Still streaming at 150 ms: the check at 200 ms finds 50 ms of quiet and looks again later.
      time.advanceTo(150);
      request.outputBatch(STREAMING);
      time.advanceTo(200);
      assertTrue(request.held());
      assertEquals(0, kernelTarget());
      assertEquals(1, time.pending());

      // 200 ms after the last streaming batch it is let go, and the kernel's target is back.
      time.advanceTo(349);
      assertTrue(request.held());
      time.advanceTo(350);
      assertFalse(request.held());
      assertEquals(before, kernelTarget());
      assertEquals(0, time.pending(), "no check left behind");

      // The next stream takes it again.
      request.outputBatch(STREAMING);
      assertTrue(request.held());
      assertEquals(2, request.holds());
    }
    assertEquals(before, kernelTarget(), "close lets it go");
  }

  /**
   * A machine without a cpuidle driver has no idle states for a request to choose between: the
   * request is never taken there, even where the device could be written.
   */
  @Test
  void aMachineWithoutACpuidleDriverNeverTakesTheRequest(@TempDir Path dir) throws IOException {
    Path device = Files.writeString(dir.resolve("device"), "");
    Path none = Files.writeString(dir.resolve("current_driver"), "none\n");
    Path haltpoll = Files.writeString(dir.resolve("haltpoll"), "haltpoll\n");
    try (CpuLatencyRequest request =
        new CpuLatencyRequest(device, none, time, () -> time.now, LINGER)) {
      request.outputBatch(64 * 1024);
      assertFalse(request.held());
      assertEquals(0, request.holds());
    }
    try (CpuLatencyRequest request =
        new CpuLatencyRequest(device, haltpoll, time, () -> time.now, LINGER)) {
      request.outputBatch(64 * 1024);
      assertTrue(request.held(), "a machine with one takes it");
    }
    assertFalse(CpuLatencyRequest.hasCpuidleDriver(dir.resolve("absent")));
  }

  @Test
  void closeLetsGoForGood() throws IOException {
    int before = assumeDeviceToOurselves();
    CpuLatencyRequest request = request(CpuLatencyRequest.DEVICE);
    request.outputBatch(STREAMING);
    assertEquals(0, kernelTarget());

    request.close();
    assertEquals(before, kernelTarget());
    request.outputBatch(STREAMING);
    assertFalse(request.held());
    assertEquals(before, kernelTarget());
    time.advanceTo(1000); // the pending check finds nothing to let go
    assertEquals(1, request.holds());
  }

  @Test
  void aDeviceThatCannotBeOpenedIsReportedOnceAndChangesNothing(@TempDir Path dir) {
    Path missing = dir.resolve("no-such-device");
    List<LogRecord> logged = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger(CpuLatencyRequest.class.getName());
    logger.addHandler(capture);
    try (CpuLatencyRequest request = request(missing)) {
      request.outputBatch(STREAMING);
      request.outputBatch(STREAMING);
      time.advanceTo(1000);
      request.outputBatch(STREAMING);

      assertFalse(request.held());
      assertEquals(0, request.holds());
      assertEquals(0, time.pending());
    } finally {
      logger.removeHandler(capture);
    }
    assertEquals(1, logged.size(), "said once: " + logged);
    assertEquals(Level.INFO, logged.get(0).getLevel());
    String message = logged.get(0).getMessage();
    assertTrue(message.contains(missing.toString()), message);
    assertTrue(message.contains("tether.pty.keep-cpus-awake=false"), message);
    assertFalse(Files.exists(missing), "nothing created");
  }
}
