package io.tether.pty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real shells on real PTYs. */
class PtyShellTest {
  static final ShellSpec BASH =
      new ShellSpec(
          List.of("/bin/bash", "--norc", "--noprofile"),
          Path.of(System.getProperty("java.io.tmpdir")),
          Map.of("TERM", "xterm-256color", "PS1", "$ "));

  /** Reads the shell's output until {@code pattern} appears (or the shell's output ends). */
  private static Matcher readUntil(InputStream output, Pattern pattern) throws Exception {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
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

  @Test
  void runsACommandAndReportsTheExitCode() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    shell.write(
        ByteBuffer.wrap("sleep 0.2; echo $((6*7)); exit 5\r".getBytes(StandardCharsets.US_ASCII)));
    // As in a session: one thread reads the output to its end while another waits for the exit.
    CompletableFuture<byte[]> output =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return shell.output().readAllBytes();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    assertEquals(5, shell.waitFor());
    shell.releaseTerminal();
    String text = new String(output.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    // The last bytes the shell wrote before exiting are all there.
    assertTrue(text.endsWith("42\r\nexit\r\n"), text);
    shell.close();
  }

  /**
   * A server started by {@code nohup}, or in a script's background, ignores SIGINT (and SIGHUP);
   * its shells' commands must not: Ctrl-C has to stop them. The JVM ignores SIGINT while the shell
   * starts, and a command in the shell finds no signal ignored or blocked.
   */
  @Test
  void commandsInTheShellHandleEverySignalAsTheDefaultEvenIfTheServerIgnoresSome()
      throws Exception {
    sun.misc.Signal interrupt = new sun.misc.Signal("INT");
    sun.misc.SignalHandler before =
        sun.misc.Signal.handle(interrupt, sun.misc.SignalHandler.SIG_IGN);
    PtyShell shell;
    try {
      shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    } finally {
      sun.misc.Signal.handle(interrupt, before);
    }
    try {
      shell.write(
          ByteBuffer.wrap(
              "grep -E '^Sig(Ign|Blk)' /proc/self/status | tr '\\t\\n' ' '; echo END\r"
                  .getBytes(StandardCharsets.US_ASCII)));
      Matcher m =
          readUntil(
              shell.output(),
              Pattern.compile("SigBlk:\\s*(\\p{XDigit}+) SigIgn:\\s*(\\p{XDigit}+) END"));
      // Signals 1 to 31; 32 and 33 are the C library's own, which no program can reset.
      long standard = 0x7fffffffL;
      assertEquals(0, Long.parseLong(m.group(1), 16) & standard, "blocked: " + m.group(1));
      assertEquals(0, Long.parseLong(m.group(2), 16) & standard, "ignored: " + m.group(2));
    } finally {
      shell.kill();
      shell.close();
    }
  }

  /**
   * Once the PTY is closed its descriptor's number may be another session's terminal: a keystroke
   * or a resize that comes late fails here instead, and a second close changes nothing.
   */
  @Test
  void aClosedTerminalTakesNoMoreInput() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    shell.write(ByteBuffer.wrap("exit\r".getBytes(StandardCharsets.US_ASCII)));
    // As in a session: one thread reads the output to its end while another waits for the exit.
    CompletableFuture<Void> read =
        CompletableFuture.runAsync(
            () -> {
              try {
                shell.output().readAllBytes();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    shell.waitFor();
    shell.releaseTerminal();
    read.get(20, TimeUnit.SECONDS);
    shell.close();
    PtyShell other = PtyShell.start(BASH, "test-session-2", "test-node", 80, 24);
    try {
      org.junit.jupiter.api.Assertions.assertThrows(
          IOException.class,
          () -> shell.write(ByteBuffer.wrap("echo late\r".getBytes(StandardCharsets.US_ASCII))));
      shell.close();
      other.write(ByteBuffer.wrap("echo still-$((2+3))\r".getBytes(StandardCharsets.US_ASCII)));
      readUntil(other.output(), Pattern.compile("still-5"));
    } finally {
      other.kill();
      other.close();
    }
  }

  @Test
  void pendingOutputIsReportedUntilItHasBeenRead() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    try {
      // After "ready" the shell writes nothing until it has read a line.
      shell.write(
          ByteBuffer.wrap(
              "stty -echo; echo ready; read line; echo got $line\r"
                  .getBytes(StandardCharsets.US_ASCII)));
      readUntil(shell.output(), Pattern.compile("ready\r\n"));
      assertFalse(shell.outputPending());

      shell.write(ByteBuffer.wrap("abc\r".getBytes(StandardCharsets.US_ASCII)));
      Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
      while (!shell.outputPending() && Instant.now().isBefore(deadline)) {
        Thread.onSpinWait(); // the shell's answer has no event to wait for but poll(2) itself
      }
      assertTrue(shell.outputPending());
      readUntil(shell.output(), Pattern.compile("got abc\r\n"));
    } finally {
      shell.hangUp();
      shell.kill();
    }
  }

  @Test
  void bulkOutputReadInBatchesArrivesCompleteAndInOrder() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    int count = 300_000;
    shell.write(
        ByteBuffer.wrap(
            ("stty -opost -echo; seq 1 " + count + " | cat; exit\r")
                .getBytes(StandardCharsets.US_ASCII)));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                int code = shell.waitFor();
                shell.releaseTerminal();
                return code;
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    // Read as the session's reader does: one blocking read, then whatever is already pending.
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    for (int n; (n = shell.readBatch(buffer)) > 0; ) {
      all.write(buffer, 0, n);
    }
    assertEquals(0, exit.get(20, TimeUnit.SECONDS));
    shell.close();
    String text = all.toString(StandardCharsets.US_ASCII);
    int first = text.indexOf("1\n2\n3\n");
    assertTrue(first >= 0, text.substring(0, Math.min(200, text.length())));
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      expected.append(i).append('\n');
    }
    // Every number once, in order, each line ending in a bare \n (no output processing).
    assertEquals(expected.toString(), text.substring(first, first + expected.length()));
  }

  @Test
  void bulkOutputReadIntoSmallPiecesArrivesCompleteAndInOrder() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    int count = 100_000;
    shell.write(
        ByteBuffer.wrap(
            ("stty -opost -echo; seq 1 " + count + " | cat; exit\r")
                .getBytes(StandardCharsets.US_ASCII)));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                int code = shell.waitFor();
                shell.releaseTerminal();
                return code;
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    // Pieces smaller than what one read of the PTY brings (as an output log's chunk ends): the
    // rest waits for the next piece, none lost, none twice.
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] piece = new byte[1000];
    for (int n; (n = shell.readBatch(piece, 3, 997)) > 0; ) {
      all.write(piece, 3, n);
    }
    assertEquals(0, exit.get(20, TimeUnit.SECONDS));
    shell.close();
    String text = all.toString(StandardCharsets.US_ASCII);
    int first = text.indexOf("1\n2\n3\n");
    assertTrue(first >= 0, text.substring(0, Math.min(200, text.length())));
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      expected.append(i).append('\n');
    }
    assertEquals(expected.toString(), text.substring(first, first + expected.length()));
  }

  /**
   * The shell is spawned straight into its command (no program before it): a command that does not
   * exist fails the start, rather than starting a process that exits at once.
   */
  @Test
  void aCommandThatDoesNotExistFailsTheStart() {
    assertTrue(DirectSpawn.available(), "glibc 2.34 or later on the test machine");
    ShellSpec missing =
        new ShellSpec(List.of("/no/such/shell"), BASH.directory(), BASH.environment());
    IOException e =
        assertThrows(
            IOException.class, () -> PtyShell.start(missing, "test-session", "test-node", 80, 24));
    assertTrue(e.getMessage().contains("/no/such/shell"), e.getMessage());
  }

  /** A shell killed by a signal reports 128 plus the signal, as the JDK reports its processes. */
  @Test
  void aKilledShellReportsItsSignal() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    shell.write(ByteBuffer.wrap("echo $((6*7))\r".getBytes(StandardCharsets.US_ASCII)));
    readUntil(shell.output(), Pattern.compile("42"));
    assertTrue(shell.shellAlive());
    shell.kill();
    assertEquals(128 + 9, shell.waitFor());
    assertFalse(shell.shellAlive());
    shell.close();
  }

  /**
   * A node has thousands of shells: their exits are waited for by one thread (ShellExits), not by
   * one of the JDK's process reapers each, and each exit still comes with its own code at once.
   */
  @Test
  void everyShellsExitIsWaitedForByOneThreadNotOneEach() throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int before = threads.getThreadCount();
    List<PtyShell> shells = new ArrayList<>();
    try {
      for (int i = 0; i < 16; i++) {
        shells.add(PtyShell.start(BASH, "test-session-" + i, "test-node", 80, 24));
      }
      List<CompletableFuture<Integer>> exits = shells.stream().map(PtyShell::onExit).toList();
      int added = threads.getThreadCount() - before;
      assertTrue(added <= 2, added + " threads more for 16 shells");
      for (int i = 0; i < shells.size(); i++) {
        shells
            .get(i)
            .write(ByteBuffer.wrap(("exit " + i + "\r").getBytes(StandardCharsets.US_ASCII)));
      }
      for (int i = 0; i < shells.size(); i++) {
        assertEquals(i, exits.get(i).get(20, TimeUnit.SECONDS));
        assertEquals(i, shells.get(i).waitFor());
        assertFalse(shells.get(i).shellAlive());
      }
    } finally {
      for (PtyShell shell : shells) {
        shell.kill();
        shell.close();
      }
    }
  }

  @Test
  void aResizeReachesTheShell() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    try {
      shell.resize(133, 41);
      shell.write(ByteBuffer.wrap("stty size\r".getBytes(StandardCharsets.US_ASCII)));
      readUntil(shell.output(), Pattern.compile("41 133"));
    } finally {
      shell.hangUp();
      shell.kill();
    }
  }

  @Test
  void hangUpAndKillEndTheWholeProcessTreeEvenProcessesInOtherGroupsAndSessions() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    // A job that ignores SIGHUP in its own process group, and a process in a session of its own.
    shell.write(
        ByteBuffer.wrap(
            ("trap '' HUP; (trap '' HUP; exec sleep 301) & setsid -w sleep 302 & echo started\r")
                .getBytes(StandardCharsets.US_ASCII)));
    readUntil(shell.output(), Pattern.compile("\r\nstarted"));
    List<ProcessHandle> sleepers = awaitDescendants(shell.pid(), List.of("301", "302"));
    assertTrue(shell.anyAlive());

    shell.hangUp();
    shell.kill();

    for (ProcessHandle sleeper : sleepers) {
      sleeper.onExit().get(10, TimeUnit.SECONDS);
    }
    assertFalse(shell.anyAlive());
  }

  @Test
  void aJobLeftBehindByAnExitedShellIsStillFoundAndKilled() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "orphan-session", "test-node", 80, 24);
    shell.write(
        ByteBuffer.wrap(
            "(trap '' HUP; exec sleep 304) & echo started\r".getBytes(StandardCharsets.US_ASCII)));
    readUntil(shell.output(), Pattern.compile("\r\nstarted"));
    ProcessHandle job = awaitDescendants(shell.pid(), List.of("304")).get(0);
    shell.write(ByteBuffer.wrap("exit\r".getBytes(StandardCharsets.US_ASCII)));
    shell.waitFor();
    // The job is now an orphan of init, in a process group of its own, ignoring SIGHUP.
    shell.hangUp();
    assertTrue(job.isAlive());
    assertTrue(shell.anyAlive());
    shell.kill();
    job.onExit().get(10, TimeUnit.SECONDS);
    assertFalse(shell.anyAlive());
    shell.close();
  }

  /** The shell's descendants running {@code sleep N} for each N, once they have all started. */
  private static List<ProcessHandle> awaitDescendants(long shell, List<String> sleepArgs)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(deadline)) {
      List<ProcessHandle> found =
          ProcessHandle.of(shell)
              .orElseThrow()
              .descendants()
              .filter(p -> p.info().command().orElse("").endsWith("sleep"))
              .filter(p -> sleepArgs.contains(p.info().arguments().map(a -> a[0]).orElse("")))
              .toList();
      if (found.size() == sleepArgs.size()) {
        return found;
      }
      Thread.sleep(20); // polling the process table: there is no event for "started"
    }
    throw new AssertionError("the background processes never started");
  }

  /**
   * Input is written without waiting where the terminal has room, and waits where it has none: a
   * program that does not read (here stopped) fills the terminal, {@code writeNow} then takes
   * nothing and returns at once, and {@code write} waits until the program reads, losing nothing.
   */
  @Test
  void writeNowNeverWaitsAndWriteWaitsForRoom(@TempDir Path dir) throws Exception {
    Path received = dir.resolve("received");
    ShellSpec stopsThenReads =
        new ShellSpec(
            List.of("/bin/sh", "-c", "stty raw -echo; kill -STOP $$; exec cat > " + received),
            dir,
            Map.of());
    PtyShell shell = PtyShell.start(stopsThenReads, "test-session", "test-node", 80, 24);
    try {
      awaitStopped(shell.pid());
      byte[] chunk = new byte[4096];
      Arrays.fill(chunk, (byte) 'x');
      // Without waiting, or not at all: a write that waited here would wait for ever.
      long taken =
          assertTimeoutPreemptively(
              Duration.ofSeconds(20),
              () -> {
                long sum = 0;
                for (int attempt = 0; attempt < 10_000; attempt++) {
                  int written = shell.writeNow(ByteBuffer.wrap(chunk));
                  if (written == 0) {
                    return sum;
                  }
                  sum += written;
                }
                throw new AssertionError("the terminal never filled: " + sum + " bytes taken");
              });

      byte[] rest = new byte[100_000];
      Arrays.fill(rest, (byte) 'y');
      CompletableFuture<Void> waiting =
          CompletableFuture.runAsync(
              () -> {
                try {
                  shell.write(ByteBuffer.wrap(rest));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      assertThrows(
          TimeoutException.class,
          () -> waiting.get(300, TimeUnit.MILLISECONDS),
          "a write into a full terminal waits");

      new ProcessBuilder("kill", "-CONT", Long.toString(shell.pid())).start().waitFor();
      waiting.get(20, TimeUnit.SECONDS);
      long expected = taken + rest.length;
      Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
      while (sizeOf(received) < expected && Instant.now().isBefore(deadline)) {
        Thread.sleep(20); // polling a file's size: there is no event for "read"
      }
      assertEquals(expected, sizeOf(received), "every byte reached the program, once");
    } finally {
      shell.kill();
      shell.waitFor();
      shell.releaseTerminal();
      shell.close();
    }
  }

  private static long sizeOf(Path file) throws IOException {
    return Files.exists(file) ? Files.size(file) : 0;
  }

  /** Waits until process {@code pid} is stopped (state T in /proc). */
  private static void awaitStopped(long pid) throws Exception {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline)) {
      String line = Files.readString(stat);
      if (line.substring(line.lastIndexOf(')') + 2).startsWith("T")) {
        return;
      }
      Thread.sleep(20); // polling the process table: there is no event for "stopped"
    }
    throw new AssertionError("process " + pid + " never stopped");
  }

  /**
   * A sandbox dies with its parent (bwrap's {@code --die-with-parent}), and for the kernel the
   * parent is the thread that spawned it. A shell started on a pool's thread that then ends (as a
   * pool's idle threads do) must live on: shells are spawned on a thread of their own.
   */
  @Test
  void aShellOutlivesTheThreadThatStartedIt() throws Exception {
    ShellSpec sandboxed =
        new ShellSpec(
            List.of(
                "bwrap",
                "--dev-bind",
                "/",
                "/",
                "--die-with-parent",
                "/bin/bash",
                "--norc",
                "--noprofile"),
            Path.of(System.getProperty("java.io.tmpdir")),
            Map.of("TERM", "dumb", "PS1", "$ "));
    CompletableFuture<PtyShell> started = new CompletableFuture<>();
    Thread starter =
        new Thread(
            () -> {
              try {
                started.complete(PtyShell.start(sandboxed, "outlives", "pty-test", 80, 24));
              } catch (IOException e) {
                started.completeExceptionally(e);
              }
            },
            "short-lived starter");
    starter.start();
    starter.join();
    PtyShell shell = started.get(10, TimeUnit.SECONDS);
    try {
      // Killed at once when its starter ended, it would have exited (137) by now.
      assertThrows(TimeoutException.class, () -> shell.onExit().get(2, TimeUnit.SECONDS));
      assertTrue(shell.anyAlive(), "the shell lives on after its starter ended");
    } finally {
      shell.kill();
      shell.onExit().get(10, TimeUnit.SECONDS);
      shell.close();
    }
  }
}
