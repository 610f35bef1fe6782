package io.tether.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pty.PtyShell;
import io.tether.pty.ShellSpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing {@link Spares} (an undeploy) while a spare is being made. The making is held at its start
 * by the test; what it then makes is a real process on a real PTY and a real pipe, like a
 * sandbox's, without the accounts and cgroups that {@link SpareSandboxTest} needs root for.
 */
@Timeout(60)
class SparesClosingTest {
  private static final ShellSpec SLEEPS =
      new ShellSpec(List.of("/bin/sleep", "600"), Path.of("/tmp"), Map.of());
  private static final Account ACCOUNT =
      new Account("tether-nobody", 65534, 65534, Path.of("/tmp"), "/bin/sh");

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private final CountDownLatch begun = new CountDownLatch(1);
  private final CountDownLatch proceed = new CountDownLatch(1);
  private final List<Spares.Spare> made = new CopyOnWriteArrayList<>();
  private final AtomicInteger makings = new AtomicInteger();

  @AfterEach
  void stop() throws InterruptedException {
    proceed.countDown();
    executor.shutdownNow();
    assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    for (Spares.Spare spare : made) {
      if (spare.go().isOpen()) { // not discarded by the test's close
        spare.discard();
      }
    }
  }

  /** The test's maker: holds until {@link #proceed}, then makes a spare of a sleeping process. */
  private Spares.Spare make(String sessionId, String user, boolean admin, ShellSpec spec, Path pipe)
      throws IOException {
    makings.incrementAndGet();
    begun.countDown();
    try {
      proceed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted before making " + sessionId, e);
    }
    FileChannel go = Spares.pipe(pipe);
    PtyShell shell = PtyShell.start(spec, sessionId, "spares-closing-test", 80, 24);
    Files.deleteIfExists(pipe);
    Spares.Spare spare =
        new Spares.Spare(sessionId, spec, ACCOUNT, List.of(), shell, go, System.nanoTime());
    made.add(spare);
    return spare;
  }

  private Spares spares() throws IOException {
    AtomicInteger ids = new AtomicInteger();
    return new Spares(
        this::make,
        4,
        Duration.ofMinutes(5),
        executor,
        () -> "spare-" + ids.incrementAndGet(),
        user -> true);
  }

  /**
   * Closing meets a spare being made: it waits for the making to end, and the spare it made is
   * killed before closing returns. (It returned at once before: the making's future let itself be
   * cancelled while it ran, and went on to make a sandbox after the node had closed.)
   */
  @Test
  void closingWaitsForASpareBeingMadeAndKillsIt() throws Exception {
    Spares spares = spares();
    spares.replenish("alice", false, SLEEPS, Duration.ZERO);
    begun.await();

    Thread closer = new Thread(spares::close, "spares-closer");
    closer.start();
    awaitState(closer, Thread.State.TIMED_WAITING, Thread.State.TERMINATED);
    assertEquals(
        Thread.State.TIMED_WAITING,
        closer.getState(),
        "close() returned while a spare was being made");

    proceed.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(20));
    assertFalse(closer.isAlive(), "close() did not return once the making ended");
    assertEquals(1, made.size());
    Spares.Spare spare = made.get(0);
    assertFalse(spare.go().isOpen(), "the spare's pipe is still open after close()");
    // The kill has been sent by then; the process's exit is the kernel's to report.
    spare.shell().onExit().get(10, TimeUnit.SECONDS);
    assertEquals(List.of(), spares.waiting());
  }

  /** A spare scheduled for later and not begun when closing is never made. */
  @Test
  void aSpareScheduledForLaterIsNeverMadeAfterClosing() throws Exception {
    Spares spares = spares();
    spares.replenish("alice", false, SLEEPS, Duration.ofMillis(50));
    spares.close();
    proceed.countDown();
    // Whatever the executor still runs runs before this task (one thread, in order of time).
    executor.schedule(() -> {}, 100, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS);
    assertEquals(0, makings.get());
    assertEquals(List.of(), spares.waiting());
  }

  private static void awaitState(Thread thread, Thread.State... states) {
    Instant deadline = Instant.now().plusSeconds(20);
    while (!List.of(states).contains(thread.getState())) {
      assertTrue(Instant.now().isBefore(deadline), thread.getName() + " is " + thread.getState());
      LockSupport.parkNanos(1_000_000); // a thread's state has no event to wait on
    }
  }
}
