package io.tether.pty;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A shell's process group and descendants. Java can only SIGTERM a single process, which an
 * interactive bash ignores, so signals go through libc's kill(2): to the negative pid (the whole
 * group, since pty4j makes the shell a session leader) and to each descendant seen, which catches
 * programs that moved to a group of their own.
 */
final class ProcessGroup {
  private interface LibC extends Library {
    int kill(int pid, int signal);
  }

  private static final LibC LIBC = Native.load("c", LibC.class);
  static final int SIGHUP = 1;
  static final int SIGKILL = 9;

  private final long leader;
  // Every process ever seen in the tree: after the shell dies its children are re-parented and
  // would no longer show up as descendants.
  private final Set<ProcessHandle> seen = new LinkedHashSet<>();

  ProcessGroup(long leader) {
    this.leader = leader;
  }

  synchronized void signal(int signal) {
    remember();
    LIBC.kill((int) -leader, signal);
    for (ProcessHandle process : seen) {
      if (process.isAlive()) {
        LIBC.kill((int) process.pid(), signal);
      }
    }
  }

  synchronized boolean anyAlive() {
    remember();
    return seen.stream().anyMatch(ProcessHandle::isAlive);
  }

  private void remember() {
    Optional<ProcessHandle> shell = ProcessHandle.of(leader);
    shell.ifPresent(
        handle -> {
          seen.add(handle);
          handle.descendants().forEach(seen::add);
        });
    seen.removeIf(process -> !process.isAlive());
  }
}
