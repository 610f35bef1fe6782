package io.tether.it.idle;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.ServerLog;
import io.tether.it.support.ServerProcess;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Idle sweeps on a server configured as in the ear POM's {@code tether.it.idle.settings}: users
 * idle 4 s attached, 3 s detached; admins 10 s; warning 2 s ahead; a sweep every second; at most 3
 * sessions per user. Every wait here is for an event of the server (a notice, a close, a log line),
 * never a fixed pause.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class IdleSweepIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void anIdleAttachedSessionIsWarnedThenClosedAndItsProcessesEnd() throws Exception {
    Terminal t = Terminal.open(ALICE);
    t.type("sleep 900 & echo ready-$((2*2))\r");
    t.awaitOutput("ready-4");
    JsonObject warning = t.awaitMessage("notice", "idle-warning", 1, WAIT);
    long secondsLeft = warning.getJsonNumber("secondsLeft").longValue();
    assertTrue(secondsLeft >= 1 && secondsLeft <= 2, "seconds left: " + secondsLeft);
    Terminal.Closed closed = t.connection().expectClosed();
    assertEquals(4008, closed.code());
    assertTrue(closed.reason().startsWith("The session was closed after being idle for"));
    ServerProcess.awaitNoProcessOf(t.sessionId(), WAIT);
    // A page that comes back is told why its session ended.
    assertEquals(4008, t.connect().expectClosed().code());
    String id = Pattern.quote(t.sessionId());
    ServerLog.awaitLine("session " + id + ": started for alice", WAIT);
    ServerLog.awaitLine("session " + id + ": idle warning, ends in", WAIT);
    ServerLog.awaitLine("session " + id + ": idle timeout \\(attached\\): idle for", WAIT);
    ServerLog.awaitLine("session " + id + ": ended \\(idle-timeout", WAIT);
    ServerLog.awaitLine("idle sweep: \\d+ session\\(s\\) in \\d+ ms", WAIT);
  }

  @Test
  void inputResetsTheIdleClockAndCancelsTheWarning() {
    try (Terminal t = Terminal.open(ALICE)) {
      // Three warning cycles: each keystroke answers a warning, so the session outlives its
      // 4-second limit several times over.
      for (int cycle = 1; cycle <= 3; cycle++) {
        t.awaitMessage("notice", "idle-warning", cycle, WAIT);
        t.type(" ");
        t.awaitMessage("notice", "idle-cleared", cycle, WAIT);
      }
      assertFalse(t.connection().closed.isDone());
      t.type("\u007f");
      t.exitShell();
    }
  }

  @Test
  void outputAloneDoesNotKeepASessionAlive() {
    Terminal t = Terminal.open(ALICE);
    t.type("while :; do echo tick; sleep 0.2; done\r");
    t.awaitOutput("tick\r\ntick\r\ntick");
    t.awaitMessage("notice", "idle-warning", 1, WAIT);
    assertEquals(4008, t.connection().expectClosed().code());
  }

  @Test
  void aDetachedSessionIsReapedAfterTheDetachedLimit() throws Exception {
    Terminal t = Terminal.open(ALICE);
    t.type("echo left-$((5*5))\r");
    t.awaitOutput("left-25");
    String session = t.sessionId();
    t.drop();
    ServerProcess.awaitNoProcessOf(session, WAIT);
    ServerLog.awaitLine(
        "session " + Pattern.quote(session) + ": idle timeout \\(detached\\)", WAIT);
    assertEquals(4008, t.connect().expectClosed().code());
  }

  @Test
  void aSessionReattachedInTimeSurvivesTheDetachedLimit() {
    try (Terminal t = Terminal.open(ALICE)) {
      t.drop();
      t.connect().expectAttached();
      // Three warning cycles take at least six seconds: well past the 3-second detached limit
      // counted from the drop.
      for (int cycle = 1; cycle <= 3; cycle++) {
        t.awaitMessage("notice", "idle-warning", cycle, WAIT);
        t.type(" ");
        t.awaitMessage("notice", "idle-cleared", cycle, WAIT);
      }
      t.type("\u007fecho alive-$((7*7))\r");
      t.awaitOutput("alive-49");
      t.exitShell();
    }
  }

  @Test
  void adminsHaveTheirOwnLongerLimit() {
    Terminal user = Terminal.open(ALICE);
    Terminal admin = Terminal.open(ADMIN);
    // The user's session ends after 4 s; at that moment the admin's, just as idle, is alive.
    assertEquals(4008, user.connection().expectClosed().code());
    assertFalse(admin.connection().closed.isDone());
    assertTrue(
        admin.messages().stream().noneMatch(m -> "idle-warning".equals(m.getString("kind", ""))));
    // ... and it ends too, once its own 10-second limit has passed.
    admin.awaitMessage("notice", "idle-warning", 1, WAIT);
    assertEquals(4008, admin.connection().expectClosed().code());
  }

  @Test
  void theSweepKillsAShellNoSessionKnows() throws Exception {
    // The server's identity, as its shells carry it: node name @ server base directory.
    String node;
    try (Terminal t = Terminal.open(ALICE)) {
      node = t.messages().get(0).getString("node");
      t.exitShell();
    }
    String server = node + "@" + System.getProperty("tether.it.base.dir");
    // A shell left behind by a crashed run of this server: marked for a session that is gone.
    ProcessBuilder ghost = new ProcessBuilder("sleep", "900");
    ghost.environment().put("TETHER_SERVER", server);
    ghost.environment().put("TETHER_SESSION", "ghost-session-0001");
    Process orphan = ghost.start();
    try {
      assertTrue(orphan.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "the sweep killed it");
      ServerLog.awaitLine(
          "killing shell process " + orphan.pid() + ": it belongs to no live session", WAIT);
    } finally {
      orphan.destroyForcibly();
    }
  }

  @Test
  void theSweepKillsWhatIsLeftInTheControlGroupOfASessionItDoesNotKnow() throws Exception {
    String node;
    try (Terminal t = Terminal.open(ALICE)) {
      node = t.messages().get(0).getString("node");
      t.exitShell();
    }
    // The groups this server makes: <root>/tether/server-<hash of its identity>/<session id>.
    String server = node + "@" + System.getProperty("tether.it.base.dir");
    byte[] hash =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(server.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String key = "server-" + java.util.HexFormat.of().formatHex(hash, 0, 8);
    java.nio.file.Path root = java.nio.file.Path.of("/sys/fs/cgroup");
    java.nio.file.Path group =
        java.nio.file.Files.exists(root.resolve("cgroup.controllers"))
            ? root.resolve("tether").resolve(key).resolve("ghost-group-0001")
            : root.resolve("pids/tether").resolve(key).resolve("ghost-group-0001");
    assertTrue(java.nio.file.Files.isDirectory(group.getParent()), group.getParent() + " exists");
    // What a crashed run of this server left: a group with a process in it, and no session.
    Process orphan = new ProcessBuilder("sleep", "901").start();
    try {
      placeInNewGroup(group, orphan.pid());
      assertTrue(orphan.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "the sweep killed it");
      ServerLog.awaitLine("session ghost-group-0001: killing processes", WAIT);
      for (int i = 0; i < 200 && java.nio.file.Files.exists(group); i++) {
        Thread.sleep(50); // the group is removed right after its last process is reaped
      }
      assertFalse(java.nio.file.Files.exists(group), "the sweep removed " + group);
    } finally {
      orphan.destroyForcibly();
    }
  }

  /**
   * Makes the group and moves the process into it. The sweep removes an empty group it does not
   * know, as it should, and may do so between the two steps: then they are taken again.
   */
  private static void placeInNewGroup(java.nio.file.Path group, long pid) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        java.nio.file.Files.createDirectories(group);
        java.nio.file.Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
        return;
      } catch (java.nio.file.NoSuchFileException removedMeanwhile) {
        if (attempt == 20) {
          throw removedMeanwhile;
        }
      }
    }
  }

  @Test
  void aUserPastTheSessionLimitGetsItsDocumentedError() {
    List<Terminal> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(Terminal.open(BOB));
      }
      // A resize is activity: on a slow machine none of the three may go idle (4 s here) before
      // the fourth is refused.
      open.forEach(t -> t.connection().send("{\"type\":\"resize\",\"cols\":81,\"rows\":24}"));
      Terminal fourth = Terminal.resume(BOB, null, 0);
      Terminal.Closed refused = fourth.connect().expectClosed();
      assertEquals(4012, refused.code());
      assertEquals("You have reached your limit of 3 sessions.", refused.reason());
      // The limit counts live sessions: ending one makes room.
      open.remove(0).exitShell();
      open.add(Terminal.open(BOB));
    } finally {
      open.forEach(IdleSweepIT::end);
    }
  }

  /** Ends a session of this test: by its exit, or by the sweep if the machine was slow. */
  private static void end(Terminal t) {
    t.type("exit\r");
    int code = t.awaitClosed().code();
    assertTrue(code == 4006 || code == 4008, "the session ended, with " + code);
  }
}
