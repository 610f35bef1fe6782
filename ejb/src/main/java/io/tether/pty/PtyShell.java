package io.tether.pty;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A {@link Shell} on a pseudo-terminal. The JVM opens the PTY itself and starts the shell with one
 * posix_spawn(3) straight into the command ({@link DirectSpawn}), which neither forks nor copies
 * the page tables of the server's whole heap: the PTY's slave side is the command's standard input,
 * output and error and the controlling terminal of a new session. Where the C library lacks a call
 * for that, with {@link ProcessBuilder} (the JDK's posix_spawn helper): the first process makes the
 * slave side its standard input, output and error and, through util-linux {@code setsid -c}, the
 * controlling terminal of a new session, then runs the command.
 */
public final class PtyShell implements Shell {
  /** Names the session in every process it starts (see {@link SessionProcesses}). */
  public static final String SESSION_VARIABLE = "TETHER_SESSION";

  /** Names the server that started the shell, so sweeps on one machine keep to their own. */
  public static final String SERVER_VARIABLE = "TETHER_SERVER";

  /**
   * Runs its arguments on the terminal named by {@code $0}: opened for reading and writing as
   * standard input, output and error, and made the controlling terminal of a new session; with
   * every signal's handling at its default, since a spawned process keeps what the server ignores
   * (a server started by {@code nohup} or in a script's background ignores SIGINT, and Ctrl-C in
   * the shell would stop nothing).
   */
  private static final String ON_TERMINAL =
      "exec /usr/bin/env --default-signal /usr/bin/setsid -c -- \"$@\" <>\"$0\" >&0 2>&0";

  /**
   * The same, with what the first process got as its standard input kept as descriptor {@value
   * #HELD_FD} of the command.
   */
  private static final String ON_TERMINAL_HOLDING =
      "exec /usr/bin/env --default-signal /usr/bin/setsid -c -- \"$@\" 3<&0 <>\"$0\" >&0 2>&0";

  /** The descriptor on which a command started with a held file finds it. */
  public static final int HELD_FD = 3;

  private final Process process;
  private final PtyDevice pty;
  private static final long SETTLE_MILLIS = 50;

  private final MasterInputStream output;
  private final SessionProcesses group; // null when the shell runs in a cgroup of its own
  private final SessionCgroup cgroup; // null when it does not
  private final SlaveHold slave;
  private volatile String limitReached;
  private final CompletableFuture<Integer> exit; // the exit code, once the shell has exited

  private PtyShell(
      Process process,
      PtyDevice pty,
      SlaveHold slave,
      SessionProcesses group,
      SessionCgroup cgroup) {
    this.process = process;
    this.pty = pty;
    this.output = new MasterInputStream(pty.fd());
    this.slave = slave;
    this.group = group;
    this.cgroup = cgroup;
    this.exit = cgroup == null ? process.onExit().thenApply(Process::exitValue) : watchMemory();
  }

  /**
   * In a cgroup, the shell's memory is watched while it runs: every {@value
   * ShellExits#CHECK_MILLIS} ms, one thread for all shells ({@link ShellExits}) reads the group's
   * count of processes the kernel killed for its memory limit, and once there is one, the whole
   * session is killed (so a shell does not go on with half its jobs gone), and {@link
   * #limitReached()} says why. The kernel holds a session to its limit at once; the interval only
   * decides how soon the rest of it is ended and its user told. (Each session's waiting thread read
   * the count itself before: at 2,000 sessions, 1,000 wake-ups a second.)
   */
  private CompletableFuture<Integer> watchMemory() {
    Runnable check =
        () -> {
          if (overMemoryLimit()) { // the kill waits for the group to empty: not on the checker
            Thread killer = new Thread(cgroup::killAll, "tether-limit-kill-" + cgroup.sessionId());
            killer.setDaemon(true);
            killer.start();
          }
        };
    ShellExits.checkEvery(check);
    return process
        .onExit()
        .thenApply(
            p -> {
              ShellExits.stopChecking(check);
              overMemoryLimit(); // the shell itself may have been the process the kernel killed
              return p.exitValue();
            });
  }

  /** The process and its terminal, or neither: what failed on the way is closed again. */
  private record Started(Process process, PtyDevice pty, SlaveHold slave) {}

  /**
   * Starts {@code command} on a new PTY of {@code cols} x {@code rows}, with exactly {@code
   * environment}, in {@code directory}; with {@code held} (if not null) open for reading as its
   * descriptor {@value #HELD_FD}.
   *
   * <p>The held file is opened here, before the first process exists, and handed to it as it
   * starts: a byte written to it (a pipe) once this returns is there for the command to read,
   * however far the command has got. (Opened by the command itself, it was not: a byte written to a
   * pipe nobody else held open yet went with the pipe.)
   */
  private static Started spawn(
      List<String> command,
      Map<String, String> environment,
      Path directory,
      Path held,
      int cols,
      int rows)
      throws IOException {
    PtyDevice pty = PtyDevice.open(cols, rows);
    SlaveHold slave = null;
    try {
      // Held before the shell starts: the master cannot report EIO before the shell opens it.
      slave = SlaveHold.open(pty.slaveName());
      if (DirectSpawn.available()) { // one posix_spawn straight into the command
        String slaveName = pty.slaveName();
        Process process =
            SpawnThread.run(
                () -> DirectSpawn.spawn(command, environment, directory, slaveName, held, HELD_FD));
        return new Started(process, pty, slave);
      }
      String script = held == null ? ON_TERMINAL : ON_TERMINAL_HOLDING;
      List<String> line = new ArrayList<>(List.of("/bin/sh", "-c", script, pty.slaveName()));
      line.addAll(command);
      ProcessBuilder builder =
          new ProcessBuilder(line)
              .directory(directory.toFile())
              .redirectInput(
                  ProcessBuilder.Redirect.from(
                      held == null ? new File("/dev/null") : held.toFile()))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD);
      builder.environment().clear();
      builder.environment().putAll(environment);
      return new Started(SpawnThread.run(builder::start), pty, slave);
    } catch (IOException | RuntimeException e) {
      if (slave != null) {
        slave.release();
      }
      pty.close();
      throw e;
    }
  }

  /**
   * The application stops, its shells ended: the thread shells are spawned on ends ({@link
   * SpawnThread}).
   */
  public static void stopSpawning() {
    SpawnThread.stop();
  }

  /** Starts the shell of session {@code sessionId} for the server {@code server}. */
  public static PtyShell start(ShellSpec spec, String sessionId, String server, int cols, int rows)
      throws IOException {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(spec.environment());
    env.put(SESSION_VARIABLE, sessionId);
    env.put(SERVER_VARIABLE, server);
    Started started = spawn(spec.command(), env, spec.directory(), null, cols, rows);
    return new PtyShell(
        started.process(),
        started.pty(),
        started.slave(),
        new SessionProcesses(started.process().pid(), SESSION_VARIABLE + "=" + sessionId),
        null);
  }

  /**
   * Starts {@code command} with exactly {@code environment} (nothing of the server's own), as the
   * first member of {@code cgroup}: everything the session starts is found, signalled and killed
   * through the group, and a process killed for the group's memory limit ends the session.
   */
  public static PtyShell startInCgroup(
      List<String> command,
      Map<String, String> environment,
      Path directory,
      SessionCgroup cgroup,
      int cols,
      int rows)
      throws IOException {
    return startInCgroup(command, environment, directory, cgroup, null, cols, rows);
  }

  /**
   * The same, with {@code held} (if not null) open for reading as descriptor {@value #HELD_FD} of
   * {@code command}: a pipe that the JVM holds open too (otherwise opening it would wait for a
   * writer).
   */
  public static PtyShell startInCgroup(
      List<String> command,
      Map<String, String> environment,
      Path directory,
      SessionCgroup cgroup,
      Path held,
      int cols,
      int rows)
      throws IOException {
    Started started =
        spawn(cgroup.joinThenRun(command), Map.copyOf(environment), directory, held, cols, rows);
    return new PtyShell(started.process(), started.pty(), started.slave(), null, cgroup);
  }

  @Override
  public InputStream output() {
    return output;
  }

  @Override
  public boolean outputPending() {
    return output.hasPendingOutput();
  }

  @Override
  public void write(ByteBuffer bytes) throws IOException {
    pty.write(arrayOf(bytes));
  }

  @Override
  public int writeNow(ByteBuffer bytes) throws IOException {
    return pty.writeNow(arrayOf(bytes));
  }

  /** Input frames arrive as read-only views: one exact-size array is all there is to pass. */
  private static byte[] arrayOf(ByteBuffer bytes) {
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return copy;
  }

  @Override
  public void resize(int cols, int rows) {
    if (process.isAlive()) {
      try {
        pty.resize(cols, rows);
      } catch (IOException e) {
        // The terminal is gone with its shell: there is nothing left to size.
      }
    }
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public int waitFor() throws InterruptedException {
    try {
      return exit.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the shell's exit could not be read", e.getCause());
    }
  }

  @Override
  public CompletableFuture<Integer> onExit() {
    return exit.copy();
  }

  private synchronized boolean overMemoryLimit() {
    if (limitReached == null && cgroup.oomKills() > 0) {
      limitReached =
          "The session went over its memory limit of "
              + cgroup.memoryBytes() / (1024 * 1024)
              + " MiB and was ended.";
      return true;
    }
    return false;
  }

  @Override
  public Optional<String> limitReached() {
    return Optional.ofNullable(limitReached);
  }

  @Override
  public void hangUp() {
    if (cgroup != null) {
      cgroup.signal(SessionProcesses.SIGHUP);
    } else {
      group.signal(SessionProcesses.SIGHUP);
    }
  }

  @Override
  public void kill() {
    if (cgroup != null) {
      cgroup.killAll();
    } else {
      group.signal(SessionProcesses.SIGKILL);
    }
  }

  /**
   * Called once the shell has exited. Its last writes can still be in the kernel's tty buffers on
   * their way to the master, and closing the last slave descriptor then would discard them; the
   * kernel offers no event for "delivered", so wait until the output has been quiet (nothing
   * pending, nothing read) for a moment before letting go.
   */
  @Override
  public void releaseTerminal() {
    try {
      long seen;
      do {
        seen = output.bytesRead();
        Thread.sleep(SETTLE_MILLIS);
      } while (output.hasPendingOutput() || output.bytesRead() != seen);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      slave.release();
    }
  }

  @Override
  public boolean shellAlive() {
    return process.isAlive();
  }

  /**
   * Releases the PTY. Only the output reader calls this, after its last read: closing the master
   * while a read is pending could hand the descriptor number to another file.
   */
  @Override
  public void close() {
    slave.release();
    process.destroyForcibly();
    if (cgroup != null) {
      cgroup.remove(); // unless something is still in it: then kill() or the sweep removes it
    }
    pty.close();
  }

  @Override
  public boolean anyAlive() {
    if (cgroup == null) {
      return group.anyAlive();
    }
    // The shell joins its group just after it starts; once the group is gone, so is everything.
    return !cgroup.isEmpty() || (process.isAlive() && cgroup.exists());
  }
}
