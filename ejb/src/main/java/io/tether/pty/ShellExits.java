package io.tether.pty;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One thread for every shell of the JVM: it waits for their exits on one epoll(7) set, through a
 * pidfd per shell (pidfd_open(2), Linux 5.3, glibc 2.36), and runs the checks a running shell needs
 * at an interval (a cgroup's memory) between. The JDK waits for each process it is asked about on a
 * thread of its own (its "process reaper"), and a session's own waiter woke every few seconds for
 * its check: at 2,000 sessions, 4,000 threads whose stacks every garbage collection scans and 1,000
 * wake-ups a second, against ten here (one a slice of the checks, {@link #CHECK_SLICES}).
 *
 * <p>The thread runs while there is something to watch, and ends once there is not (so an
 * undeployed application leaves no thread behind); the next watch starts it again. What it runs
 * must be short: every other shell's exit waits behind it.
 */
final class ShellExits {
  private static final Logger LOG = Logger.getLogger(ShellExits.class.getName());

  /**
   * libc, direct-mapped (see {@link MasterInputStream}); registered only if every call is there.
   */
  private static final class LibC {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    static native int pidfd_open(int pid, int flags);

    static native int epoll_create1(int flags);

    static native int epoll_ctl(int epfd, int op, int fd, Pointer event);

    static native int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMillis);

    static native int close(int fd);

    private LibC() {}
  }

  private static final int EPOLL_CLOEXEC = 02000000;
  private static final int EPOLL_CTL_ADD = 1;
  private static final int EPOLLIN = 1;
  private static final int EINTR = 4;
  private static final int MAX_EVENTS = 64;

  // struct epoll_event { uint32_t events; epoll_data_t data; }: packed on x86_64, aligned
  // elsewhere.
  private static final int EVENT_BYTES = Platform.isIntel() && Platform.is64Bit() ? 12 : 16;
  private static final int DATA_OFFSET = EVENT_BYTES - 8;

  /** How often each check of a running shell runs. */
  static final long CHECK_MILLIS = 2000;

  /**
   * The checks are spread over their interval in this many slices, one slice every {@code
   * CHECK_MILLIS / CHECK_SLICES} ms. Run all at once, they were a burst: at 2,000 sessions, 2,000
   * cgroup files read every 2 s (0.5 s of CPU in 20 s, in bursts, while 100 users typed), which
   * every echo arriving during it waited behind.
   */
  static final int CHECK_SLICES = 20;

  private static final long SLICE_NANOS =
      TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS) / CHECK_SLICES;

  private static final ShellExits INSTANCE = create();

  private final int epoll; // -1 when exits are not watched here (see available())
  private final Map<Integer, Watch> exits = new ConcurrentHashMap<>(); // by pid
  private final Map<Runnable, Integer> checks = new ConcurrentHashMap<>(); // to its slice
  private final AtomicInteger slicesDealt = new AtomicInteger(); // round robin: even slices
  private Thread thread; // guarded by this; null while nothing is watched
  private long nextSlice; // System.nanoTime(); only the thread uses it
  private int slice; // the slice of checks the thread runs next; only the thread uses it

  private record Watch(int pidfd, Runnable exited) {}

  private ShellExits(int epoll) {
    this.epoll = epoll;
  }

  private static ShellExits create() {
    try {
      int epoll = LibC.epoll_create1(EPOLL_CLOEXEC);
      if (epoll < 0) {
        LOG.warning("epoll_create1 failed: errno " + Native.getLastError());
      }
      return new ShellExits(epoll);
    } catch (LinkageError e) {
      LOG.log(Level.INFO, "pidfd_open is not there: each process is waited for by the JDK", e);
      return new ShellExits(-1);
    }
  }

  /** Whether exits are watched here; if not, {@link #watch} declines every process. */
  static boolean available() {
    return INSTANCE.epoll >= 0;
  }

  /**
   * Runs {@code exited} on this class's thread once the child {@code pid} has exited (it is not
   * reaped here: {@code exited} does that).
   *
   * @return false if the exit cannot be watched here: the caller waits for it another way
   */
  static boolean watch(int pid, Runnable exited) {
    return INSTANCE.watchExit(pid, exited);
  }

  /**
   * Runs {@code check} on this class's thread every {@link #CHECK_MILLIS} or so, at a phase of its
   * own, until {@link #stopChecking} is called with it.
   */
  static void checkEvery(Runnable check) {
    INSTANCE.checks.put(check, Math.floorMod(INSTANCE.slicesDealt.getAndIncrement(), CHECK_SLICES));
    INSTANCE.running();
  }

  static void stopChecking(Runnable check) {
    INSTANCE.checks.remove(check);
  }

  private boolean watchExit(int pid, Runnable exited) {
    if (epoll < 0) {
      return false;
    }
    int pidfd = LibC.pidfd_open(pid, 0);
    if (pidfd < 0) { // not there any more (reaped by someone else): no exit to wait for here
      LOG.fine(() -> "pidfd_open(" + pid + ") failed: errno " + Native.getLastError());
      return false;
    }
    exits.put(pid, new Watch(pidfd, exited));
    Memory event = new Memory(EVENT_BYTES);
    event.clear();
    event.setInt(0, EPOLLIN);
    event.setLong(DATA_OFFSET, pid);
    if (LibC.epoll_ctl(epoll, EPOLL_CTL_ADD, pidfd, event) < 0) {
      LOG.warning(() -> "epoll_ctl(" + pid + ") failed: errno " + Native.getLastError());
      exits.remove(pid);
      LibC.close(pidfd);
      return false;
    }
    running();
    return true;
  }

  private synchronized void running() {
    if (thread == null) {
      thread = new Thread(this::run, "tether-shell-exits");
      thread.setDaemon(true);
      thread.setContextClassLoader(null);
      thread.start();
    }
  }

  private void run() {
    Memory events = new Memory((long) EVENT_BYTES * MAX_EVENTS);
    nextSlice = System.nanoTime() + SLICE_NANOS;
    for (; ; ) {
      long untilCheck = TimeUnit.NANOSECONDS.toMillis(nextSlice - System.nanoTime());
      int n = LibC.epoll_wait(epoll, events, MAX_EVENTS, (int) Math.max(0, untilCheck) + 1);
      if (n < 0 && Native.getLastError() != EINTR) {
        LOG.severe("epoll_wait failed: errno " + Native.getLastError());
      }
      for (int i = 0; i < n; i++) {
        exited((int) events.getLong((long) i * EVENT_BYTES + DATA_OFFSET));
      }
      if (System.nanoTime() - nextSlice >= 0) {
        // from now, not from when it was due: a late slice does not make the next ones come in a
        // burst to catch up
        nextSlice = System.nanoTime() + SLICE_NANOS;
        runSlice();
      }
      synchronized (this) {
        if (exits.isEmpty() && checks.isEmpty()) {
          thread = null;
          return;
        }
      }
    }
  }

  private void runSlice() {
    int serving = slice;
    slice = (slice + 1) % CHECK_SLICES;
    checks.forEach(
        (check, itsSlice) -> {
          if (itsSlice == serving) {
            runQuietly(check);
          }
        });
  }

  private void exited(int pid) {
    Watch watch = exits.remove(pid);
    if (watch != null) {
      LibC.close(watch.pidfd()); // which takes it out of the epoll set
      runQuietly(watch.exited());
    }
  }

  private static void runQuietly(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "a shell's exit or check failed", e);
    }
  }
}
