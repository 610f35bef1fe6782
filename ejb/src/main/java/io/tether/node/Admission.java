package io.tether.node;

import io.tether.session.OutputLog;
import io.tether.session.TerminalSession;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Whether this node has room for one more session, by its heap: churn near the heap's limit is
 * refused ({@code 4018}, the page retries and may land elsewhere) instead of running the node out
 * of memory. Two rules, both derived from the heap's maximum ({@code -Xmx}):
 *
 * <ul>
 *   <li>what the sessions' output logs hold now (they grow with their output, up to their
 *       configured size), plus a whole log for each session starting, takes at most {@link
 *       #LOG_SHARE} of it, so the rest of the server always has the other part and a session that
 *       starts can fill its log;
 *   <li>the heap after the last collection of its oldest generation stays below {@link #FULL}: a
 *       heap that full is not freed by the next collection either. That figure is only as fresh as
 *       the last collection, and a node that refuses allocates nothing, so none may come: before it
 *       refuses for this, it asks for a collection, at most once every {@link
 *       #COLLECT_EVERY_NANOS}.
 * </ul>
 */
final class Admission {
  static final double LOG_SHARE = OutputLog.HEAP_SHARE;
  static final double FULL = 0.85;
  static final long COLLECT_EVERY_NANOS = 5_000_000_000L;

  private final long maxHeap;
  private final LongSupplier heapAfterCollection; // bytes, or -1 if unknown
  private final Runnable collect;
  private long lastCollectNanos = System.nanoTime() - COLLECT_EVERY_NANOS; // guarded by this

  Admission(long maxHeap, LongSupplier heapAfterCollection, Runnable collect) {
    this.maxHeap = maxHeap;
    this.heapAfterCollection = heapAfterCollection;
    this.collect = collect;
  }

  /** This JVM's heap, as the collector reports it. */
  static Admission ofThisJvm() {
    List<MemoryPoolMXBean> tenured =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .filter(MemoryPoolMXBean::isCollectionUsageThresholdSupported)
            .toList();
    return new Admission(
        Runtime.getRuntime().maxMemory(),
        () -> {
          long used = 0;
          for (MemoryPoolMXBean pool : tenured) {
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (afterGc == null) {
              return -1;
            }
            used += afterGc.getUsed();
          }
          return tenured.isEmpty() ? -1 : used;
        },
        System::gc);
  }

  /**
   * Why new logs of {@code logBytes} in all do not fit beside what the logs of {@code live} hold
   * now, or empty if they do.
   */
  Optional<String> refusal(Collection<TerminalSession> live, long logBytes) {
    long logs = logBytes;
    for (TerminalSession session : live) {
      logs += session.logHeldBytes();
    }
    if (logs > maxHeap * LOG_SHARE) {
      return Optional.of(
          String.format(
              "the sessions' output logs would take %d of %d MiB (half the heap)",
              logs >> 20, maxHeap >> 20));
    }
    long afterGc = heapAfterCollection.getAsLong();
    if (afterGc > maxHeap * FULL && collectIfDue()) {
      afterGc = heapAfterCollection.getAsLong();
    }
    if (afterGc > maxHeap * FULL) {
      return Optional.of(
          String.format(
              "the heap holds %d of %d MiB after its last collection",
              afterGc >> 20, maxHeap >> 20));
    }
    return Optional.empty();
  }

  /** Asks for a collection unless one was asked for recently; true if it asked. */
  private synchronized boolean collectIfDue() {
    long now = System.nanoTime();
    if (now - lastCollectNanos < COLLECT_EVERY_NANOS) {
      return false;
    }
    lastCollectNanos = now;
    collect.run();
    return true;
  }
}
