package io.tether.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A connection's work runs one task at a time, in the order it came, on real worker threads. */
class InOrderTest {
  private final ExecutorService workers = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() throws InterruptedException {
    workers.shutdownNow();
    assertTrue(workers.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void tasksRunOneAtATimeInTheOrderTheyCame() throws Exception {
    InOrder inOrder = new InOrder(workers, "a test");
    List<Integer> ran = new ArrayList<>(); // unsynchronised: the tasks must not overlap
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    inOrder.run(
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertFalse(inOrder.idle(), "a task is queued or running");
    int tasks = 1_000; // more than one turn: the rest come back in later turns
    for (int i = 0; i < tasks; i++) {
      int n = i;
      inOrder.run(() -> ran.add(n));
    }
    inOrder.run(
        () -> {
          throw new IllegalStateException("a failing task");
        });
    inOrder.run(done::countDown);
    release.countDown();

    assertTrue(done.await(20, TimeUnit.SECONDS), "a failing task stops none after it");
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      expected.add(i);
    }
    assertEquals(expected, ran);
    awaitIdle(inOrder);
  }

  @Test
  void aStoppedExecutorStillRunsWhatComes() {
    workers.shutdown();
    InOrder inOrder = new InOrder(workers, "a test");
    List<String> ran = new ArrayList<>();
    inOrder.run(() -> ran.add("closed"));
    assertEquals(List.of("closed"), ran, "run on the caller's thread, as the application stops");
    assertTrue(inOrder.idle());
  }

  private static void awaitIdle(InOrder inOrder) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!inOrder.idle() && System.nanoTime() < deadline) {
      Thread.sleep(5); // the last turn marks itself done just after its last task
    }
    assertTrue(inOrder.idle());
  }
}
