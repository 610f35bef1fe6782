package io.tether.web.terminal;

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
 * The threads connections' frames are acted on when they may wait ({@link InOrder}): a hello (a
 * ticket's redemption, a shell's start, the cluster's registry), a close, input for a shell that
 * does not read it now.
 *
 * <p>As many threads as turns run at once, kept a minute after their last: no cap, because a turn
 * can wait as long as a program does not read its input (a paste into {@code sleep}), and a few
 * such shells must not hold up every other connection's frames behind them. The connections, and
 * the user's session limits, bound them.
 */
@ApplicationScoped
public class FrameWorkers implements Executor {
  @Resource ManagedThreadFactory threads;

  private ExecutorService pool;

  @PostConstruct
  void start() {
    pool = Executors.newCachedThreadPool(threads);
  }

  /**
   * Turns already running finish; a connection that closes from now on is closed on its own thread.
   */
  @PreDestroy
  void stop() {
    pool.shutdown();
  }

  @Override
  public void execute(Runnable turn) throws RejectedExecutionException {
    pool.execute(turn);
  }
}
