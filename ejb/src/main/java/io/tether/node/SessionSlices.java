package io.tether.node;

import java.util.Collection;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Spreads a periodic pass over the node's sessions across its interval: the sessions are split into
 * slices by their id, and each run, one slice period ({@value #SLICE_MILLIS} ms) after the last,
 * serves one slice, so every session is still served once per interval. Done all at once, such a
 * pass is a burst that every keystroke's echo arriving during it waits behind: the heartbeat tick
 * of a node of 2,000 sessions queued 4,000 frames (a heartbeat and a ping each) on its I/O threads
 * every interval. The admin console's live rows ({@link ActivityAnnouncements}) are spread the same
 * way: with 100 sessions typing they make 100 registry reads and writes and JMS events a second.
 */
final class SessionSlices<S> {
  /** How often a slice is served. */
  static final long SLICE_MILLIS = 100;

  private final int slices;
  private final long periodMillis;
  private final Function<S, String> id;
  private int next; // the slice the next run serves; only the scheduler's thread uses it

  SessionSlices(long intervalMillis, Function<S, String> id) {
    this.slices = (int) Math.max(1, intervalMillis / SLICE_MILLIS);
    this.periodMillis = Math.max(1, intervalMillis / slices);
    this.id = id;
  }

  /** How long from one run to the next: the interval divided by the number of slices. */
  long periodMillis() {
    return periodMillis;
  }

  int slices() {
    return slices;
  }

  /** The slice a session is in: fixed by its id, so it is served at the same phase each time. */
  int sliceOf(S session) {
    return Math.floorMod(id.apply(session).hashCode(), slices);
  }

  /** Whether the next run serves the first slice: a new round over every session begins. */
  boolean roundBegins() {
    return next == 0;
  }

  /** One run: serves the sessions of the next slice. */
  void run(Collection<S> sessions, Consumer<S> serve) {
    int slice = next;
    next = (next + 1) % slices;
    for (S session : sessions) {
      if (sliceOf(session) == slice) {
        serve.accept(session);
      }
    }
  }
}
