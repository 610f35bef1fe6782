package io.tether.pty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The one thread that checks every running shell, on its real schedule. */
class ShellExitsTest {

  /**
   * A node of 2,000 isolated sessions reads 2,000 cgroup files every 2 s: one slice of them every
   * 100 ms, not all in one burst that the echoes arriving meanwhile wait behind.
   */
  @Test
  void theChecksOfRunningShellsAreSpreadOverTheirInterval() throws Exception {
    int count = ShellExits.CHECK_SLICES;
    Map<Integer, Long> firstRun = new ConcurrentHashMap<>();
    CountDownLatch allRan = new CountDownLatch(count);
    List<Runnable> checks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int check = i;
      checks.add(
          () -> {
            if (firstRun.putIfAbsent(check, System.nanoTime()) == null) {
              allRan.countDown();
            }
          });
    }
    try {
      checks.forEach(ShellExits::checkEvery);
      assertTrue(
          allRan.await(4 * ShellExits.CHECK_MILLIS, TimeUnit.MILLISECONDS),
          "every check runs within its interval: " + firstRun.keySet());
    } finally {
      checks.forEach(ShellExits::stopChecking);
    }
    long first = firstRun.values().stream().min(Long::compare).orElseThrow();
    long last = firstRun.values().stream().max(Long::compare).orElseThrow();
    long spreadMillis = TimeUnit.NANOSECONDS.toMillis(last - first);
    // one slice each: 19 slices of 100 ms between the first and the last, at least
    assertTrue(
        spreadMillis >= ShellExits.CHECK_MILLIS / 2,
        "the first runs of " + count + " checks came within " + spreadMillis + " ms");
  }
}
