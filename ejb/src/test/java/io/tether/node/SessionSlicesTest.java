package io.tether.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SessionSlicesTest {

  @Test
  void everySessionIsServedOncePerIntervalAndNoRunServesMoreThanAFewTimesItsShare() {
    SessionSlices<String> slices = new SessionSlices<>(5000, id -> id);
    assertEquals(50, slices.slices());
    assertEquals(100, slices.periodMillis());
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      sessions.add(UUID.randomUUID().toString());
    }
    for (int round = 0; round < 2; round++) { // two intervals: each session served twice
      Map<String, Integer> served = new HashMap<>();
      int most = 0;
      for (int run = 0; run < slices.slices(); run++) {
        List<String> thisRun = new ArrayList<>();
        slices.run(sessions, thisRun::add);
        thisRun.forEach(id -> served.merge(id, 1, Integer::sum));
        most = Math.max(most, thisRun.size());
      }
      assertEquals(sessions.size(), served.size(), "every session served in the interval");
      assertTrue(served.values().stream().allMatch(n -> n == 1), "none served twice");
      assertTrue(most <= 3 * sessions.size() / slices.slices(), "largest run: " + most);
    }
  }

  @Test
  void anIntervalShorterThanASliceIsServedWhole() {
    SessionSlices<String> slices = new SessionSlices<>(40, id -> id);
    assertEquals(1, slices.slices());
    assertEquals(40, slices.periodMillis());
    List<String> served = new ArrayList<>();
    slices.run(List.of("a", "b", "c"), served::add);
    assertEquals(List.of("a", "b", "c"), served);
  }

  @Test
  void aSessionKeepsItsSlice() {
    SessionSlices<String> slices = new SessionSlices<>(1000, id -> id);
    assertEquals(slices.sliceOf("session-1"), slices.sliceOf("session-1"));
    assertTrue(slices.sliceOf("session-1") >= 0 && slices.sliceOf("session-1") < 10);
  }
}
