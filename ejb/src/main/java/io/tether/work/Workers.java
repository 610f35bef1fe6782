package io.tether.work;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The threads work that may wait runs on, handed over by threads that must not ({@link InOrder}): a
 * connection's frames (a hello: a ticket's redemption, a shell's start, the cluster's registry; a
 * close; input for a shell that does not read it now), and a session's news for the registry and
 * the event stream (an attach, a detach, a resize).
 *
 * <p>As many threads as turns run at once, kept a minute after their last: no cap, because a turn
 * can wait as long as a program does not read its input (a paste into {@code sleep}) or a frozen
 * member holds the registry's partitions, and a few such turns must not hold up every other
 * connection's frames behind them. The connections and sessions, and the users' session limits,
 * bound them.
 */
@ApplicationScoped
public class Workers implements Executor {
  @Resource ManagedThreadFactory threads;

  private ExecutorService pool;

  @PostConstruct
  void start() {
    pool = Executors.newCachedThreadPool(threads);
  }

  /** Turns already running finish; work handed over from now on runs on the caller's thread. */
  @PreDestroy
  void stop() {
    pool.shutdown();
  }

  @Override
  public void execute(Runnable turn) throws RejectedExecutionException {
    pool.execute(turn);
  }
}
