package io.tether.pty;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Every process of one session: the shell, its descendants, and whatever carries the session's
 * marker in its environment. The marker matters because a background job of an interactive shell
 * sits in a process group of its own and is re-parented to init when the shell exits, after which
 * neither the shell's group nor its descendants include it.
 *
 * <p>Java can only SIGTERM single processes, which an interactive bash ignores, so signals go
 * through libc's kill(2).
 */
final class SessionProcesses {
  private interface LibC extends Library {
    int kill(int pid, int signal);
  }

  private static final LibC LIBC = Native.load("c", LibC.class);
  static final int SIGHUP = 1;
  static final int SIGKILL = 9;

  private final long shell;
  private final String marker;
  // Descendants seen so far: catches processes that cleared their environment while the shell
  // was still their ancestor.
  private final Set<ProcessHandle> seen = new LinkedHashSet<>();

  /**
   * @param marker the {@code NAME=value} environment entry every process of the session inherits
   */
  SessionProcesses(long shell, String marker) {
    this.shell = shell;
    this.marker = marker;
  }

  /** kill(2): {@code signal} to {@code pid} (a process group if negative); 0 or -1 with errno. */
  static int send(long pid, int signal) {
    return LIBC.kill((int) pid, signal);
  }

  synchronized void signal(int signal) {
    LIBC.kill((int) -shell, signal);
    for (ProcessHandle process : members()) {
      LIBC.kill((int) process.pid(), signal);
    }
  }

  synchronized boolean anyAlive() {
    return !members().isEmpty();
  }

  private List<ProcessHandle> members() {
    ProcessHandle.of(shell)
        .ifPresent(
            handle -> {
              seen.add(handle);
              handle.descendants().forEach(seen::add);
            });
    ProcessHandle.allProcesses().filter(carries(marker)).forEach(seen::add);
    seen.removeIf(process -> !process.isAlive());
    return List.copyOf(seen);
  }

  /** Processes whose environment holds {@code entry} (exactly, as {@code NAME=value}). */
  static Predicate<ProcessHandle> carries(String entry) {
    return process -> environment(process.pid()).contains(entry);
  }

  /** The process's environment entries; empty if it is gone or not readable. */
  static List<String> environment(long pid) {
    try {
      byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
      return List.of(new String(environ, StandardCharsets.UTF_8).split("\0"));
    } catch (IOException | SecurityException e) {
      return List.of();
    }
  }
}
