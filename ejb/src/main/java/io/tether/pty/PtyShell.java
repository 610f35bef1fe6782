package io.tether.pty;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import com.pty4j.unix.UnixPtyProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/** A {@link Shell} on a pty4j pseudo-terminal. */
public final class PtyShell implements Shell {
  /** Names the session in every process it starts (see {@link SessionProcesses}). */
  public static final String SESSION_VARIABLE = "TETHER_SESSION";

  /** Names the server that started the shell, so sweeps on one machine keep to their own. */
  public static final String SERVER_VARIABLE = "TETHER_SERVER";

  private final PtyProcess process;
  private final OutputStream input;
  private static final long SETTLE_MILLIS = 50;

  private final MasterInputStream output;
  private final SessionProcesses group;
  private final SlaveHold slave;

  private PtyShell(PtyProcess process, String sessionMarker) {
    this.process = process;
    this.input = process.getOutputStream();
    this.output = new MasterInputStream(((UnixPtyProcess) process).getPty().getMasterFD());
    this.group = new SessionProcesses(process.pid(), sessionMarker);
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
    return new PtyShell(process, SESSION_VARIABLE + "=" + sessionId);
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

  @Override
  public int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  @Override
  public void hangUp() {
    group.signal(SessionProcesses.SIGHUP);
  }

  @Override
  public void kill() {
    group.signal(SessionProcesses.SIGKILL);
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
    try {
      process.getInputStream().close();
      input.close();
    } catch (IOException e) {
      // Already closed by pty4j; nothing left to release.
    }
  }

  @Override
  public boolean anyAlive() {
    return group.anyAlive();
  }
}
