package io.tether.pty;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;

/**
 * This JVM's own descriptor on a PTY's slave side. While it is open the master never reports EIO:
 * not before the shell has opened the slave (it is opened before the shell starts), and not when
 * the shell exits with output still unread, which would otherwise be discarded. Released when the
 * shell has exited, so the output then ends after its last byte.
 */
final class SlaveHold {
  private interface LibC extends Library {
    int open(String path, int flags);

    int close(int fd);
  }

  private static final LibC LIBC = Native.load("c", LibC.class);
  private static final int O_RDWR = 02;
  private static final int O_NOCTTY = 0400;

  private int fd;

  private SlaveHold(int fd) {
    this.fd = fd;
  }

  static SlaveHold open(String slaveName) {
    int fd = LIBC.open(slaveName, O_RDWR | O_NOCTTY);
    if (fd < 0) {
      throw new IllegalStateException(
          new IOException("cannot open " + slaveName + ": errno " + Native.getLastError()));
    }
    return new SlaveHold(fd);
  }

  synchronized void release() {
    if (fd >= 0) {
      LIBC.close(fd);
      fd = -1;
    }
  }
}
