package io.tether.pty;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts a command on a terminal with one posix_spawn(3) (glibc 2.34 or later), straight into the
 * command: a new session, the terminal's slave side opened as its standard input, output and error
 * (and so its controlling terminal, opened by the session's leader), every signal at its default
 * and none blocked, nothing else of the server's descriptors, in its directory, with exactly its
 * environment. That is what {@code /bin/sh}, {@code env --default-signal} and {@code setsid -c} did
 * in turn before the command ran: three programs fewer to load on the way from a hello to a prompt.
 *
 * <p>Where the C library lacks a call it needs, {@link #available()} is false and {@link PtyShell}
 * starts the shell through those programs as before.
 */
final class DirectSpawn {
  private static final Logger LOG = Logger.getLogger(DirectSpawn.class.getName());

  /**
   * libc, direct-mapped (see {@link MasterInputStream}); registered only if every call is there.
   */
  private static final class LibC {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    static native int posix_spawnattr_init(Pointer attr);

    static native int posix_spawnattr_destroy(Pointer attr);

    static native int posix_spawnattr_setflags(Pointer attr, short flags);

    static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer signals);

    static native int posix_spawnattr_setsigmask(Pointer attr, Pointer signals);

    static native int posix_spawn_file_actions_init(Pointer actions);

    static native int posix_spawn_file_actions_destroy(Pointer actions);

    static native int posix_spawn_file_actions_addopen(
        Pointer actions, int fd, String path, int flags, int mode);

    static native int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int to);

    static native int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);

    static native int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    static native int posix_spawnp(
        int[] pid, String file, Pointer actions, Pointer attr, Pointer argv, Pointer envp);

    static native int sigfillset(Pointer signals);

    static native int sigemptyset(Pointer signals);

    static native int waitpid(int pid, int[] status, int options);

    static native int kill(int pid, int signal);

    private LibC() {}
  }

  private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
  private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
  private static final short POSIX_SPAWN_SETSID = 0x80;
  private static final int O_RDONLY = 0;
  private static final int O_RDWR = 02;
  private static final int WNOHANG = 1;
  private static final int SIGKILL = 9;
  private static final int SIGTERM = 15;

  // glibc's opaque types on x86_64 and aarch64 are smaller; these leave room.
  private static final int ATTR_BYTES = 1024;
  private static final int ACTIONS_BYTES = 256;
  private static final int SIGSET_BYTES = 128;

  private static final boolean AVAILABLE = load();

  private DirectSpawn() {}

  private static boolean load() {
    try {
      LibC.sigemptyset(new Memory(SIGSET_BYTES)); // registers every call, or fails
      return true;
    } catch (LinkageError e) {
      LOG.log(
          Level.INFO, "posix_spawn with its glibc 2.34 calls is not there: shells start via sh", e);
      return false;
    }
  }

  /** Whether this C library has every call a direct spawn needs. */
  static boolean available() {
    return AVAILABLE;
  }

  /**
   * Starts {@code command} on the terminal {@code slave}; with {@code held} (if not null) open for
   * reading as descriptor {@code heldFd}.
   */
  static Process spawn(
      List<String> command,
      Map<String, String> environment,
      Path directory,
      String slave,
      Path held,
      int heldFd)
      throws IOException {
    Memory attr = new Memory(ATTR_BYTES);
    Memory actions = new Memory(ACTIONS_BYTES);
    Memory all = new Memory(SIGSET_BYTES);
    Memory none = new Memory(SIGSET_BYTES);
    attr.clear();
    actions.clear();
    check(LibC.posix_spawnattr_init(attr), "posix_spawnattr_init");
    try {
      check(LibC.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
      try {
        LibC.sigfillset(all);
        LibC.sigemptyset(none);
        check(
            LibC.posix_spawnattr_setflags(
                attr,
                (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)),
            "posix_spawnattr_setflags");
        check(LibC.posix_spawnattr_setsigdefault(attr, all), "posix_spawnattr_setsigdefault");
        check(LibC.posix_spawnattr_setsigmask(attr, none), "posix_spawnattr_setsigmask");
        // After setsid: opened by the session's leader, the terminal becomes its controlling one.
        check(LibC.posix_spawn_file_actions_addopen(actions, 0, slave, O_RDWR, 0), "addopen");
        check(LibC.posix_spawn_file_actions_adddup2(actions, 0, 1), "adddup2");
        check(LibC.posix_spawn_file_actions_adddup2(actions, 0, 2), "adddup2");
        int keep = 3;
        if (held != null) {
          check(
              LibC.posix_spawn_file_actions_addopen(actions, heldFd, held.toString(), O_RDONLY, 0),
              "addopen");
          keep = heldFd + 1;
        }
        check(LibC.posix_spawn_file_actions_addclosefrom_np(actions, keep), "addclosefrom_np");
        check(
            LibC.posix_spawn_file_actions_addchdir_np(actions, directory.toString()),
            "addchdir_np");
        String[] env =
            environment.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        int[] pid = new int[1];
        int failed =
            LibC.posix_spawnp(
                pid,
                command.get(0),
                actions,
                attr,
                new StringArray(command.toArray(String[]::new)),
                new StringArray(env));
        if (failed != 0) {
          throw new IOException(
              "Cannot run program \"" + command.get(0) + "\": posix_spawn failed: errno " + failed);
        }
        return new Spawned(pid[0]);
      } finally {
        LibC.posix_spawn_file_actions_destroy(actions);
      }
    } finally {
      LibC.posix_spawnattr_destroy(attr);
    }
  }

  private static void check(int result, String call) throws IOException {
    if (result != 0) {
      throw new IOException(call + " failed: errno " + result);
    }
  }

  /**
   * A child started here: its exit seen by {@link ShellExits} (or, where that cannot watch it, as
   * the JDK waits for any process, without reaping it), then reaped at once, under a lock, so its
   * pid is never signalled once it may be another process's.
   */
  static final class Spawned extends Process {
    private final int pid;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>(); // once reaped
    private Integer exitCode; // guarded by this

    Spawned(int pid) {
      this.pid = pid;
      // Reaped as soon as it exits, as the JDK reaps the processes it starts: no zombie stays.
      if (!ShellExits.watch(pid, () -> exit.complete(reap(true)))) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        (handle.isPresent()
                ? handle.get().onExit()
                : CompletableFuture.completedFuture(null)) // already gone: reaped below
            .whenComplete((done, failure) -> exit.complete(reap(true)));
      }
    }

    @Override
    public CompletableFuture<Process> onExit() {
      return exit.thenApply(code -> this);
    }

    @Override
    public OutputStream getOutputStream() {
      return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
      return InputStream.nullInputStream();
    }

    @Override
    public InputStream getErrorStream() {
      return InputStream.nullInputStream();
    }

    @Override
    public int waitFor() throws InterruptedException {
      try {
        return exit.get();
      } catch (ExecutionException e) {
        return reap(true); // not how it is completed; the reap waits instead
      }
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
      try {
        exit.get(timeout, unit);
      } catch (TimeoutException e) {
        return !isAlive();
      } catch (ExecutionException e) {
        // as above
      }
      reap(true);
      return true;
    }

    @Override
    public synchronized int exitValue() {
      Integer code = reapIfExited();
      if (code == null) {
        throw new IllegalThreadStateException("process " + pid + " has not exited");
      }
      return code;
    }

    @Override
    public synchronized boolean isAlive() {
      return reapIfExited() == null;
    }

    @Override
    public void destroy() {
      signal(SIGTERM);
    }

    @Override
    public Process destroyForcibly() {
      signal(SIGKILL);
      return this;
    }

    @Override
    public boolean supportsNormalTermination() {
      return true;
    }

    @Override
    public long pid() {
      return pid;
    }

    private synchronized void signal(int signal) {
      if (exitCode == null) { // not reaped: the pid is still this process's
        LibC.kill(pid, signal);
      }
    }

    /** The exit code, reaping the process: waiting for it if {@code block}. */
    private synchronized int reap(boolean block) {
      while (exitCode == null) {
        int[] status = new int[1];
        int r = LibC.waitpid(pid, status, block ? 0 : WNOHANG);
        if (r == pid) {
          exitCode = decode(status[0]);
        } else if (r < 0 && Native.getLastError() != 4 /* EINTR */) {
          exitCode = -1; // not a child of this JVM any more: nothing to reap
        } else if (!block) {
          break;
        }
      }
      return exitCode == null ? -1 : exitCode;
    }

    private Integer reapIfExited() {
      if (exitCode == null) {
        reap(false);
      }
      return exitCode;
    }

    /** As the JDK reports it: the exit status, or 128 plus the signal that ended it. */
    private static int decode(int status) {
      int signal = status & 0x7f;
      return signal == 0 ? (status >> 8) & 0xff : 0x80 + signal;
    }
  }
}
