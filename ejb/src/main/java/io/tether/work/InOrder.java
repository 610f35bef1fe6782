package io.tether.work;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's or one session's work, run on worker threads one task at a time in the order it
 * came, so that the thread that hands it over never waits for it: a connection's I/O thread serves
 * many connections and must not wait for a ticket's redemption, the cluster's registry or a shell
 * that does not read; a session's hello or lost connection must not wait for the registry to record
 * it.
 */
public final class InOrder {
  private static final Logger LOG = Logger.getLogger(InOrder.class.getName());

  /** How many tasks one turn on a worker runs before it lets other queues' turns go first. */
  private static final int TURN = 64;

  private final Executor workers;
  private final String whose; // for the log: "a connection", "session abc"
  private final Queue<Runnable> tasks = new ArrayDeque<>(); // guarded by this
  private boolean running; // guarded by this: a turn is queued or under way

  /**
   * @param whose whose work this is, for the log of a task that fails
   */
  public InOrder(Executor workers, String whose) {
    this.workers = workers;
    this.whose = whose;
  }

  /** Whether nothing is queued or running: work done now, on the caller's thread, keeps order. */
  public synchronized boolean idle() {
    return !running;
  }

  /** Runs {@code task} after everything queued before it. */
  public void run(Runnable task) {
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
      // The application is stopping: what is left (a close, a session's end) runs here, rather
      // than never.
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
        LOG.log(Level.SEVERE, "a task of " + whose + " failed", e);
      }
    }
    start(); // more to do: back in the workers' queue behind other queues
  }
}
