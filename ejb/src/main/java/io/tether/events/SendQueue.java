package io.tether.events;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A bounded first-in, first-out queue drained by one thread: whoever offers never blocks and never
 * fails, and items leave in the order they were offered. When the queue is full the new item is
 * dropped and counted; a failed delivery is retried a few times, then dropped and logged, so one
 * bad item or a broker outage cannot stop the queue for good.
 *
 * @param <T> what is queued
 */
public final class SendQueue<T> {
  /** Delivers one item; throwing means it was not delivered. */
  @FunctionalInterface
  public interface Delivery<T> {
    void deliver(T item) throws Exception;
  }

  private static final Logger LOG = Logger.getLogger(SendQueue.class.getName());
  private static final long[] RETRY_MILLIS = {100, 500, 2000};

  private final long[] retryMillis;

  private final String name;
  private final BlockingQueue<T> queue;
  private final Delivery<T> delivery;
  private final Thread drain;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private long reported; // drops already logged; drain thread only
  private volatile boolean stopping;
  private volatile long stopDeadline;

  /**
   * Starts the drain thread.
   *
   * @param threads where the one drain thread comes from (a {@code ManagedThreadFactory} in the
   *     server)
   */
  public SendQueue(String name, int capacity, ThreadFactory threads, Delivery<T> delivery) {
    this(name, capacity, threads, delivery, RETRY_MILLIS);
  }

  /** As above, with the waits before each retry (tests). */
  SendQueue(
      String name, int capacity, ThreadFactory threads, Delivery<T> delivery, long[] retryMillis) {
    this.name = name;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.delivery = delivery;
    this.retryMillis = retryMillis.clone();
    this.drain = threads.newThread(this::drain);
    drain.setName(name);
    drain.start();
  }

  /** Queues an item; false (and the item dropped) if the queue is full or stopped. */
  public boolean offer(T item) {
    if (stopping) {
      LOG.fine(() -> name + ": stopped, dropping " + item);
      return false;
    }
    if (queue.offer(item)) {
      return true;
    }
    if (dropped.getAndIncrement() == 0) {
      LOG.warning(() -> name + ": queue full, dropping items until it drains");
    }
    return false;
  }

  /** Items dropped because the queue was full or stopped, and items given up after retries. */
  public long dropped() {
    return dropped.get() + failed.get();
  }

  public int pending() {
    return queue.size();
  }

  /**
   * Stops taking items, delivers what is queued for at most {@code drainFor}, then stops the
   * thread. What is still queued after that is dropped and logged.
   */
  public void stop(Duration drainFor) {
    stopDeadline = System.nanoTime() + drainFor.toNanos();
    stopping = true;
    try {
      drain.join(Math.max(1, drainFor.toMillis() + 500));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (drain.isAlive()) {
      drain.interrupt();
    }
    int left = queue.size();
    queue.clear();
    if (left > 0) {
      LOG.warning(() -> name + ": stopped with " + left + " item(s) undelivered");
    }
  }

  private void drain() {
    try {
      while (!stopping || (!queue.isEmpty() && System.nanoTime() < stopDeadline)) {
        T item = queue.poll(200, TimeUnit.MILLISECONDS);
        if (item != null) {
          deliverWithRetries(item);
        }
        long total = dropped.get();
        if (total > reported) {
          long lost = total - reported;
          reported = total;
          LOG.warning(() -> name + ": " + lost + " item(s) were dropped: the queue was full");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void deliverWithRetries(T item) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        delivery.deliver(item);
        return;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        long wait = attempt < retryMillis.length ? retryMillis[attempt] : -1;
        boolean pastStop =
            stopping && System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait) > stopDeadline;
        if (wait < 0 || pastStop) {
          failed.incrementAndGet();
          LOG.log(Level.WARNING, name + ": gave up delivering " + item, e);
          return;
        }
        LOG.log(
            Level.FINE, e, () -> name + ": delivery failed, retrying in " + wait + " ms: " + item);
        Thread.sleep(wait);
      }
    }
  }
}
