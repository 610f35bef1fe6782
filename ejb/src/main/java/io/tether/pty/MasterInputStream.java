package io.tether.pty;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a PTY master with read(2): every byte, then EIO once no process holds the terminal any
 * more.
 *
 * <p>{@link PtyShell} holds the slave side open itself until the shell has exited, so EIO cannot
 * come early: not before the child has opened the slave, nor while output is still buffered.
 */
final class MasterInputStream extends InputStream {
  /**
   * read(2) and poll(2), direct-mapped: a static native call costs about as much as plain JNI,
   * while an interface-mapped call goes through a proxy, reflection and per-call argument
   * conversion (a short[] is copied to native memory and back on every poll). Bulk output makes one
   * read and one poll per 4 KiB the PTY hands over, so that overhead counted.
   */
  private static final class LibC {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    static native long read(int fd, Pointer buffer, long count);

    static native int poll(Pointer fds, long count, int timeoutMillis);

    private LibC() {}
  }

  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final short POLLIN = 1;

  /** The most one read asks for; the PTY hands over about 4 KiB (its line-discipline buffer). */
  private static final int BUFFER_BYTES = 64 * 1024;

  private final int fd;
  private final Memory buffer = new Memory(BUFFER_BYTES);

  /**
   * One struct pollfd { int fd; short events; short revents; }, allocated once rather than per
   * call. The reader polls it between reads, and {@link PtyShell#releaseTerminal()} from another
   * thread after the shell's exit, so each use fills and reads it under its lock.
   */
  private final Memory pollfd = new Memory(8);

  /**
   * The reader's own pollfd, for waiting until output comes: the master is non-blocking (input is
   * written without waiting, see {@link PtyDevice}), so a read with nothing to read returns EAGAIN
   * and the reader waits in poll(2), without the lock {@link #pollfd} is used under.
   */
  private final Memory awaitfd = new Memory(8);

  private volatile long bytesRead;

  // What the last read(2) brought beyond what its caller had room for, waiting in the buffer for
  // the next read: a reader that reads into pieces (an output log's chunks) makes no more system
  // calls than one that reads into one large array. Only the reader moves them.
  private int pendingFrom;
  private volatile int pendingBytes;

  MasterInputStream(int fd) {
    this.fd = fd;
  }

  /** How many bytes have been read so far; tells whether the reader is keeping up. */
  long bytesRead() {
    return bytesRead;
  }

  /**
   * Whether output is waiting to be read right now: in the buffer, or in the PTY (poll(2) with no
   * timeout).
   */
  boolean hasPendingOutput() {
    if (pendingBytes > 0) {
      return true;
    }
    synchronized (pollfd) {
      pollfd.setInt(0, fd);
      pollfd.setShort(4, POLLIN);
      pollfd.setShort(6, (short) 0);
      return LibC.poll(pollfd, 1, 0) > 0 && (pollfd.getShort(6) & POLLIN) != 0;
    }
  }

  /**
   * Waits until output comes or the terminal hangs up (the read that follows returns EIO); an
   * interrupted wait just returns, and the read tries again.
   */
  private void awaitOutput() {
    awaitfd.setInt(0, fd);
    awaitfd.setShort(4, POLLIN);
    awaitfd.setShort(6, (short) 0);
    LibC.poll(awaitfd, 1, -1);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] into, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (pendingBytes == 0) {
      long n = LibC.read(fd, buffer, BUFFER_BYTES);
      if (n > 0) {
        bytesRead += n;
        pendingFrom = 0;
        pendingBytes = (int) n;
      } else {
        int errno = n == 0 ? 0 : Native.getLastError();
        if (errno == EAGAIN) {
          awaitOutput();
        } else if (errno != EINTR) {
          // EIO: no process holds the terminal any more, and every byte has been read.
          return -1;
        }
      }
    }
    int n = Math.min(length, pendingBytes);
    buffer.read(pendingFrom, into, offset, n);
    pendingFrom += n;
    pendingBytes -= n;
    return n;
  }
}
