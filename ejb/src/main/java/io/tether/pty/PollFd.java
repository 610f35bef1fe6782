package io.tether.pty;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * One {@code struct pollfd { int fd; short events; short revents; }} in native memory, allocated
 * once, and poll(2) on it, direct-mapped (see {@link MasterInputStream} for why: the reader polls
 * once per 4 KiB of bulk output). Not for two threads at once: each keeps its own, or locks it.
 */
final class PollFd {
  private static final class LibC {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    static native int poll(Pointer fds, long count, int timeoutMillis);

    private LibC() {}
  }

  static final short POLLIN = 1;
  static final short POLLOUT = 4;

  private final Memory struct = new Memory(8);
  private final int fd;
  private final short events;

  PollFd(int fd, short events) {
    this.fd = fd;
    this.events = events;
  }

  /**
   * Waits for the events at most {@code timeoutMillis} (0: not at all, -1: without a limit).
   *
   * @return whether one of them is set (false also when the wait timed out or was interrupted, or
   *     the terminal hung up: the read or write that follows tells)
   */
  boolean poll(int timeoutMillis) {
    struct.setInt(0, fd);
    struct.setShort(4, events);
    struct.setShort(6, (short) 0);
    return LibC.poll(struct, 1, timeoutMillis) > 0 && (struct.getShort(6) & events) != 0;
  }
}
