package io.tether.isolation;

import static io.tether.isolation.IsolatedShellTest.readUntil;
import static io.tether.isolation.IsolatedShellTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pty.Cgroups;
import io.tether.pty.PtyShell;
import io.tether.pty.ShellSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sandboxes made ahead for a user's next session (see {@link Spares}), with real accounts, real
 * bubblewrap and real cgroups. Needs root, as {@link IsolatedShellTest} does.
 */
@Timeout(60)
class SpareSandboxTest {
  private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
  private static final String SERVER = "spare-test-server";
  private static final Path MARKER = Path.of("/home/tether-alice/spare-test-marker");

  /** bash that first prints the marker file, as a shell reads its startup files. */
  private static final ShellSpec READS_MARKER =
      new ShellSpec(
          List.of(
              "/bin/bash",
              "-c",
              "cat " + MARKER + " 2>/dev/null; exec /bin/bash --norc --noprofile"),
          IsolatedShellTest.BASH.directory(),
          IsolatedShellTest.BASH.environment());

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger ids = new AtomicInteger();
  private final List<ShellIsolation> isolations = new ArrayList<>();
  private final List<PtyShell> started = new ArrayList<>();
  private final Set<String> left = ConcurrentHashMap.newKeySet(); // users without a session
  private ShellIsolation isolation;

  @BeforeAll
  static void needsRootAndAccounts() throws Exception {
    IsolatedShellTest.needsRootAndAccounts();
  }

  @BeforeEach
  void keepSpares() throws IOException {
    isolation = keeping(Duration.ofMinutes(5));
    isolation.reapOrphans(id -> false); // nothing left by an earlier run
  }

  private ShellIsolation keeping(Duration lifetime) throws IOException {
    return keeping(lifetime, Duration.ZERO);
  }

  private ShellIsolation keeping(Duration lifetime, Duration delay) throws IOException {
    ShellIsolation kept = ShellIsolation.start(IsolatedShellTest.config(64, 128), SERVER);
    Supplier<String> next = () -> "spare-" + ids.incrementAndGet();
    kept.keepSpares(4, lifetime, delay, executor, next, user -> !left.contains(user));
    isolations.add(kept);
    return kept;
  }

  @AfterEach
  void endEverything() throws IOException {
    for (PtyShell shell : started) {
      shell.kill();
      shell.close();
    }
    isolations.forEach(ShellIsolation::close);
    executor.shutdownNow();
    Files.deleteIfExists(MARKER);
  }

  private PtyShell start(ShellSpec spec, String session, String user, boolean admin, int cols)
      throws IOException {
    PtyShell shell = isolation.start(spec, session, user, admin, cols, 40);
    started.add(shell);
    return shell;
  }

  private static void await(String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plusSeconds(20);
    while (!condition.getAsBoolean()) {
      assertTrue(Instant.now().isBefore(deadline), "never: " + what);
      LockSupport.parkNanos(10_000_000); // polling: a spare's making has no event to wait on
    }
  }

  /** The session id of {@code user}'s spare, once it is made and waits. */
  private String awaitSpare(String user, boolean admin) {
    await(
        "a spare for " + user,
        () ->
            isolation
                .spareSessionId(user, admin)
                .filter(id -> isolation.waitingSpares().contains(id))
                .isPresent());
    return isolation.spareSessionId(user, admin).orElseThrow();
  }

  /** The session's group in each hierarchy (v1: pids, memory, cpu). */
  private static List<Path> groups(String sessionId) throws IOException {
    return Cgroups.detect(CGROUPS, "tether-test", SERVER).bases().stream()
        .map(base -> base.resolve(sessionId))
        .toList();
  }

  private static List<Long> members(String sessionId) throws IOException {
    Path procs = groups(sessionId).get(0).resolve("cgroup.procs");
    if (!Files.exists(procs)) {
      return List.of();
    }
    return Files.readAllLines(procs).stream().map(Long::parseLong).toList();
  }

  private static String uidOf(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
          .filter(line -> line.startsWith("Uid:"))
          .findFirst()
          .orElseThrow()
          .split("\\s+")[1];
    } catch (IOException e) {
      return "gone";
    }
  }

  /** Whether a process of the group blocks reading a pipe: bwrap, made, waiting for its go. */
  private static boolean waitsForGo(String sessionId) {
    for (long pid : membersOf(sessionId)) {
      try {
        if (Files.readString(Path.of("/proc/" + pid + "/wchan")).endsWith("pipe_read")) {
          return true;
        }
      } catch (IOException e) {
        // gone meanwhile
      }
    }
    return false;
  }

  private static String commandLine(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void aUsersNextSessionStartsFromItsSpareWithTheSessionsLimitsSizeAndFreshStartupFiles()
      throws Exception {
    start(READS_MARKER, "s-first", "alice", false, 80);
    assertEquals(0, isolation.spareStarts());
    String id = awaitSpare("alice", false);
    // The spare's group has the session's limits before anything of the session runs.
    assertEquals("64", Files.readString(groups(id).get(0).resolve("pids.max")).trim());
    assertEquals(
        Long.toString(128L << 20),
        Files.readString(groups(id).get(1).resolve("memory.limit_in_bytes")).trim());
    // The sandbox is made and waits for its go; no shell runs in it yet.
    await("the spare's sandbox waiting for its go", () -> waitsForGo(id));
    for (long pid : members(id)) {
      assertFalse(commandLine(pid).startsWith("/bin/bash"), commandLine(pid));
    }
    // The shell starts only when the session takes the sandbox: it reads what is there then.
    Files.writeString(MARKER, "written after the spare was made\n");
    PtyShell shell = start(READS_MARKER, id, "alice", false, 132);
    assertEquals(1, isolation.spareStarts());
    readUntil(shell.output(), Pattern.compile("written after the spare was made"));
    assertEquals("tether-alice\n", run(shell, "whoami"));
    assertEquals("40 132\n", run(shell, "stty size"));
    String ps = run(shell, "ps -eo user:32=,args=");
    for (String line : ps.split("\n")) {
      assertTrue(line.startsWith("tether-alice "), ps);
    }
    assertFalse(ps.contains("java"), ps);
    // Every process of the session is in its group, as the account.
    String uid = Integer.toString(Account.lookup("tether-alice").orElseThrow().uid());
    List<Long> members = members(id);
    assertTrue(members.size() >= 3, "bwrap, its init, bash: " + members);
    for (long pid : members) {
      assertEquals(uid, uidOf(pid), "process " + pid);
    }
    // Its end reaches a double-forked child, as a cold session's does.
    run(shell, "(setsid sh -c 'exec sleep 4646' </dev/null >/dev/null 2>&1 &)");
    await("the setsid child", () -> IsolatedShellTest.hostProcessRuns("sleep 4646"));
    shell.kill();
    assertFalse(IsolatedShellTest.hostProcessRuns("sleep 4646"));
    assertFalse(Files.exists(groups(id).get(0)));
    // Her next session has a spare again.
    assertNotEquals(id, awaitSpare("alice", false));
  }

  /**
   * A node that issues a ticket expects its user's session: the sandbox is made at once, and the
   * session that asks while it is still being made waits for it rather than make one of its own.
   */
  @Test
  void anExpectedSessionStartsInTheSandboxMadeForItEvenWhileItIsStillBeingMade() throws Exception {
    isolation.prepare("alice", false, IsolatedShellTest.BASH);
    String id = isolation.spareSessionId("alice", false).orElseThrow(); // being made, or made
    PtyShell shell = start(IsolatedShellTest.BASH, id, "alice", false, 100);
    assertEquals(1, isolation.spareStarts());
    assertEquals("tether-alice\n", run(shell, "whoami"));
    assertEquals("40 100\n", run(shell, "stty size"));
    // Her next one is made after this one started, as after any session's start.
    assertNotEquals(id, awaitSpare("alice", false));
  }

  /**
   * A sandbox taken the moment it is made, before its first process has got as far as the wait for
   * its go: the go is not lost, and the shell starts. (The go is a byte on a pipe: one written
   * before the sandbox held the pipe open was discarded with the pipe, and the sandbox waited
   * forever, its session attached and silent.)
   */
  @Test
  void aSandboxTakenTheMomentItIsMadeStillStartsItsShell() throws Exception {
    isolation.close();
    isolation = keeping(Duration.ofMinutes(5), Duration.ofMinutes(10)); // each made for a ticket
    for (int i = 0; i < 20; i++) {
      isolation.prepare("alice", false, IsolatedShellTest.BASH);
      String id = isolation.spareSessionId("alice", false).orElseThrow();
      PtyShell shell = start(IsolatedShellTest.BASH, id, "alice", false, 100);
      assertEquals("tether-alice\n", run(shell, "whoami"), "session " + i);
      shell.kill();
    }
    assertEquals(20, isolation.spareStarts());
  }

  /**
   * The next spare is due long after a session's start; a ticket that announces the user's next
   * session has it made at once.
   */
  @Test
  void aTicketHasTheSpareScheduledForLaterMadeAtOnce() throws Exception {
    isolation.close();
    isolation = keeping(Duration.ofMinutes(5), Duration.ofMinutes(10));
    start(IsolatedShellTest.BASH, "s-first", "bob", false, 80);
    assertEquals(Optional.empty(), isolation.spareSessionId("bob", false)); // due in 10 minutes
    isolation.prepare("bob", false, IsolatedShellTest.BASH);
    String id = isolation.spareSessionId("bob", false).orElseThrow();
    PtyShell shell = start(IsolatedShellTest.BASH, id, "bob", false, 80);
    assertEquals(1, isolation.spareStarts());
    assertEquals("tether-bob\n", run(shell, "whoami"));
  }

  /** A ticket that expired unused: its user may start no session here, and the sweep kills it. */
  @Test
  void aSpareMadeForASessionThatNeverCameGoesAtTheSweep() throws Exception {
    isolation.prepare("bob", false, IsolatedShellTest.BASH);
    String id = awaitSpare("bob", false);
    isolation.reapOrphans(session -> false); // still expected: kept
    assertEquals(List.of(id), isolation.waitingSpares());
    left.add("bob");
    isolation.reapOrphans(session -> false);
    assertEquals(List.of(), isolation.waitingSpares());
    assertFalse(Files.exists(groups(id).get(0)));
  }

  @Test
  void aSpareGoesOnlyToItsOwnUserInItsOwnRole() throws Exception {
    start(IsolatedShellTest.BASH, "s-alice", "alice", false, 80);
    String alices = awaitSpare("alice", false);
    assertEquals(Optional.empty(), isolation.spareSessionId("bob", false));
    assertEquals(Optional.empty(), isolation.spareSessionId("alice", true));
    // Not even under its session id does another user, or she as an admin, get it.
    assertThrows(IOException.class, () -> start(IsolatedShellTest.BASH, alices, "bob", false, 80));
    assertThrows(IOException.class, () -> start(IsolatedShellTest.BASH, alices, "alice", true, 80));
    assertEquals(0, isolation.spareStarts());
    PtyShell bob = start(IsolatedShellTest.BASH, "s-bob", "bob", false, 80);
    assertEquals("tether-bob\n", run(bob, "whoami"));
    // Hers still waits for her, and is hers.
    assertEquals(Optional.of(alices), isolation.spareSessionId("alice", false));
    PtyShell alice = start(IsolatedShellTest.BASH, alices, "alice", false, 80);
    assertEquals(1, isolation.spareStarts());
    assertEquals("tether-alice\n", run(alice, "whoami"));
    // An admin's spare has an admin's limits.
    start(IsolatedShellTest.BASH, "s-admin", "alice", true, 80);
    String admins = awaitSpare("alice", true);
    assertEquals("128", Files.readString(groups(admins).get(0).resolve("pids.max")).trim());
  }

  @Test
  void aUsersSpareGoesWhenTheirLastSessionHasEnded() throws Exception {
    start(IsolatedShellTest.BASH, "s-alice", "alice", false, 80);
    start(IsolatedShellTest.BASH, "s-bob", "bob", false, 80);
    String alices = awaitSpare("alice", false);
    String bobs = awaitSpare("bob", false);
    isolation.sessionEnded("alice"); // she still has a session: hers stays
    left.add("bob");
    isolation.sessionEnded("bob");
    await("bob's spare gone", () -> !Files.exists(groupOrEmpty(bobs)));
    assertEquals(List.of(alices), isolation.waitingSpares());
    assertTrue(Files.exists(groups(alices).get(0)));
  }

  private static Path groupOrEmpty(String sessionId) {
    try {
      return groups(sessionId).get(0);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void closingKillsEverySpareAndRemovesItsGroup() throws Exception {
    start(IsolatedShellTest.BASH, "s-alice", "alice", false, 80);
    start(IsolatedShellTest.BASH, "s-bob", "bob", false, 80);
    List<String> spares = List.of(awaitSpare("alice", false), awaitSpare("bob", false));
    List<Long> pids = new ArrayList<>();
    for (String spare : spares) {
      await("the spare's sandbox in its group", () -> !membersOf(spare).isEmpty());
      pids.addAll(members(spare));
    }
    isolation.close();
    for (String spare : spares) {
      for (Path group : groups(spare)) {
        assertFalse(Files.exists(group), group.toString());
      }
    }
    for (long pid : pids) {
      await("process " + pid + " gone", () -> !Files.exists(Path.of("/proc/" + pid)));
    }
    assertEquals(List.of(), isolation.waitingSpares());
    // None is made any more.
    start(IsolatedShellTest.BASH, "s-after", "alice", false, 80);
    assertEquals(List.of(), isolation.waitingSpares());
  }

  private static List<Long> membersOf(String sessionId) {
    try {
      return members(sessionId);
    } catch (IOException e) {
      return List.of();
    }
  }

  @Test
  void theSweepLeavesSparesAloneButKillsThemPastTheirLifetime() throws Exception {
    start(IsolatedShellTest.BASH, "s-alice", "alice", false, 80);
    String id = awaitSpare("alice", false);
    assertEquals(0, isolation.reapOrphans(session -> session.equals("s-alice")));
    assertTrue(Files.exists(groups(id).get(0)));
    assertEquals(Optional.of(id), isolation.spareSessionId("alice", false));

    isolation = keeping(Duration.ofNanos(1));
    start(IsolatedShellTest.BASH, "s-short", "bob", false, 80);
    await("bob's spare", () -> !isolation.waitingSpares().isEmpty());
    String old = isolation.waitingSpares().get(0);
    assertEquals(Optional.empty(), isolation.spareSessionId("bob", false)); // too old to give
    isolation.reapOrphans(session -> true);
    assertEquals(List.of(), isolation.waitingSpares());
    assertFalse(Files.exists(groups(old).get(0)));
  }
}
