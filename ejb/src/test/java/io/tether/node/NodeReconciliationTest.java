package io.tether.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pty.PtyShell;
import io.tether.registry.InMemorySessionRegistry;
import io.tether.registry.SessionRecord;
import io.tether.session.TerminalSession;
import io.tether.session.TestSessions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep's reconciliation with real shells on real PTYs, marked with a server identity of this
 * test's own so nothing else on the machine is touched, and with sessions caught in the middle of
 * their start, where the shell exists before the session is live and its record written.
 */
class NodeReconciliationTest {
  private final String server = "reconciliation-test@" + UUID.randomUUID();
  private final Map<String, TerminalSession> sessions = new ConcurrentHashMap<>();
  private final Set<String> starting = ConcurrentHashMap.newKeySet();
  private final InMemorySessionRegistry registry = new InMemorySessionRegistry();
  private final NodeReconciliation reconciliation = reconciliation(true);

  private NodeReconciliation reconciliation(boolean lookForShells) {
    return new NodeReconciliation(
        "node1",
        server,
        lookForShells,
        sessions,
        starting,
        registry,
        s -> registry.register(SessionRecord.of(s.id(), "alice", "node1", Instant.now(), 0)));
  }

  private final List<PtyShell> shells = new ArrayList<>();

  private PtyShell shell(String sessionId) throws Exception {
    PtyShell shell = PtyShell.start(TestSessions.BASH, sessionId, server, 80, 24);
    shells.add(shell);
    return shell;
  }

  @AfterEach
  void killShells() {
    for (PtyShell shell : shells) {
      shell.kill();
      shell.close();
    }
  }

  @Test
  void aSessionLiveButNotYetRecordedIsLeftAloneUntilItsStartIsOver() throws Exception {
    PtyShell shell = shell("s1");
    TerminalSession session = TestSessions.session("s1", shell);
    starting.add("s1");
    sessions.put("s1", session);

    assertEquals(0, reconciliation.run(), "its record is about to be written");
    assertNull(session.ended());
    assertTrue(shell.shellAlive());

    // The start is over and still no record (the cluster declared it lost while this node was
    // cut off): it is recorded again, and goes on.
    starting.remove("s1");
    assertEquals(1, reconciliation.run());
    assertNull(session.ended(), "no session ends because its record is missing");
    assertTrue(registry.find("s1").isPresent());
    assertEquals(0, reconciliation.run(), "once recorded, nothing more to do");
  }

  @Test
  void aShellWhoseSessionIsStartingIsNoOrphanAndOneOfNoSessionIs() throws Exception {
    PtyShell shell = shell("s2");
    starting.add("s2");

    assertEquals(0, reconciliation.run(), "the shell of a session being started");
    assertTrue(shell.shellAlive());

    // The start failed after the shell was spawned: it belongs to no session.
    starting.remove("s2");
    assertEquals(1, reconciliation.run());
    ProcessHandle.of(shell.pid()).ifPresent(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    assertFalse(shell.shellAlive(), "killed");
  }

  /**
   * A node that isolates its shells finds them by their groups: its reconciliation does not read
   * every process of the machine, and a marked shell of no session is not its to kill.
   */
  @Test
  void aReconciliationThatDoesNotLookForShellsLeavesProcessesAlone() throws Exception {
    PtyShell shell = shell("s5");

    assertEquals(0, reconciliation(false).run());
    assertTrue(shell.shellAlive());
    assertEquals(1, reconciliation.run(), "found by a look through the processes");
  }

  @Test
  void aRecordOfNoLiveSessionIsRemovedAndARecordedSessionIsKept() throws Exception {
    SessionRecord orphanRecord = SessionRecord.of("s3", "alice", "node1", Instant.now(), 0);
    registry.register(orphanRecord);
    PtyShell shell = shell("s4");
    TerminalSession recorded = TestSessions.session("s4", shell);
    sessions.put("s4", recorded);
    registry.register(SessionRecord.of("s4", "alice", "node1", Instant.now(), 1));

    assertEquals(1, reconciliation.run());
    assertTrue(registry.find("s3").isEmpty());
    assertTrue(registry.find("s4").isPresent());
    assertNull(recorded.ended());
    assertTrue(shell.shellAlive());
  }
}
