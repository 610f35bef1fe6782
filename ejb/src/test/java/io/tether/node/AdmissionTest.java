package io.tether.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.session.QuietShell;
import io.tether.session.TerminalSession;
import io.tether.session.TestSessions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Admission by the heap: half of it for what the output logs hold, and never into a heap full after
 * a GC.
 */
class AdmissionTest {
  private static final long MIB = 1 << 20;

  /** Sessions with logs of {@code logBytes}, each after {@code output} bytes of output. */
  private static List<TerminalSession> sessionsWithLogs(int count, int logBytes, int output) {
    List<TerminalSession> sessions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      TerminalSession session =
          TestSessions.session(
              "s" + i,
              new QuietShell(),
              new TerminalSession.Settings(logBytes, 1024, 10_000, 4, false, 0),
              new TerminalSession.Listener() {});
      TestSessions.output(session, output);
      sessions.add(session);
    }
    return sessions;
  }

  @Test
  void fullLogsMayTakeHalfTheHeap() {
    Admission admission = new Admission(64 * MIB, () -> 0, () -> {});
    List<TerminalSession> seven = sessionsWithLogs(7, (int) (4 * MIB), (int) (4 * MIB));
    assertTrue(admission.refusal(seven, 4 * MIB).isEmpty(), "8 x 4 MiB = half of 64 MiB");
    List<TerminalSession> eight = sessionsWithLogs(8, (int) (4 * MIB), (int) (4 * MIB));
    assertEquals(
        "the sessions' output logs would take 36 of 64 MiB (half the heap)",
        admission.refusal(eight, 4 * MIB).orElseThrow());
  }

  @Test
  void logsCountWhatTheyHoldNotTheirConfiguredSize() {
    Admission admission = new Admission(64 * MIB, () -> 0, () -> {});
    // 4 MiB logs with a screenful each: 16 KiB held apiece, 1.6 MiB in all, not 400 MiB.
    List<TerminalSession> hundred = sessionsWithLogs(100, (int) (4 * MIB), 2048);
    assertTrue(admission.refusal(hundred, 4 * MIB).isEmpty());
    List<TerminalSession> busy = sessionsWithLogs(7, (int) (4 * MIB), (int) (4 * MIB));
    busy.addAll(hundred);
    assertEquals(
        "the sessions' output logs would take 33 of 64 MiB (half the heap)",
        admission.refusal(busy, 4 * MIB).orElseThrow(),
        "7 full logs, 100 screenfuls and the new one's whole log");
  }

  @Test
  void anEndedSessionsLogNoLongerCounts() {
    Admission admission = new Admission(64 * MIB, () -> 0, () -> {});
    List<TerminalSession> eight = sessionsWithLogs(8, (int) (4 * MIB), (int) (4 * MIB));
    eight.get(0).end(io.tether.session.SessionEnd.exited(0));
    assertTrue(admission.refusal(eight, 4 * MIB).isEmpty());
  }

  @Test
  void aHeapFullAfterItsLastCollectionTakesNoSession() {
    Admission admission = new Admission(100 * MIB, () -> 90 * MIB, () -> {});
    assertEquals(
        "the heap holds 90 of 100 MiB after its last collection",
        admission.refusal(List.of(), 1024).orElseThrow());
    assertTrue(
        new Admission(100 * MIB, () -> 80 * MIB, () -> {}).refusal(List.of(), 1024).isEmpty());
    assertTrue(
        new Admission(100 * MIB, () -> -1, () -> {}).refusal(List.of(), 1024).isEmpty(), "unknown");
  }

  @Test
  void aHeapThatLooksFullIsCollectedOnceBeforeTheRefusalAndNotAgainAtOnce() {
    long[] afterGc = {90 * MIB};
    int[] collections = {0};
    Admission admission =
        new Admission(
            100 * MIB,
            () -> afterGc[0],
            () -> {
              collections[0]++;
              afterGc[0] = 40 * MIB; // what was garbage is gone
            });
    assertTrue(admission.refusal(List.of(), 1024).isEmpty(), "room once collected");
    assertEquals(1, collections[0]);

    afterGc[0] = 90 * MIB; // really full now
    assertTrue(admission.refusal(List.of(), 1024).isPresent());
    assertEquals(1, collections[0], "not collected again within 5 s");
  }
}
