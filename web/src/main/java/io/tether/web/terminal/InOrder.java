package io.tether.web.terminal;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's work, run on worker threads one task at a time in the order it came: the
 * container delivers a connection's messages on its I/O thread, which serves many connections and
 * must not wait (for a ticket's redemption, the cluster's registry, a shell that does not read).
 */
final class InOrder {
  private static final Logger LOG = Logger.getLogger(InOrder.class.getName());

  /** How many tasks one turn on a worker runs before it lets other connections' turns go first. */
  private static final int TURN = 64;

  private final Executor workers;
  private final Queue<Runnable> tasks = new ArrayDeque<>(); // guarded by this
  private boolean running; // guarded by this: a turn is queued or under way

  InOrder(Executor workers) {
    this.workers = workers;
  }

  /** Whether nothing is queued or running: work done now, on the caller's thread, keeps order. */
  synchronized boolean idle() {
    return !running;
  }

  /** Runs {@code task} after everything queued before it. */
  void run(Runnable task) {
    synchronized (this) {
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    start();
  }

  private void start() {
    try {
      workers.execute(this::turn);
    } catch (RejectedExecutionException e) {
      // The application is stopping: what is left (a close, mostly) runs here, rather than never.
      turn();
    }
  }

  private void turn() {
    for (int ran = 0; ran < TURN; ran++) {
      Runnable next;
      synchronized (this) {
        next = tasks.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "a connection's task failed", e);
      }
    }
    start(); // more to do: back in the workers' queue behind other connections
  }
}
