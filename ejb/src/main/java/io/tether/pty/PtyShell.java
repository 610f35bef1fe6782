package io.tether.pty;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import com.pty4j.unix.UnixPtyProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A {@link Shell} on a pty4j pseudo-terminal. */
public final class PtyShell implements Shell {
  /** Names the session in every process it starts (see {@link SessionProcesses}). */
  public static final String SESSION_VARIABLE = "TETHER_SESSION";

  /** Names the server that started the shell, so sweeps on one machine keep to their own. */
  public static final String SERVER_VARIABLE = "TETHER_SERVER";

  private final PtyProcess process;
  private final OutputStream input;
  private static final long SETTLE_MILLIS = 50;

  private static final long LIMIT_CHECK_MILLIS = 200;

  private final MasterInputStream output;
  private final SessionProcesses group; // null when the shell runs in a cgroup of its own
  private final SessionCgroup cgroup; // null when it does not
  private final SlaveHold slave;
  private volatile String limitReached;

  private PtyShell(PtyProcess process, SessionProcesses group, SessionCgroup cgroup) {
    this.process = process;
    this.input = process.getOutputStream();
    this.output = new MasterInputStream(((UnixPtyProcess) process).getPty().getMasterFD());
    this.group = group;
    this.cgroup = cgroup;
    this.slave = SlaveHold.open(((UnixPtyProcess) process).getPty().getSlaveName());
  }

  /** Starts the shell of session {@code sessionId} for the server {@code server}. */
  public static PtyShell start(ShellSpec spec, String sessionId, String server, int cols, int rows)
      throws IOException {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(spec.environment());
    env.put(SESSION_VARIABLE, sessionId);
    env.put(SERVER_VARIABLE, server);
    PtyProcess process =
        new PtyProcessBuilder(spec.command().toArray(String[]::new))
            .setEnvironment(env)
            .setDirectory(spec.directory().toString())
            .setInitialColumns(cols)
            .setInitialRows(rows)
            .setRedirectErrorStream(true)
            .start();
    return new PtyShell(
        process, new SessionProcesses(process.pid(), SESSION_VARIABLE + "=" + sessionId), null);
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
   * The same, with {@code held} (if not null) open as descriptor {@value SessionCgroup#HELD_FD} of
   * {@code command} (see {@link SessionCgroup#joinThenRun(Path, List)}).
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
    PtyProcess process =
        new PtyProcessBuilder(cgroup.joinThenRun(held, command).toArray(String[]::new))
            .setEnvironment(Map.copyOf(environment))
            .setDirectory(directory.toString())
            .setInitialColumns(cols)
            .setInitialRows(rows)
            .setRedirectErrorStream(true)
            .start();
    return new PtyShell(process, null, cgroup);
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
    // Input frames arrive as read-only views, and pty4j copies whatever it gets once more: one
    // exact-size array is all there is to pass.
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    input.write(copy);
    input.flush();
  }

  @Override
  public void resize(int cols, int rows) {
    if (process.isAlive()) {
      process.setWinSize(new WinSize(cols, rows));
    }
  }

  @Override
  public long pid() {
    return process.pid();
  }

  /**
   * In a cgroup, also watches the group's memory: once the kernel has killed one of its processes
   * for going over the limit, the whole session is killed (so a shell does not go on with half its
   * jobs gone), and {@link #limitReached()} says why.
   */
  @Override
  public int waitFor() throws InterruptedException {
    if (cgroup == null) {
      return process.waitFor();
    }
    while (!process.waitFor(LIMIT_CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
      if (overMemoryLimit()) {
        cgroup.killAll();
      }
    }
    overMemoryLimit(); // the shell itself may have been the process the kernel killed
    return process.exitValue();
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
    try {
      process.getInputStream().close();
      input.close();
    } catch (IOException e) {
      // Already closed by pty4j; nothing left to release.
    }
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
