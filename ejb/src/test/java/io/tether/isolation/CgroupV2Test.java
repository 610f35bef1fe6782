package io.tether.isolation;

import static io.tether.isolation.IsolatedShellTest.BASH;
import static io.tether.isolation.IsolatedShellTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pty.Cgroups;
import io.tether.pty.PtyShell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cgroup v2 path against a real cgroup2 hierarchy, mounted for the test under {@code target/}
 * (and unmounted after). On a host whose {@code pids} and {@code memory} controllers are bound to
 * v1 hierarchies (as this one), that hierarchy offers neither, so the limits themselves cannot be
 * exercised here; what is: detection, the report of the missing controllers (refused, or a warning
 * and shells without limits), a shell placed in its group, and the end of a session through {@code
 * cgroup.kill}, double-forked {@code setsid} children included, and the group's removal.
 */
@Timeout(60)
class CgroupV2Test {
  private static final Path TARGET = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
  private static Path root;
  private final List<PtyShell> started = new ArrayList<>();

  @BeforeAll
  static void mountCgroup2() throws Exception {
    IsolatedShellTest.needsRootAndAccounts();
    root = Files.createTempDirectory(TARGET, "cgroup2-");
    Process mount =
        new ProcessBuilder("mount", "-t", "cgroup2", "none", root.toString()).inheritIO().start();
    Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount cgroup2 here: skipped");
  }

  @AfterAll
  static void unmount() throws Exception {
    if (root == null) {
      return;
    }
    try (var groups = Files.walk(root.resolve("tether-v2"))) {
      for (Path group :
          groups.filter(Files::isDirectory).sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.deleteIfExists(group); // rmdir, deepest first
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // never made
    }
    assertEquals(0, new ProcessBuilder("umount", root.toString()).inheritIO().start().waitFor());
    Files.delete(root);
  }

  @AfterEach
  void endEverything() {
    for (PtyShell shell : started) {
      shell.kill();
      shell.close();
    }
  }

  private static IsolationConfig config(boolean refuseWithoutLimits) {
    return new IsolationConfig(
            false,
            AccountMapping.of("prefix", "tether-", Map.of()),
            1000,
            List.of("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64"),
            true,
            "/usr/local/bin:/usr/bin:/bin",
            Map.of(),
            Path.of("/sys/fs/cgroup"),
            "tether",
            new IsolationConfig.Limits(64, 128),
            new IsolationConfig.Limits(64, 128))
        .withCgroups(root, "tether-v2", refuseWithoutLimits);
  }

  /** What {@link ShellIsolation} logs while {@code action} runs. */
  private static List<LogRecord> logged(Runnable action) {
    List<LogRecord> records = new ArrayList<>();
    Logger logger = Logger.getLogger(ShellIsolation.class.getName());
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    try {
      action.run();
    } finally {
      logger.removeHandler(handler);
    }
    return records;
  }

  private static String controllers() throws IOException {
    return Files.readString(root.resolve("cgroup.controllers")).trim();
  }

  /** Whether {@code pid} runs (exists and is not a zombie waiting for its parent). */
  private static boolean runs(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  private static String describe(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/stat"))
          + Files.readString(Path.of("/proc/" + pid + "/cgroup"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Test
  void aV2HierarchyWithoutThePidsAndMemoryControllersIsRefusedByDefaultAndSaysWhy()
      throws Exception {
    Assumptions.assumeFalse(
        controllers().contains("pids"), "this host offers pids in v2: see the other tests");
    IOException refused =
        assertThrows(IOException.class, () -> Cgroups.detect(root, "tether-v2", "v2-test", true));
    assertTrue(refused.getMessage().contains("cgroup v2 at " + root), refused.getMessage());
    assertTrue(refused.getMessage().contains("no pids and no memory"), refused.getMessage());
    List<ShellIsolation> isolation = new ArrayList<>();
    List<LogRecord> log = logged(() -> isolation.add(ShellIsolation.start(config(true), "v2-a")));
    assertTrue(
        log.stream()
            .anyMatch(
                r ->
                    r.getLevel() == Level.SEVERE
                        && r.getMessage().contains("none will start")
                        && r.getMessage().contains("no pids and no memory")),
        "the refusal is logged");
    IOException noShell =
        assertThrows(
            IOException.class,
            () -> isolation.get(0).start(BASH, "s-v2-refused", "alice", false, 80, 24));
    assertTrue(noShell.getMessage().contains("no pids and no memory"), noShell.getMessage());
  }

  @Test
  void withThePolicyWarnShellsRunWithoutTheMissingLimitsAndTheWarningSaysSo() throws Exception {
    Assumptions.assumeFalse(controllers().contains("pids"), "this host offers pids in v2");
    List<ShellIsolation> isolation = new ArrayList<>();
    List<LogRecord> log = logged(() -> isolation.add(ShellIsolation.start(config(false), "v2-b")));
    assertTrue(
        log.stream()
            .anyMatch(
                r ->
                    r.getLevel() == Level.WARNING
                        && r.getMessage().contains("without their pids and memory limits")),
        "the warning is logged");
    assertEquals(List.of("pids", "memory"), isolation.get(0).missingLimits());
  }

  /**
   * Without a PID namespace to end them (whose end would kill them anyway), only {@code
   * cgroup.kill} reaches them: processes that ignore SIGHUP and SIGTERM, one of them double-forked
   * with setsid.
   */
  @Test
  void killingAV2GroupEndsEveryMemberThroughCgroupKillAndRemovesTheGroup() throws Exception {
    Cgroups cgroups = Cgroups.detect(root, "tether-v2", "v2-d", false);
    io.tether.pty.SessionCgroup group = cgroups.create("s-v2-kill", 64, 128L << 20);
    Process first =
        new ProcessBuilder(
                group.joinThenRun(
                    List.of(
                        "/bin/sh",
                        "-c",
                        "trap '' HUP TERM; (setsid sh -c \"trap '' HUP TERM; exec sleep 4949\" &);"
                            + " exec sleep 4950")))
            .redirectErrorStream(true)
            .start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (group.members().size() < 2) {
      assertTrue(System.nanoTime() < deadline, "members: " + group.members());
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    List<Long> members = group.members();
    assertTrue(group.killAll(), "killed and removed");
    assertFalse(Files.exists(cgroups.bases().get(0).resolve("s-v2-kill")), "the group is removed");
    first.waitFor();
    for (long pid : members) {
      long until = System.nanoTime() + 5_000_000_000L;
      while (runs(pid)) {
        assertTrue(System.nanoTime() < until, "pid " + pid + " is left: " + describe(pid));
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
    }
  }

  @Test
  void aShellIsPlacedInItsV2GroupAndItsEndKillsEverythingThroughCgroupKill() throws Exception {
    ShellIsolation isolation = ShellIsolation.start(config(false), "v2-c");
    Cgroups cgroups = Cgroups.detect(root, "tether-v2", "v2-c", false);
    assertEquals(Cgroups.Version.V2, cgroups.version());
    Path group = cgroups.bases().get(0).resolve("s-v2-end");
    PtyShell shell = isolation.start(BASH, "s-v2-end", "alice", false, 80, 24);
    started.add(shell);
    assertEquals("tether-alice\n", run(shell, "whoami"));
    run(
        shell,
        "(setsid sh -c 'exec sleep 4747' </dev/null >/dev/null 2>&1 &);"
            + " (trap '' HUP; nohup sleep 4748 >/dev/null 2>&1 &)");
    List<Long> members =
        Files.readAllLines(group.resolve("cgroup.procs")).stream().map(Long::parseLong).toList();
    String relative = "0::/" + root.relativize(group);
    long setsid = -1;
    for (long pid : members) {
      List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
      assertTrue(lines.contains(relative), pid + " in " + lines);
      String cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
      if (cmd.contains("sleep 4747")) {
        setsid = pid;
      }
    }
    assertTrue(setsid > 0, "the setsid child is in the group: " + members);
    assertTrue(members.size() >= 4, "bwrap, bash and both sleeps: " + members);
    shell.hangUp();
    shell.kill();
    assertFalse(shell.anyAlive());
    // The sandbox's init may still be finishing its exit (out of the group already, waiting for
    // its namespace's last children to be reaped): every member is gone within moments.
    long deadline = System.nanoTime() + 5_000_000_000L;
    for (long pid : members) {
      while (runs(pid)) {
        assertTrue(System.nanoTime() < deadline, "pid " + pid + " is left: " + describe(pid));
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
    }
    assertFalse(Files.exists(group), "the group is removed");
  }
}
