package io.tether.pty;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One session's control group (see {@link Cgroups}): its shell joins it before the shell runs, so
 * every process the session ever starts is in it, double-forked and {@code setsid} ones included,
 * and nothing can leave it (the sandbox has its own cgroup namespace and no privilege). Signalling
 * the session means signalling the group's members; ending it means killing them until the group is
 * empty, then removing the group.
 */
public final class SessionCgroup {
  private static final Logger LOG = Logger.getLogger(SessionCgroup.class.getName());
  private static final long KILL_TIMEOUT_NANOS = 5_000_000_000L;

  /**
   * Joins every group named by its arguments, then runs the rest: {@code sh -c SCRIPT sh N
   * procs-file... command...}. A shell joins its groups itself, before it is anything else, so no
   * process of the session is ever outside them.
   */
  private static final String JOIN_SCRIPT =
      "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 126; shift;"
          + " n=$((n-1)); done; exec \"$@\"";

  private final Cgroups.Version version;
  private final List<Path> dirs;
  private final String sessionId;
  private final int pidsMax;
  private final long memoryBytes;
  private final List<String> missing; // limit controllers the hierarchy lacks (v2)

  SessionCgroup(
      Cgroups.Version version,
      List<Path> dirs,
      String sessionId,
      int pidsMax,
      long memoryBytes,
      List<String> missing) {
    this.version = version;
    this.dirs = List.copyOf(dirs);
    this.sessionId = sessionId;
    this.pidsMax = pidsMax;
    this.memoryBytes = memoryBytes;
    this.missing = List.copyOf(missing);
  }

  void applyLimits() throws IOException {
    Path pids = dirs.get(0);
    if (!missing.contains("pids")) {
      Files.writeString(pids.resolve("pids.max"), Integer.toString(pidsMax));
    }
    if (version == Cgroups.Version.V2) {
      if (missing.contains("memory")) {
        return;
      }
      Files.writeString(pids.resolve("memory.max"), Long.toString(memoryBytes));
      writeIfPresent(pids.resolve("memory.swap.max"), "0");
      writeIfPresent(pids.resolve("memory.oom.group"), "1");
    } else {
      Path memory = dirs.get(1);
      Files.writeString(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
      // Memory and swap together no more than memory alone: the session cannot swap its way past.
      writeIfPresent(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes));
    }
  }

  private static void writeIfPresent(Path file, String value) throws IOException {
    if (Files.exists(file)) {
      Files.writeString(file, value);
    }
  }

  public String sessionId() {
    return sessionId;
  }

  public int pidsMax() {
    return pidsMax;
  }

  public long memoryBytes() {
    return memoryBytes;
  }

  /** {@code command}, run by a process that first joins this group (see {@link #JOIN_SCRIPT}). */
  public List<String> joinThenRun(List<String> command) {
    List<String> line = new ArrayList<>(List.of("/bin/sh", "-c", JOIN_SCRIPT, "sh"));
    line.add(Integer.toString(dirs.size()));
    dirs.forEach(dir -> line.add(dir.resolve("cgroup.procs").toString()));
    line.addAll(command);
    return line;
  }

  /** The group's processes now (host pids). */
  public List<Long> members() {
    try {
      return Files.readAllLines(dirs.get(0).resolve("cgroup.procs")).stream()
          .filter(line -> !line.isBlank())
          .map(Long::parseLong)
          .toList();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot list the processes of " + dirs.get(0), e);
      return List.of();
    }
  }

  /** Whether the group is still there (not yet removed). */
  public boolean exists() {
    return Files.isDirectory(dirs.get(0));
  }

  public boolean isEmpty() {
    return members().isEmpty();
  }

  /** {@code signal} to every process of the group. */
  public void signal(int signal) {
    for (long pid : members()) {
      SessionProcesses.send(pid, signal);
    }
  }

  /**
   * Kills every process of the group, whatever it forks meanwhile, until the group is empty, then
   * removes the group. v2 kills the whole group in one write ({@code cgroup.kill}); v1 has no such
   * file, so SIGKILL goes to each member again until none is left (a process being killed cannot
   * fork any more, so this ends, and {@code pids.max} bounds each round).
   *
   * @return whether the group is empty and gone
   */
  public boolean killAll() {
    Path kill = dirs.get(0).resolve("cgroup.kill");
    long deadline = System.nanoTime() + KILL_TIMEOUT_NANOS;
    while (System.nanoTime() < deadline) {
      List<Long> members = members();
      if (members.isEmpty() && remove()) {
        return true; // (rmdir fails while a killed process is not yet reaped: try again)
      }
      if (version == Cgroups.Version.V2 && Files.exists(kill)) {
        try {
          Files.writeString(kill, "1"); // the kernel kills every member, forks under way included
        } catch (IOException e) {
          LOG.log(Level.FINE, "cgroup.kill failed on " + kill, e);
        }
      } else {
        for (long pid : members) {
          SessionProcesses.send(pid, SessionProcesses.SIGKILL);
        }
      }
      LockSupport.parkNanos(1_000_000); // the next round once the signals have landed
    }
    LOG.warning(() -> "processes of session " + sessionId + " survived SIGKILL: " + members());
    return false;
  }

  /**
   * Removes the group if it is empty.
   *
   * @return whether it is gone
   */
  public boolean remove() {
    boolean gone = true;
    for (Path dir : dirs) {
      try {
        Files.deleteIfExists(dir); // rmdir(2): the kernel refuses while a process is in it
      } catch (IOException e) {
        gone = false;
      }
    }
    return gone;
  }

  /**
   * How many times the kernel's OOM killer has killed a process of this group for going over its
   * memory limit; 0 if unknown.
   */
  public long oomKills() {
    Path file =
        version == Cgroups.Version.V2
            ? dirs.get(0).resolve("memory.events")
            : dirs.get(1).resolve("memory.oom_control");
    // Read for every isolated session every 2 s: into one small buffer (the file has a few short
    // lines), not through a reader and a list of lines (tens of KiB of garbage a read, at 2,000
    // sessions a third of what the node allocated while its users typed, JFR 2026-12-05).
    try (FileChannel channel = FileChannel.open(file)) {
      ByteBuffer buffer = ByteBuffer.allocate(OOM_FILE_BYTES);
      while (buffer.hasRemaining() && channel.read(buffer) > 0) {
        // a sysfs file comes in one read; more only if the kernel splits it
      }
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
      for (String line : text.split("\n")) {
        if (line.startsWith(OOM_KILL)) {
          return Long.parseLong(line.substring(OOM_KILL.length()).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // The group is gone: nothing more will be killed in it.
    }
    return 0;
  }

  private static final String OOM_KILL = "oom_kill ";

  /** memory.events (v2) and memory.oom_control (v1) have a few short lines: 512 bytes hold both. */
  private static final int OOM_FILE_BYTES = 512;

  @Override
  public String toString() {
    return dirs.get(0).toString();
  }
}
