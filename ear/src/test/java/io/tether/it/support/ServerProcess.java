package io.tether.it.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The server's JVM (WildFly or Payara), found by its base directory, and the processes it started.
 */
public final class ServerProcess {
  private ServerProcess() {}

  public static ProcessHandle jvm() {
    String baseDir = System.getProperty("tether.it.base.dir");
    return ProcessHandle.allProcesses()
        .filter(
            p -> {
              String line = p.info().commandLine().orElse("");
              boolean server =
                  line.contains("jboss-modules.jar") // WildFly
                      || line.contains("com.sun.enterprise.glassfish.bootstrap"); // Payara
              return server && (baseDir == null || line.contains(baseDir));
            })
        .findFirst()
        .orElseThrow(() -> new AssertionError("no server process with base dir " + baseDir));
  }

  /** Every live process descended from the server's JVM (the shells and what they started). */
  public static List<ProcessHandle> descendants() {
    return jvm().descendants().filter(ProcessHandle::isAlive).toList();
  }

  /**
   * Every process on this machine started for {@code sessionId}: those in the session's control
   * group (an isolated shell's, whose group is named after the session, as the kernel reports in
   * {@code /proc/PID/cgroup}), and those carrying it in their environment (a shell of the unsafe
   * single-user mode).
   */
  public static List<ProcessHandle> processesOf(String sessionId) {
    String entry = "TETHER_SESSION=" + sessionId;
    String group = "/" + sessionId;
    return ProcessHandle.allProcesses()
        .filter(
            p ->
                cgroups(p.pid()).stream().anyMatch(line -> line.endsWith(group))
                    || environment(p.pid()).contains(entry))
        .toList();
  }

  /**
   * The session's processes running {@code program} (e.g. {@code /usr/bin/cat}), by their pids on
   * this machine: an isolated shell sees other pids in its own namespace, so a pid it reports must
   * never be signalled from outside.
   */
  public static List<ProcessHandle> processesOf(String sessionId, String program) {
    return processesOf(sessionId).stream()
        .filter(p -> p.info().command().map(program::equals).orElse(false))
        .toList();
  }

  /** An account's home directory, from the password database. */
  public static java.nio.file.Path homeOf(String account) {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/etc/passwd"))) {
        String[] fields = line.split(":");
        if (fields.length > 5 && fields[0].equals(account)) {
          return java.nio.file.Path.of(fields[5]);
        }
      }
    } catch (java.io.IOException e) {
      throw new AssertionError("cannot read /etc/passwd", e);
    }
    throw new AssertionError("no account " + account + " (server-config/setup-shell-accounts.sh)");
  }

  /** Every live process running as {@code account} (an operating-system account). */
  public static List<ProcessHandle> processesOfAccount(String account) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().user().map(account::equals).orElse(false))
        .toList();
  }

  /**
   * The name of the session group process {@code pid} is in (the last part of its control group's
   * path: v1 {@code pids} hierarchy, or v2), if any.
   */
  public static java.util.Optional<String> sessionGroupOf(long pid) {
    return cgroups(pid).stream()
        .filter(line -> line.contains(":pids:") || line.startsWith("0::"))
        .map(line -> line.substring(line.lastIndexOf('/') + 1))
        .filter(name -> !name.isEmpty())
        .findFirst();
  }

  private static List<String> cgroups(long pid) {
    try {
      return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/cgroup"));
    } catch (java.io.IOException | SecurityException e) {
      return List.of();
    }
  }

  /** Waits until no process of the session is left, or fails listing the survivors. */
  public static void awaitNoProcessOf(String sessionId, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    List<ProcessHandle> left = processesOf(sessionId);
    while (!left.isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(50); // polling the process table: there is no event for "all exited"
      left = processesOf(sessionId);
    }
    if (!left.isEmpty()) {
      throw new AssertionError("processes outlived session " + sessionId + ": " + describe(left));
    }
  }

  private static List<String> environment(long pid) {
    try {
      byte[] bytes =
          java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/" + pid + "/environ"));
      return List.of(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\0"));
    } catch (java.io.IOException | SecurityException e) {
      return List.of();
    }
  }

  private static List<String> describe(List<ProcessHandle> processes) {
    return processes.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
  }

  /** Waits until the server has no descendant process left, or fails listing the survivors. */
  public static void awaitNoDescendants(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    List<ProcessHandle> left = descendants();
    while (!left.isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(50); // polling the process table: there is no event for "all exited"
      left = descendants();
    }
    if (!left.isEmpty()) {
      throw new AssertionError(
          "processes outlived their sessions: "
              + left.stream()
                  .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                  .toList());
    }
  }
}
