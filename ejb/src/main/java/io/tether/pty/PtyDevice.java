package io.tether.pty;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A pseudo-terminal's master side, opened by this JVM (posix_openpt, grantpt, unlockpt): the server
 * reads and writes it, and a shell started on the slave side ({@link #slaveName()}) has it as its
 * controlling terminal. Opening it needs no child process; the shell is started apart from it (see
 * {@link PtyShell}), so the JVM is never forked.
 */
final class PtyDevice {
  /** libc, direct-mapped (see {@link MasterInputStream} for why). */
  private static final class LibC {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    static native int posix_openpt(int flags);

    static native int grantpt(int fd);

    static native int unlockpt(int fd);

    static native int ptsname_r(int fd, byte[] name, long length);

    static native int ioctl(int fd, long request, short[] winsize);

    static native long write(int fd, byte[] bytes, long count);

    static native int close(int fd);

    private LibC() {}
  }

  private static final int O_RDWR = 02;
  private static final int O_NOCTTY = 0400;
  private static final int O_CLOEXEC = 02000000;
  private static final long TIOCSWINSZ = 0x5414;
  private static final int EINTR = 4;

  private final int fd;
  private final String slaveName;

  /**
   * Writes and resizes hold it shared, the close exclusively: once closed, the descriptor's number
   * may be another terminal's (a new session's PTY), and a keystroke or a resize that came late
   * must not reach that one.
   */
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  private boolean closed; // guarded by lock

  private PtyDevice(int fd, String slaveName) {
    this.fd = fd;
    this.slaveName = slaveName;
  }

  /** A new PTY of {@code cols} x {@code rows}. */
  static PtyDevice open(int cols, int rows) throws IOException {
    // Close-on-exec: no process the server starts inherits another session's master.
    int fd = LibC.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      throw new IOException("posix_openpt failed: errno " + Native.getLastError());
    }
    try {
      if (LibC.grantpt(fd) != 0 || LibC.unlockpt(fd) != 0) {
        throw new IOException("grantpt/unlockpt failed: errno " + Native.getLastError());
      }
      byte[] name = new byte[128];
      int failed = LibC.ptsname_r(fd, name, name.length);
      if (failed != 0) {
        throw new IOException("ptsname_r failed: errno " + failed);
      }
      PtyDevice pty = new PtyDevice(fd, Native.toString(name));
      pty.resize(cols, rows);
      return pty;
    } catch (IOException | RuntimeException e) {
      LibC.close(fd);
      throw e;
    }
  }

  int fd() {
    return fd;
  }

  /** The slave side's path, e.g. {@code /dev/pts/7}. */
  String slaveName() {
    return slaveName;
  }

  /** Sets the terminal's size; the kernel tells the foreground job (SIGWINCH). */
  void resize(int cols, int rows) throws IOException {
    short[] winsize = {(short) rows, (short) cols, 0, 0};
    lock.readLock().lock();
    try {
      requireOpen();
      if (LibC.ioctl(fd, TIOCSWINSZ, winsize) != 0) {
        throw new IOException("TIOCSWINSZ failed: errno " + Native.getLastError());
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  private void requireOpen() throws IOException {
    if (closed) {
      throw new IOException("the terminal is closed");
    }
  }

  /** Writes all of {@code bytes} to the master: what the shell reads as typed. */
  void write(byte[] bytes) throws IOException {
    lock.readLock().lock();
    try {
      requireOpen();
      writeAll(bytes);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void writeAll(byte[] bytes) throws IOException {
    int from = 0;
    while (from < bytes.length) {
      byte[] rest = from == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, from, bytes.length);
      long n = LibC.write(fd, rest, rest.length);
      if (n < 0) {
        int errno = Native.getLastError();
        if (errno == EINTR) {
          continue;
        }
        throw new IOException("write to the PTY failed: errno " + errno);
      }
      from += (int) n;
    }
  }

  /** Closes the master, once; later writes and resizes fail. */
  void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        LibC.close(fd);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
