package io.tether.bench;

import io.tether.isolation.AccountMapping;
import io.tether.isolation.IsolationConfig;
import io.tether.isolation.ShellIsolation;
import io.tether.pty.PtyShell;
import io.tether.pty.ShellSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What isolation costs, in one run (docs/benchmark.md): setup-to-prompt time and keystroke-to-echo
 * latency of a shell started as the node starts it, isolated (its own account, bubblewrap, a cgroup
 * with limits) beside the unsafe single-user mode (the server's account, nothing around it),
 * alternating round by round so both see the same machine. Everything around the shell (the
 * WebSocket, the session) is the same either way and is left out. Needs root and the account {@code
 * tether-alice} ({@code server-config/setup-shell-accounts.sh}).
 *
 * <p>"Of which Java" is the time until {@code ShellIsolation.start} returns: the account and its
 * groups looked up, the control group made with its limits, the command line built, and pty4j's
 * spawn of the first process; the rest is the processes' own, up to bash's prompt.
 *
 * <p>Settings: {@code -Dbench.isolation.rounds=20} shells per side, {@code
 * -Dbench.isolation.keys=200} keystrokes per shell.
 */
public final class IsolationBenchmark {
  private static final ShellSpec BASH =
      new ShellSpec(
          List.of("/bin/bash", "--norc", "--noprofile"),
          Path.of(System.getProperty("java.io.tmpdir")),
          Map.of("TERM", "xterm-256color", "LANG", "C.UTF-8", "PS1", "$ "));

  private IsolationBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.getInteger("bench.isolation.rounds", 20);
    int keys = Integer.getInteger("bench.isolation.keys", 200);
    ShellIsolation isolated = ShellIsolation.start(config(false), "bench-isolation");
    ShellIsolation unsafe = ShellIsolation.start(config(true), "bench-isolation");
    List<Long> isolatedStart = new ArrayList<>();
    List<Long> unsafeStart = new ArrayList<>();
    List<Long> isolatedEcho = new ArrayList<>();
    List<Long> unsafeEcho = new ArrayList<>();
    List<Long> isolatedSpawn = new ArrayList<>();
    List<Long> unsafeSpawn = new ArrayList<>();
    for (int round = 0; round < rounds + 2; round++) {
      boolean warmUp = round < 2;
      measure(
          isolated,
          "b-iso-" + round,
          keys,
          warmUp ? null : isolatedStart,
          isolatedSpawn,
          isolatedEcho,
          warmUp);
      measure(
          unsafe,
          "b-raw-" + round,
          keys,
          warmUp ? null : unsafeStart,
          unsafeSpawn,
          unsafeEcho,
          warmUp);
    }
    System.out.printf(
        "isolation, %d shells and %d keystrokes each per side, alternating%n", rounds, keys);
    System.out.printf(
        "%-28s %18s %18s %14s %14s%n",
        "", "setup to prompt p50", "of which Java p50", "echo p50", "echo p99");
    print("unsafe-single-user", unsafeStart, unsafeSpawn, unsafeEcho);
    print("isolated (accounts)", isolatedStart, isolatedSpawn, isolatedEcho);
  }

  private static void print(String name, List<Long> starts, List<Long> spawns, List<Long> echoes) {
    long[] s = starts.stream().mapToLong(Long::longValue).toArray();
    long[] j = spawns.stream().mapToLong(Long::longValue).toArray();
    long[] e = echoes.stream().mapToLong(Long::longValue).toArray();
    System.out.printf(
        "%-28s %15.1f ms %15.1f ms %11d µs %11d µs%n",
        name,
        Stats.percentile(s, 50) / 1e6,
        Stats.percentile(j, 50) / 1e6,
        Stats.percentile(e, 50) / 1000,
        Stats.percentile(e, 99) / 1000);
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
      ShellIsolation isolation,
      String session,
      int keys,
      List<Long> starts,
      List<Long> spawns,
      List<Long> echoes,
      boolean warmUp)
      throws Exception {
    long begin = System.nanoTime();
    PtyShell shell = isolation.start(BASH, session, "alice", false, 80, 24);
    if (starts != null) {
      // The Java side: account, groups, control group, command line, and pty4j's spawn.
      spawns.add(System.nanoTime() - begin);
    }
    try {
      InputStream output = shell.output();
      readUntil(output, "$ ");
      if (starts != null) {
        starts.add(System.nanoTime() - begin);
      }
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
        if (!warmUp) {
          echoes.add(System.nanoTime() - sent);
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
