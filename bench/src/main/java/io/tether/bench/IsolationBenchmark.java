package io.tether.bench;

import io.tether.isolation.AccountMapping;
import io.tether.isolation.IsolationConfig;
import io.tether.isolation.ShellIsolation;
import io.tether.pty.Cgroups;
import io.tether.pty.PtyShell;
import io.tether.pty.ShellSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * What isolation costs, in one run (docs/benchmark.md): setup-to-prompt time and keystroke-to-echo
 * latency of a shell started as the node starts it, isolated (its own account, bubblewrap, a cgroup
 * with limits) beside the unsafe single-user mode (the server's account, nothing around it), one of
 * each per round so all see the same machine. Everything around the shell (the WebSocket, the
 * session) is the same either way and is left out. Needs root and the account {@code tether-alice}
 * ({@code server-config/setup-shell-accounts.sh}).
 *
 * <p>Isolated shells start two ways, both measured: <b>cold</b>, everything made at the open (the
 * user's first session on a node, or one whose spare is gone), and <b>warm</b>, from the sandbox
 * made ahead after the user's previous session started ({@code ShellIsolation.keepSpares}, as the
 * node does): before each warm open the benchmark waits until that spare's sandbox is made and
 * waits for its go, as it is when a user opens a session a moment after the last. The next spare is
 * made before the keystrokes are typed, so that its making does not weigh on the echo.
 *
 * <p>"Of which Java" is the time until {@code ShellIsolation.start} returns: cold, the account and
 * its groups looked up, the control group made with its limits, the command line built, and the
 * spawn of the first process; warm, the account and its groups looked up, the spare's terminal
 * sized and its go written. The rest is the processes' own, up to bash's prompt.
 *
 * <p>Settings: {@code -Dbench.isolation.rounds=20} shells per kind, {@code
 * -Dbench.isolation.keys=200} keystrokes per shell.
 */
public final class IsolationBenchmark {
  private static final ShellSpec BASH =
      new ShellSpec(
          List.of("/bin/bash", "--norc", "--noprofile"),
          Path.of(System.getProperty("java.io.tmpdir")),
          Map.of("TERM", "xterm-256color", "LANG", "C.UTF-8", "PS1", "$ "));
  private static final String SERVER = "bench-isolation";
  private static final long READY_TIMEOUT_NANOS = 30_000_000_000L;

  private IsolationBenchmark() {}

  /** One kind of start: its figures. */
  private record Kind(String name, List<Long> starts, List<Long> java, List<Long> echoes) {
    Kind(String name) {
      this(name, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    static long p50(List<Long> values) {
      return Stats.percentile(values.stream().mapToLong(Long::longValue).toArray(), 50);
    }

    void print() {
      System.out.printf(
          "%-28s %15.1f ms %15.1f ms %11d µs %11d µs%n",
          name,
          p50(starts) / 1e6,
          p50(java) / 1e6,
          p50(echoes) / 1000,
          Stats.percentile(echoes.stream().mapToLong(Long::longValue).toArray(), 99) / 1000);
    }

    void against(Kind base) {
      System.out.printf(
          "%-28s setup to prompt %+.1f ms (%.2fx), echo p50 %+d µs%n",
          name + " vs " + base.name + ":",
          (p50(starts) - p50(base.starts)) / 1e6,
          (double) p50(starts) / p50(base.starts),
          (p50(echoes) - p50(base.echoes)) / 1000);
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = Integer.getInteger("bench.isolation.rounds", 20);
    int keys = Integer.getInteger("bench.isolation.keys", 200);
    ShellIsolation unsafe = ShellIsolation.start(config(true), SERVER);
    ShellIsolation cold = ShellIsolation.start(config(false), SERVER);
    ShellIsolation warm = ShellIsolation.start(config(false), SERVER);
    ScheduledExecutorService spareMaker = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger spareIds = new AtomicInteger();
    warm.keepSpares(
        4,
        Duration.ofMinutes(10),
        ShellIsolation.SPARE_DELAY,
        spareMaker,
        () -> "b-spare-" + spareIds.incrementAndGet(),
        user -> true);
    Kind unsafeKind = new Kind("unsafe-single-user");
    Kind coldKind = new Kind("isolated, cold");
    Kind warmKind = new Kind("isolated, warm");
    int warmBefore = 0;
    try {
      for (int round = 0; round < rounds + 2; round++) {
        boolean warmUp = round < 2;
        if (round == 2) {
          warmBefore = (int) warm.spareStarts();
        }
        measure(unsafe, "b-raw-" + round, keys, warmUp ? null : unsafeKind, () -> {});
        measure(cold, "b-iso-" + round, keys, warmUp ? null : coldKind, () -> {});
        // (the first round's warm start is the user's first: no spare yet, so it starts cold)
        String id = round == 0 ? "b-warm-0" : awaitSpare(warm).orElse("b-warm-" + round);
        measure(warm, id, keys, warmUp ? null : warmKind, () -> awaitSpare(warm));
      }
    } finally {
      warm.close();
      spareMaker.shutdownNow();
    }
    System.out.printf(
        "isolation, %d shells per kind and %d keystrokes each, one of each kind per round;"
            + " load %s%n",
        rounds, keys, Files.readString(Path.of("/proc/loadavg")).trim());
    System.out.printf(
        "%-28s %18s %18s %14s %14s%n",
        "", "setup to prompt p50", "of which Java p50", "echo p50", "echo p99");
    unsafeKind.print();
    coldKind.print();
    warmKind.print();
    coldKind.against(unsafeKind);
    warmKind.against(unsafeKind);
    System.out.printf(
        "warm shells that started from their spare: %d of %d%n",
        warm.spareStarts() - warmBefore, rounds);
  }

  /**
   * The session id of alice's spare once its sandbox waits for its go (a member of its group blocks
   * reading its pipe); empty if none comes.
   */
  private static Optional<String> awaitSpare(ShellIsolation isolation) {
    long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
    while (System.nanoTime() < deadline) {
      Optional<String> id = isolation.spareSessionId("alice", false);
      if (id.isPresent() && waitsForGo(id.get())) {
        return id;
      }
      LockSupport.parkNanos(1_000_000); // polling: the sandbox's set-up has no event to wait on
    }
    return Optional.empty();
  }

  private static boolean waitsForGo(String sessionId) {
    try {
      Path group =
          Cgroups.detect(Path.of("/sys/fs/cgroup"), "tether", SERVER)
              .bases()
              .get(0)
              .resolve(sessionId);
      for (String pid : Files.readAllLines(group.resolve("cgroup.procs"))) {
        try {
          if (Files.readString(Path.of("/proc", pid, "wchan")).endsWith("pipe_read")) {
            return true;
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    } catch (IOException e) {
      // not made yet
    }
    return false;
  }

  private static IsolationConfig config(boolean unsafe) {
    return new IsolationConfig(
        unsafe,
        AccountMapping.of("prefix", "tether-", Map.of()),
        1000,
        List.of("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64"),
        true,
        "/usr/local/bin:/usr/bin:/bin",
        Map.of(),
        Path.of("/sys/fs/cgroup"),
        "tether",
        new IsolationConfig.Limits(512, 1024),
        new IsolationConfig.Limits(512, 1024));
  }

  private static void measure(
      ShellIsolation isolation, String session, int keys, Kind kind, Runnable beforeTyping)
      throws Exception {
    long begin = System.nanoTime();
    PtyShell shell = isolation.start(BASH, session, "alice", false, 80, 24);
    long java = System.nanoTime() - begin;
    try {
      InputStream output = shell.output();
      readUntil(output, "$ ");
      long start = System.nanoTime() - begin;
      if (kind != null) {
        kind.starts().add(start);
        kind.java().add(java);
      }
      beforeTyping.run();
      byte[] one = new byte[1];
      for (int i = 0; i < keys; i++) {
        byte key = (byte) ('a' + i % 26);
        long sent = System.nanoTime();
        shell.write(ByteBuffer.wrap(new byte[] {key}));
        do {
          if (output.read(one) < 0) {
            throw new IOException("the shell's output ended");
          }
        } while (one[0] != key);
        if (kind != null) {
          kind.echoes().add(System.nanoTime() - sent);
        }
      }
    } finally {
      shell.hangUp();
      shell.kill();
      shell.close();
    }
  }

  private static void readUntil(InputStream output, String text) throws IOException {
    StringBuilder seen = new StringBuilder();
    byte[] buffer = new byte[4096];
    while (seen.indexOf(text) < 0) {
      int n = output.read(buffer);
      if (n < 0) {
        throw new IOException("no prompt; the shell wrote: " + seen);
      }
      seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
  }
}
