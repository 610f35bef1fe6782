package io.tether.pty;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps this machine's idle CPUs out of deep sleep while a terminal streams output, through the
 * kernel's CPU latency QoS interface ({@code /dev/cpu_dma_latency}, see the kernel's
 * Documentation/power/pm_qos_interface.rst): a request of 0 µs, held open, makes the idle loop poll
 * instead of halting. The request is taken when a PTY reader finds output streaming and let go once
 * no reader has seen streaming output for {@link #LINGER}, so an idle node's CPUs sleep as usual
 * and keystrokes never take it.
 *
 * <p>Why: a PTY hands its output over in steps of about 4 KiB, and every step waits for the
 * kernel's tty flush worker and then for the reader to be woken. On a virtual machine whose idle
 * CPUs halt, each of those wake-ups waits for a halted virtual CPU to be resumed, and that, not CPU
 * time, caps bulk output (measured on a 2-core VM: a plain reader of {@code seq 1 10000000 | cat}
 * at 65-85 MB/s with the CPUs halting, 180-240 MB/s with them polling; docs/benchmark.md). This is
 * what tuned's latency-performance profile does for the whole machine, here only for the seconds a
 * terminal streams.
 *
 * <p>Writing the device needs root or a grant on it; where it cannot be opened (another OS, no
 * permission) this says so once and does nothing more. Nor is it taken on a machine without a
 * cpuidle driver ({@value #CPUIDLE_DRIVER} absent or {@code none}): its idle CPUs have no states
 * for a request to choose between, so it buys nothing there (bulk output with and without it the
 * same within noise, beside ttyd and a bare PTY under the same request, docs/benchmark.md).
 */
public final class CpuLatencyRequest implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CpuLatencyRequest.class.getName());

  /** The kernel's CPU latency QoS device. */
  public static final Path DEVICE = Path.of("/dev/cpu_dma_latency");

  /** Names the machine's cpuidle driver; {@code none} (or no file) where there is none. */
  static final String CPUIDLE_DRIVER = "/sys/devices/system/cpu/cpuidle/current_driver";

  /**
   * A batch of at least this many bytes means the output was arriving faster than one PTY read
   * takes it (one read is at most about 4 KiB): streaming, not an echo or a prompt.
   */
  public static final int STREAMING_BATCH_BYTES = 16 * 1024;

  /**
   * How long the request outlives the last streaming batch: pauses between reads are far shorter.
   */
  public static final Duration LINGER = Duration.ofMillis(200);

  /** Runs a task after a delay; the production one is a managed scheduled executor. */
  @FunctionalInterface
  interface Timer {
    void after(long delayNanos, Runnable task);
  }

  private final Path device;
  private Path cpuidleDriver; // null: not checked, or checked once already (guarded by this)
  private final Timer timer;
  private final LongSupplier clock;
  private final long lingerNanos;

  private volatile long lastStreamingNanos;
  private volatile FileChannel held; // written under the lock; read without it on the fast path
  private boolean unavailable; // guarded by this
  private boolean closed; // guarded by this
  private long holds; // guarded by this

  /**
   * @param scheduler runs the check that lets the request go {@link #LINGER} after the last
   *     streaming batch
   */
  public CpuLatencyRequest(ScheduledExecutorService scheduler) {
    this(
        DEVICE,
        Path.of(CPUIDLE_DRIVER),
        (delay, task) -> scheduler.schedule(task, delay, TimeUnit.NANOSECONDS),
        System::nanoTime,
        LINGER);
  }

  CpuLatencyRequest(Path device, Timer timer, LongSupplier clock, Duration linger) {
    this(device, null, timer, clock, linger);
  }

  CpuLatencyRequest(
      Path device, Path cpuidleDriver, Timer timer, LongSupplier clock, Duration linger) {
    this.device = device;
    this.cpuidleDriver = cpuidleDriver;
    this.timer = timer;
    this.clock = clock;
    this.lingerNanos = linger.toNanos();
  }

  /**
   * A PTY reader took a batch of {@code bytes}: a streaming batch takes the request (or keeps it);
   * anything smaller changes nothing. Cheap enough for every batch.
   */
  public void outputBatch(int bytes) {
    if (bytes < STREAMING_BATCH_BYTES) {
      return;
    }
    lastStreamingNanos = clock.getAsLong();
    if (held == null) {
      take();
    }
  }

  /**
   * What the kernel enforces now over every request on the machine (this one, anyone's), in µs: 0
   * while someone keeps the idle CPUs polling. Empty where the device cannot be read (reading needs
   * the same rights as writing).
   */
  public static OptionalInt enforcedMicros() {
    try (FileChannel channel = FileChannel.open(DEVICE, StandardOpenOption.READ)) {
      ByteBuffer value = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder());
      return channel.read(value) == Integer.BYTES
          ? OptionalInt.of(value.getInt(0))
          : OptionalInt.empty();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return OptionalInt.empty();
    }
  }

  /** Whether this request is in force now. */
  public boolean held() {
    return held != null;
  }

  /** How many times the request has been taken since this was created. */
  public synchronized long holds() {
    return holds;
  }

  private synchronized void take() {
    if (held != null || unavailable || closed) {
      return;
    }
    if (cpuidleDriver != null) { // read once, on the first take: the driver does not change
      Path driver = cpuidleDriver;
      cpuidleDriver = null;
      if (!hasCpuidleDriver(driver)) {
        unavailable = true;
        LOG.info(
            () ->
                "CPU latency request not taken: this machine has no cpuidle driver ("
                    + driver
                    + "), so its idle CPUs have no states a request could keep them out of.");
        return;
      }
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(device, StandardOpenOption.WRITE);
      // A 4-byte write is read as a binary s32 in the CPU's byte order: 0 µs, i.e. never halt.
      channel.write(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(0, 0));
      timer.after(lingerNanos, this::releaseIfQuiet);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      closeQuietly(channel);
      unavailable = true;
      LOG.info(
          () ->
              "CPU latency request not available ("
                  + device
                  + ": "
                  + e
                  + "); bulk output runs at the pace the CPUs' idle states allow. Give the server's"
                  + " user write access to "
                  + device
                  + ", or set tether.pty.keep-cpus-awake=false to skip this.");
      return;
    } catch (RejectedExecutionException e) {
      closeQuietly(channel); // the scheduler is shutting down with the application
      return;
    }
    held = channel;
    holds++;
    LOG.fine("CPU latency request taken: output is streaming");
  }

  /** Whether {@code driver} names a cpuidle driver (not {@code none}, and there at all). */
  /** Whether this machine has a cpuidle driver, without which no request is taken. */
  public static boolean machineHasCpuidleDriver() {
    return hasCpuidleDriver(Path.of(CPUIDLE_DRIVER));
  }

  static boolean hasCpuidleDriver(Path driver) {
    try {
      String name = Files.readString(driver).strip();
      return !name.isEmpty() && !name.equals("none");
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** Lets the request go if nothing streamed during the linger; otherwise checks again later. */
  private synchronized void releaseIfQuiet() {
    if (held == null) {
      return;
    }
    long quiet = clock.getAsLong() - lastStreamingNanos;
    if (quiet < lingerNanos) {
      try {
        timer.after(lingerNanos - quiet, this::releaseIfQuiet);
        return;
      } catch (RejectedExecutionException e) {
        // Shutting down: let go now.
      }
    }
    release();
    LOG.fine("CPU latency request released: output has stopped streaming");
  }

  private void release() {
    closeQuietly(held);
    held = null;
  }

  /** Lets the request go for good (undeploy, shutdown). */
  @Override
  public synchronized void close() {
    closed = true;
    release();
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing the CPU latency request", e);
    }
  }
}
