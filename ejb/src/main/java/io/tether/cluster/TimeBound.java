package io.tether.cluster;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * How long a request's read or write of the shared state may wait for the cluster. A member that
 * froze holds the partitions it owns until the others remove it (seconds); a person waiting for a
 * listing or a new terminal gets an answer within this bound instead, partial or "try again".
 */
final class TimeBound {
  private static final Logger LOG = Logger.getLogger(TimeBound.class.getName());

  /** A listing's wait: the partial listing after it still comes within a second. */
  static final Duration REQUEST = Duration.ofMillis(500);

  /**
   * A ticket's wait: a single write, which a loaded node (a small heap collecting) may hold up for
   * longer than a listing's bound without anything being wrong.
   */
  static final Duration TICKET = Duration.ofSeconds(1);

  private TimeBound() {}

  /**
   * The stage's result, if it comes within {@code bound}.
   *
   * @throws TimeoutException it did not
   */
  static <T> T await(CompletionStage<T> stage, Duration bound) throws TimeoutException {
    try {
      return stage.toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TimeoutException("interrupted while waiting for the cluster");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * What {@code everywhere} reads across the cluster, run on {@code executor}, if it answers within
   * {@code bound}; else what {@code heldHere} reads from this member's own partitions, which waits
   * for no other member (logged as {@code what} having taken too long).
   */
  static <T> T orHeldHere(
      Supplier<T> everywhere,
      Supplier<T> heldHere,
      Executor executor,
      Duration bound,
      String what) {
    try {
      return await(CompletableFuture.supplyAsync(everywhere, executor), bound);
    } catch (TimeoutException e) {
      LOG.warning(
          () ->
              what
                  + " took over "
                  + bound.toMillis()
                  + " ms: answered with what this member holds itself");
      return heldHere.get();
    }
  }
}
