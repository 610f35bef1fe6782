package io.tether.pty;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a PTY master with read(2). pty4j's own stream stops at the shell's exit even while output
 * is still buffered in the PTY (its reaper breaks pending reads), which would lose the last bytes a
 * shell writes before {@code exit}. Reading the master directly returns every byte, then EIO once
 * no process holds the terminal any more.
 *
 * <p>{@link PtyShell} holds the slave side open itself until the shell has exited, so EIO cannot
 * come early: not before the child has opened the slave, nor while output is still buffered.
 */
final class MasterInputStream extends InputStream {
  private interface LibC extends Library {
    long read(int fd, Pointer buffer, long count);

    int poll(short[] fds, long count, int timeoutMillis);
  }

  private static final LibC LIBC = Native.load("c", LibC.class);
  private static final int EINTR = 4;
  private static final short POLLIN = 1;

  private final int fd;
  private final Memory buffer = new Memory(64 * 1024);
  private volatile long bytesRead;

  MasterInputStream(int fd) {
    this.fd = fd;
  }

  /** How many bytes have been read so far; tells whether the reader is keeping up. */
  long bytesRead() {
    return bytesRead;
  }

  /** Whether output is waiting to be read right now (poll(2) with no timeout). */
  boolean hasPendingOutput() {
    // struct pollfd { int fd; short events; short revents; } as three shorts' worth of words.
    short[] pollfd = {(short) (fd & 0xFFFF), (short) (fd >>> 16), POLLIN, 0};
    return LIBC.poll(pollfd, 1, 0) > 0 && (pollfd[3] & POLLIN) != 0;
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
    int count = (int) Math.min(length, buffer.size());
    for (; ; ) {
      long n = LIBC.read(fd, buffer, count);
      if (n > 0) {
        buffer.read(0, into, offset, (int) n);
        bytesRead += n;
        return (int) n;
      }
      if (n == 0 || Native.getLastError() != EINTR) {
        // EIO: no process holds the terminal any more, and every byte has been read.
        return -1;
      }
    }
  }
}
