package io.tether.cluster;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How long a request's read or write of the shared state may wait for the cluster. A member that
 * froze holds the partitions it owns until the others remove it (seconds); a person waiting for a
 * listing or a new terminal gets an answer within this bound instead, partial or "try again".
 */
final class TimeBound {
  /** A listing's wait: the partial listing after it still comes within a second. */
  static final Duration REQUEST = Duration.ofMillis(500);

  /**
   * A ticket's wait: a single write, which a loaded node (a small heap collecting) may hold up for
   * longer than a listing's bound without anything being wrong.
   */
  static final Duration TICKET = Duration.ofSeconds(1);

  private TimeBound() {}

  /**
   * The stage's result, if it comes within {@link #REQUEST}.
   *
   * @throws TimeoutException it did not
   */
  static <T> T await(CompletionStage<T> stage) throws TimeoutException {
    return await(stage, REQUEST);
  }

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
}
