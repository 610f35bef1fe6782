package io.tether.pty;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one thread every shell is spawned on, alive until the application stops ({@link #stop}).
 *
 * <p>A sandbox runs under bwrap's {@code --die-with-parent}, which has the kernel kill it when its
 * parent ends ({@code PR_SET_PDEATHSIG}): when the server dies, its shells go with it. But for the
 * kernel the parent is the <em>thread</em> that spawned the process, not the JVM, and the threads a
 * hello runs on are a pool's, which end after a minute without work: a shell spawned on one was
 * killed a minute after its session's hello, with its session still in use.
 */
final class SpawnThread {
  private static ExecutorService thread; // guarded by SpawnThread.class; null until the first spawn

  private SpawnThread() {}

  private static synchronized ExecutorService thread() {
    if (thread == null || thread.isShutdown()) {
      thread =
          Executors.newSingleThreadExecutor(
              task -> {
                Thread spawner = new Thread(task, "tether-spawner");
                spawner.setDaemon(true);
                return spawner;
              });
    }
    return thread;
  }

  /**
   * {@code spawn}'s process, started on the spawning thread. Waits for it however the caller is
   * interrupted (a spawn takes milliseconds): a process started after its caller gave up would have
   * no one to end it. The interrupt is kept for the caller.
   */
  static <T> T run(Callable<T> spawn) throws IOException {
    Future<T> started = thread().submit(spawn);
    boolean interrupted = false;
    try {
      for (; ; ) {
        try {
          return started.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          if (cause instanceof RuntimeException runtime) {
            throw runtime;
          }
          if (cause instanceof Error error) {
            throw error;
          }
          throw new IOException(cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The application stops, its shells ended: the thread ends, and whatever sandbox still ran goes
   * with it. A later spawn (another deployment) starts a new thread.
   */
  static synchronized void stop() {
    if (thread != null) {
      thread.shutdown();
      thread = null;
    }
  }
}
