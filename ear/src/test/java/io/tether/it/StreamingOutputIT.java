package io.tether.it;

import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tether.it.support.ServerLog;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import io.tether.pty.CpuLatencyRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bulk output through the real node: while a terminal streams, the node holds a 0 µs CPU latency
 * request (tether.pty.keep-cpus-awake, on by default), and lets it go once the output has stopped.
 * The server runs on this machine, so the test reads what the kernel enforces.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StreamingOutputIT {
  private static final Path DEVICE = CpuLatencyRequest.DEVICE;
  // About 41 MB of output, without pauses: well over the 16 KiB batches that count as streaming.
  private static final String STREAM =
      "for i in 1 2 3 4 5 6; do seq 1 1000000; done; echo stream-$((1+1))-done\r";

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  /** The latency the kernel enforces now, over every request on the machine (µs). */
  private static int kernelTarget() {
    return CpuLatencyRequest.enforcedMicros().orElseThrow();
  }

  private static void awaitNoZeroRequest(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (kernelTarget() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  @Test
  void theNodeKeepsTheCpusAwakeWhileATerminalStreamsAndOnlyThen() {
    assumeTrue(Files.isWritable(DEVICE), DEVICE + " is not writable here (the node's neither)");
    assumeTrue(CpuLatencyRequest.machineHasCpuidleDriver(), "no cpuidle driver: no request");
    // The node lets go of a request 200 ms after an earlier test's output stopped streaming.
    awaitNoZeroRequest(Duration.ofSeconds(5));
    int before = kernelTarget();
    assumeTrue(before != 0, "another process holds a 0 µs request");

    try (Terminal t = Terminal.open(ALICE)) {
      t.type("echo ready-$((2+3))\r");
      t.awaitOutput("ready-5");
      assertEquals(before, kernelTarget(), "a prompt and an echo take no request");

      t.type(STREAM);
      int held = 0;
      int polls = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      // Reads the kernel's value as fast as it can until the stream has ended.
      while (!t.recentOutputContains("stream-2-done") && System.nanoTime() < deadline) {
        polls++;
        if (kernelTarget() == 0) {
          held++;
        }
      }
      assertTrue(t.recentOutputContains("stream-2-done"), "the stream ended");
      assertTrue(held > 0, "a 0 µs request in force while streaming (" + polls + " reads)");

      // Let go 200 ms after the last streaming batch.
      awaitNoZeroRequest(Duration.ofSeconds(10));
      assertEquals(before, kernelTarget(), "let go after the output stopped");
      t.exitShell();
    }
  }

  /**
   * Where the machine has no cpuidle driver, its idle CPUs have no states to keep them out of: the
   * node streams without a request, and says why once.
   */
  @Test
  void withoutACpuidleDriverTheNodeStreamsWithoutARequest() throws InterruptedException {
    assumeTrue(Files.isWritable(DEVICE), DEVICE + " is not writable here (the node's neither)");
    assumeTrue(!CpuLatencyRequest.machineHasCpuidleDriver(), "this machine has a cpuidle driver");
    awaitNoZeroRequest(Duration.ofSeconds(5));
    assumeTrue(kernelTarget() != 0, "another process holds a 0 µs request");

    try (Terminal t = Terminal.open(ALICE)) {
      t.type(STREAM);
      int held = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!t.recentOutputContains("stream-2-done") && System.nanoTime() < deadline) {
        if (kernelTarget() == 0) {
          held++;
        }
      }
      assertTrue(t.recentOutputContains("stream-2-done"), "the stream ended");
      assertEquals(0, held, "reads of the kernel's target that found a 0 µs request");
      ServerLog.awaitLine(
          "CPU latency request not taken: this machine has no cpuidle driver",
          Duration.ofSeconds(20));
      t.exitShell();
    }
  }
}
