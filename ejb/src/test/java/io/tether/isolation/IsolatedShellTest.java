package io.tether.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pty.PtyShell;
import io.tether.pty.ShellSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real isolated shells: real accounts ({@code tether-alice}, {@code tether-bob}, made by {@code
 * server-config/setup-shell-accounts.sh}, or here if missing), real bubblewrap and setpriv, real
 * cgroup limits. Needs root, as the server does to run shells as other accounts.
 */
@Timeout(60)
class IsolatedShellTest {
  private static final Path TARGET = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
  static final ShellSpec BASH =
      new ShellSpec(
          List.of("/bin/bash", "--norc", "--noprofile"),
          TARGET,
          Map.of("TERM", "xterm-256color", "LANG", "C.UTF-8"));

  private final List<PtyShell> started = new ArrayList<>();

  @BeforeAll
  static void needsRootAndAccounts() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "isolated shells need the server to run as root (or a privileged launcher): skipped");
    for (String account : List.of("tether-alice", "tether-bob")) {
      if (Account.lookup(account).isEmpty()) {
        Process add =
            new ProcessBuilder(
                    "useradd", "--create-home", "--user-group", "--shell", "/bin/bash", account)
                .inheritIO()
                .start();
        assertEquals(0, add.waitFor());
      }
    }
  }

  static IsolationConfig config(int pidsMax, long memoryMib) {
    return new IsolationConfig(
        false,
        AccountMapping.of("prefix", "tether-", Map.of()),
        1000,
        List.of("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64"),
        true,
        "/usr/local/bin:/usr/bin:/bin",
        Map.of("EDITOR", "vi"),
        Path.of("/sys/fs/cgroup"),
        "tether-test",
        new IsolationConfig.Limits(pidsMax, memoryMib),
        new IsolationConfig.Limits(pidsMax * 2, memoryMib * 2));
  }

  private final ShellIsolation isolation = ShellIsolation.start(config(64, 128), "test-server");

  private PtyShell start(ShellIsolation isolation, String session, String user) throws IOException {
    PtyShell shell = isolation.start(BASH, session, user, false, 200, 24);
    started.add(shell);
    return shell;
  }

  @BeforeEach
  void noGroupsLeftByAnEarlierRun() {
    isolation.reapOrphans(id -> false);
  }

  @AfterEach
  void endEverything() {
    for (PtyShell shell : started) {
      shell.kill();
      shell.close();
    }
  }

  static void type(PtyShell shell, String line) throws IOException {
    shell.write(ByteBuffer.wrap((line + "\r").getBytes(StandardCharsets.UTF_8)));
  }

  /** Reads until {@code pattern} appears; the text read so far on failure. */
  static Matcher readUntil(InputStream output, Pattern pattern) throws Exception {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline)) {
      int n = output.read(buffer);
      if (n < 0) {
        break;
      }
      seen.write(buffer, 0, n);
      Matcher m = pattern.matcher(seen.toString(StandardCharsets.UTF_8));
      if (m.find()) {
        return m;
      }
    }
    throw new AssertionError("never saw " + pattern + " in: " + seen);
  }

  /** Runs {@code command} and returns what it printed between two markers. */
  static String run(PtyShell shell, String command) throws Exception {
    type(shell, "echo BEGIN''; " + command + "; echo END''");
    return readUntil(shell.output(), Pattern.compile("BEGIN\r\n(.*?)END\r\n", Pattern.DOTALL))
        .group(1)
        .replace("\r", "");
  }

  @Test
  void theShellRunsAsTheUsersOwnAccountWithACleanEnvironmentAndNoWayToGainPrivileges()
      throws Exception {
    PtyShell shell = start(isolation, "s-whoami", "alice");
    assertEquals("tether-alice\n", run(shell, "whoami"));
    assertEquals("/home/tether-alice\n", run(shell, "pwd"));
    Set<String> names = new TreeSet<>(List.of(run(shell, "env | cut -d= -f1").split("\n")));
    names.remove("_"); // bash's own
    names.remove("PWD");
    names.remove("SHLVL");
    assertEquals(
        new TreeSet<>(
            List.of(
                "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "EDITOR", "OLDPWD")),
        names.contains("OLDPWD") ? names : addOldPwd(names));
    assertEquals(
        "PATH=/usr/local/bin:/usr/bin:/bin\nUSER=tether-alice\nLOGNAME=tether-alice\n",
        run(shell, "echo PATH=$PATH; echo USER=$USER; echo LOGNAME=$LOGNAME"));
    String status = run(shell, "grep -E '^(NoNewPrivs|CapEff|CapBnd):' /proc/self/status");
    assertTrue(status.matches("(?s).*CapEff:\\s+0+\n.*"), status);
    assertTrue(status.matches("(?s).*CapBnd:\\s+0+\n.*"), status);
    assertTrue(status.matches("(?s).*NoNewPrivs:\\s+1\n.*"), status);
    // A setuid program does not make her root.
    assertEquals(
        "no\n", run(shell, "su -c id root </dev/null >/dev/null 2>&1 && echo yes || echo no"));
    // The home persists and is hers; /tmp is her session's own.
    assertEquals("tether-alice\n", run(shell, "touch ~/kept && stat -c %U ~/kept"));
  }

  private static Set<String> addOldPwd(Set<String> names) {
    Set<String> with = new TreeSet<>(names);
    with.add("OLDPWD");
    return with;
  }

  @Test
  void nothingOfTheServerCanBeSeenReadOrSignalled() throws Exception {
    Path secret = TARGET.resolve("isolation-test-secret.txt");
    Files.writeString(secret, "server secret");
    PtyShell alice = start(isolation, "s-alice", "alice");
    PtyShell bob = start(isolation, "s-bob", "bob");
    type(bob, "sleep 4242 &");
    long server = ProcessHandle.current().pid();
    assertEquals("no\n", run(alice, "cat " + secret + " >/dev/null 2>&1 && echo yes || echo no"));
    assertEquals(
        "no\n",
        run(alice, "ls /root /work /home/tether-bob >/dev/null 2>&1 && echo yes || echo no"));
    assertEquals("no\n", run(alice, "kill -9 " + server + " 2>/dev/null && echo yes || echo no"));
    assertTrue(ProcessHandle.current().isAlive());
    // Only her own processes: the sandbox's init, her shell, and ps itself; nothing of bob's.
    String ps = run(alice, "ps -eo user:32=,args=");
    for (String line : ps.split("\n")) {
      assertTrue(line.startsWith("tether-alice "), ps);
    }
    assertFalse(ps.contains("sleep 4242"), ps);
    assertFalse(ps.contains("java"), ps);
    assertEquals("", run(alice, "ls /tmp"));
  }

  @Test
  void endingTheSessionKillsEverythingItStartedEvenDoubleForkedSetsidChildren() throws Exception {
    PtyShell shell = start(isolation, "s-escape", "alice");
    run(
        shell,
        "(setsid sh -c 'exec sleep 4343' </dev/null >/dev/null 2>&1 &); (nohup sleep 4344 >/dev/null 2>&1 &)");
    // The shell answered before its background children had all exec'd: wait for them.
    assertTrue(hostProcessAppears("sleep 4343"));
    assertTrue(hostProcessAppears("sleep 4344"));
    shell.hangUp();
    shell.kill();
    assertFalse(hostProcessRuns("sleep 4343"));
    assertFalse(hostProcessRuns("sleep 4344"));
    assertFalse(shell.anyAlive());
    assertFalse(
        Files.exists(
            Path.of("/sys/fs/cgroup/pids/tether-test")
                .resolve(
                    io.tether.pty.Cgroups.detect(
                            Path.of("/sys/fs/cgroup"), "tether-test", "test-server")
                        .bases()
                        .get(0)
                        .getFileName())
                .resolve("s-escape")));
  }

  private static boolean hostProcessAppears(String command) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (hostProcessRuns(command)) {
        return true;
      }
      Thread.sleep(50); // polling the process table: there is no event to wait on
    }
    return false;
  }

  static boolean hostProcessRuns(String command) {
    return ProcessHandle.allProcesses()
        .anyMatch(
            p ->
                p.info()
                    .commandLine()
                    .map(c -> c.equals("/usr/bin/" + command) || c.equals(command))
                    .orElse(false));
  }

  @Test
  void aMemoryHogEndsItsSessionOnlyAndSaysWhy() throws Exception {
    PtyShell hog = start(isolation, "s-hog", "alice");
    PtyShell other = start(isolation, "s-other", "bob");
    CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(hog));
    type(hog, "tail /dev/zero");
    int exit = hog.waitFor();
    assertTrue(exit != 0, "exit " + exit);
    endedForItsMemory(hog, output);
    assertEquals("still here\n", run(other, "echo still here"));
    assertEquals(Optional.empty(), other.limitReached());
  }

  /**
   * The memory of every isolated shell is watched by one thread (ShellExits), not by a waiting
   * thread per shell: a hog is still found and its whole session ended, with nothing of the
   * caller's waiting for it, and the others go on.
   */
  @Test
  void everyShellsMemoryIsWatchedByOneThreadNotOneEach() throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int before = threads.getThreadCount();
    List<PtyShell> shells = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      shells.add(start(isolation, "s-watched-" + i, i % 2 == 0 ? "alice" : "bob"));
    }
    List<CompletableFuture<Integer>> exits = shells.stream().map(PtyShell::onExit).toList();
    int added = threads.getThreadCount() - before;
    assertTrue(added <= 3, added + " threads more for 8 shells");
    PtyShell hog = shells.get(0);
    CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(hog));
    type(hog, "tail /dev/zero");
    assertEquals(128 + 9, exits.get(0).get(30, TimeUnit.SECONDS));
    endedForItsMemory(hog, output);
    for (int i = 1; i < shells.size(); i++) {
      assertEquals("still here\n", run(shells.get(i), "echo still here"));
      assertFalse(exits.get(i).isDone());
      assertEquals(Optional.empty(), shells.get(i).limitReached());
    }
  }

  /** Once a hog's shell has exited: it says why, its output ends, and nothing of it is left. */
  private static void endedForItsMemory(PtyShell hog, CompletableFuture<byte[]> output)
      throws Exception {
    assertEquals(
        Optional.of("The session went over its memory limit of 128 MiB and was ended."),
        hog.limitReached());
    hog.releaseTerminal();
    output.get(20, TimeUnit.SECONDS);
    assertFalse(hog.anyAlive());
  }

  @Test
  void aShellThatIsItselfTheMemoryHogStillSaysWhyItEnded() throws Exception {
    PtyShell hog = start(isolation, "s-bash-hog", "alice");
    CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(hog));
    type(hog, "x=$(head -c 400M /dev/zero | tr '\\0' a)");
    hog.waitFor();
    assertEquals(
        Optional.of("The session went over its memory limit of 128 MiB and was ended."),
        hog.limitReached());
    hog.releaseTerminal();
    output.get(20, TimeUnit.SECONDS);
  }

  private static byte[] readAll(PtyShell shell) {
    try {
      return shell.output().readAllBytes();
    } catch (IOException e) {
      return new byte[0]; // EIO at the end
    }
  }

  @Test
  void aForkBombIsHeldAtItsLimitWhileAnotherSessionStaysResponsive() throws Exception {
    PtyShell bomb = start(isolation, "s-bomb", "alice");
    PtyShell other = start(isolation, "s-calm", "bob");
    type(bomb, "bomb() { bomb | bomb & }; bomb");
    Path pidsCurrent =
        io.tether.pty.Cgroups.detect(Path.of("/sys/fs/cgroup"), "tether-test", "test-server")
            .bases()
            .get(0)
            .resolve("s-bomb/pids.current");
    Path pidsEvents = pidsCurrent.resolveSibling("pids.events");
    // The bomb reaches its limit: forks are refused from then on.
    Instant deadline = Instant.now().plusSeconds(20);
    while (!Files.readString(pidsEvents).matches("(?s).*max [1-9].*")) {
      assertTrue(Instant.now().isBefore(deadline), "the bomb never reached its limit");
      Thread.onSpinWait();
    }
    assertTrue(Long.parseLong(Files.readString(pidsCurrent).trim()) <= 64);
    for (int i = 0; i < 20; i++) {
      long begin = System.nanoTime();
      assertEquals("calm " + i + "\n", run(other, "echo calm " + i));
      long millis = (System.nanoTime() - begin) / 1_000_000;
      assertTrue(millis < 1000, "an echo beside the bomb took " + millis + " ms");
    }
    bomb.kill();
    assertFalse(bomb.anyAlive());
  }

  @Test
  void theSweepFindsAndKillsTheGroupOfASessionItDoesNotKnow() throws Exception {
    PtyShell shell = start(isolation, "s-orphan", "alice");
    run(shell, "(setsid sleep 4545 &)");
    assertEquals(0, isolation.reapOrphans(id -> true));
    assertTrue(hostProcessAppears("sleep 4545"));
    assertTrue(isolation.reapOrphans(id -> !id.equals("s-orphan")) >= 1);
    assertFalse(hostProcessRuns("sleep 4545"));
    assertFalse(shell.anyAlive());
  }

  @Test
  void theShellCarriesTheShellsGroupSoTheFirewallKeepsItOffInternalPortsButNotOthers()
      throws Exception {
    ShellNetworkTest.needsRootAndTheRules();
    try (java.net.ServerSocket internal =
            ShellNetworkTest.listenOnOneOf(List.of(3528, 3529, 4712));
        java.net.ServerSocket web =
            new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      PtyShell shell = start(isolation, "s-network", "alice");
      // (Inside the sandbox's user namespace the group shows as nobody: it is not mapped there.)
      String connect = "(exec 3<>/dev/tcp/127.0.0.1/%d) 2>/dev/null && echo open || echo closed";
      assertEquals(
          "closed\n", run(shell, String.format(connect, internal.getLocalPort())), "internal");
      assertEquals("open\n", run(shell, String.format(connect, web.getLocalPort())), "web");
      // The group cannot be dropped inside the sandbox.
      assertEquals(
          "refused\n",
          run(shell, "setpriv --clear-groups true 2>/dev/null && echo dropped || echo refused"));
    }
  }

  @Test
  void aUserWithoutAnAccountGetsNoShell() {
    IOException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            IOException.class, () -> start(isolation, "s-nobody", "carol-has-no-account"));
    assertTrue(refused.getMessage().contains("tether-carol-has-no-account"), refused.getMessage());
  }
}
