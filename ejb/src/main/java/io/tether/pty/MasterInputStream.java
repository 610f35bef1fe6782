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
   * read(2), direct-mapped (as poll(2) is in {@link PollFd}): a static native call costs about as
   * much as plain JNI, while an interface-mapped call goes through a proxy, reflection and per-call
   * argument conversion (a short[] is copied to native memory and back on every poll). Bulk output
   * makes one read and one poll per 4 KiB the PTY hands over, so that overhead counted.
   */
  private static final class LibC {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    static native long read(int fd, Pointer buffer, long count);

    private LibC() {}
  }

  private static final int EINTR = 4;
  private static final int EAGAIN = 11;

  /** The most one read asks for; the PTY hands over about 4 KiB (its line-discipline buffer). */
  private static final int BUFFER_BYTES = 64 * 1024;

  private final int fd;
  private final Memory buffer = new Memory(BUFFER_BYTES);

  /**
   * Asks whether output is pending. The reader polls it between reads, and {@link
   * PtyShell#releaseTerminal()} from another thread after the shell's exit, so each use holds its
   * lock.
   */
  private final PollFd pending;

  /**
   * Waits until output comes: the master is non-blocking (input is written without waiting, see
   * {@link PtyDevice}), so a read with nothing to read returns EAGAIN and the reader waits in
   * poll(2), with a pollfd of its own, without the lock {@link #pending} is used under.
   */
  private final PollFd awaited;

  private volatile long bytesRead;

  // What the last read(2) brought beyond what its caller had room for, waiting in the buffer for
  // the next read: a reader that reads into pieces (an output log's chunks) makes no more system
  // calls than one that reads into one large array. Only the reader moves them.
  private int pendingFrom;
  private volatile int pendingBytes;

  MasterInputStream(int fd) {
    this.fd = fd;
    this.pending = new PollFd(fd, PollFd.POLLIN);
    this.awaited = new PollFd(fd, PollFd.POLLIN);
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
    synchronized (pending) {
      return pending.poll(0);
    }
  }

  /**
   * Waits until output comes or the terminal hangs up (the read that follows returns EIO); an
   * interrupted wait just returns, and the read tries again.
   */
  private void awaitOutput() {
    awaited.poll(-1);
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
