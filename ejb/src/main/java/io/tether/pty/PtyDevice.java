package io.tether.pty;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.util.Arrays;
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
  private static final int O_NONBLOCK = 04000;
  private static final long TIOCSWINSZ = 0x5414;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;

  /**
   * How long a write that waits for room sleeps in poll(2) before it tries again anyway: a wake-up
   * the kernel might not send costs at most this.
   */
  private static final int ROOM_POLL_MILLIS = 100;

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
    // Non-blocking: a keystroke is written on the thread that received it, which must never wait
    // for a shell that does not read ({@link #writeNow}); the reader and {@link #write} wait in
    // poll(2) instead.
    int fd = LibC.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
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

  /**
   * Writes all of {@code bytes} to the master (what the shell reads as typed), waiting for room as
   * long as the shell does not read.
   */
  void write(byte[] bytes) throws IOException {
    lock.readLock().lock();
    try {
      requireOpen();
      int from = 0;
      while (from < bytes.length) {
        int n = writeSome(bytes, from);
        if (n == 0) {
          awaitRoom();
        }
        from += n;
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Writes as much of {@code bytes} as the terminal takes at once, never waiting: neither for room
   * nor for a close under way.
   *
   * @return how many bytes were written, from the first; 0 when the terminal has no room now
   */
  int writeNow(byte[] bytes) throws IOException {
    if (!lock.readLock().tryLock()) {
      return 0; // being closed: the caller's waiting write will learn that
    }
    try {
      requireOpen();
      return writeSome(bytes, 0);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * One write(2) of what is left from {@code from}: how many bytes it took, 0 if there was no room.
   */
  private int writeSome(byte[] bytes, int from) throws IOException {
    byte[] rest = from == 0 ? bytes : Arrays.copyOfRange(bytes, from, bytes.length);
    while (true) {
      long n = LibC.write(fd, rest, rest.length);
      if (n >= 0) {
        return (int) n;
      }
      int errno = Native.getLastError();
      if (errno == EAGAIN) {
        return 0;
      }
      if (errno != EINTR) {
        // EIO once the shell's side is closed: the session is ending.
        throw new IOException("write to the PTY failed: errno " + errno);
      }
    }
  }

  /**
   * Waits until the terminal may take more input, or has hung up (the next write then fails). Only
   * a write into a shell that does not read comes here, so its pollfd is not kept.
   */
  private void awaitRoom() {
    new PollFd(fd, PollFd.POLLOUT).poll(ROOM_POLL_MILLIS);
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
