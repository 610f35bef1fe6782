package io.tether.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SendQueueTest {
  private final List<Integer> delivered = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private SendQueue<Integer> queue;

  private SendQueue<Integer> start(int capacity, SendQueue.Delivery<Integer> delivery) {
    queue =
        new SendQueue<>(
            "test-queue",
            capacity,
            r -> {
              Thread t = Executors.defaultThreadFactory().newThread(r);
              threads.add(t);
              return t;
            },
            delivery,
            new long[] {10, 20, 40});
    return queue;
  }

  @AfterEach
  void stop() {
    if (queue != null) {
      queue.stop(Duration.ofSeconds(1));
    }
  }

  private synchronized void record(int item) {
    delivered.add(item);
  }

  private synchronized List<Integer> delivered() {
    return List.copyOf(delivered);
  }

  @Test
  void deliversInOrderOnOneThread() {
    List<String> names = new ArrayList<>();
    start(
        1000,
        item -> {
          synchronized (names) {
            names.add(Thread.currentThread().getName());
          }
          record(item);
        });

    IntStream.range(0, 500).forEach(queue::offer);
    queue.stop(Duration.ofSeconds(5));

    assertEquals(IntStream.range(0, 500).boxed().toList(), delivered());
    assertEquals(List.of("test-queue"), names.stream().distinct().toList());
    assertEquals(1, threads.size());
  }

  @Test
  void aFullQueueDropsAndNeverBlocks() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch busy = new CountDownLatch(1);
    start(
        3,
        item -> {
          busy.countDown();
          release.await();
          record(item);
        });

    assertTrue(queue.offer(0));
    assertTrue(busy.await(5, TimeUnit.SECONDS), "the drain thread holds item 0");
    long started = System.nanoTime();
    List<Boolean> accepted = IntStream.range(1, 8).mapToObj(queue::offer).toList();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    release.countDown();
    queue.stop(Duration.ofSeconds(5));

    assertEquals(List.of(true, true, true, false, false, false, false), accepted);
    assertEquals(List.of(0, 1, 2, 3), delivered());
    assertEquals(4, queue.dropped());
    assertTrue(tookMillis < 500, "offer never waits: " + tookMillis + " ms");
  }

  @Test
  void aFailedDeliveryIsRetriedThenTheQueueMovesOn() {
    AtomicInteger attempts = new AtomicInteger();
    start(
        10,
        item -> {
          if (item == 1 && attempts.incrementAndGet() < 3) {
            throw new IllegalStateException("broker away");
          }
          if (item == 2) {
            throw new IllegalStateException("never deliverable");
          }
          record(item);
        });

    IntStream.range(0, 4).forEach(queue::offer);
    queue.stop(Duration.ofSeconds(10));

    assertEquals(List.of(0, 1, 3), delivered());
    assertEquals(3, attempts.get());
    assertEquals(1, queue.dropped());
  }

  @Test
  void stopEndsTheThreadAndRefusesMore() throws Exception {
    start(10, this::record);
    queue.offer(1);

    queue.stop(Duration.ofSeconds(5));

    assertFalse(threads.get(0).isAlive());
    assertFalse(queue.offer(2));
    assertEquals(List.of(1), delivered());
  }

  @Test
  void stopGivesUpOnADeliveryThatHangs() {
    start(
        10,
        item -> {
          Thread.sleep(60_000);
        });
    queue.offer(1);
    queue.offer(2);

    long started = System.nanoTime();
    queue.stop(Duration.ofMillis(200));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertTrue(tookMillis < 3000, "stop took " + tookMillis + " ms");
    assertEquals(0, queue.pending());
  }
}
