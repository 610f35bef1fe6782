package io.tether.events;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The session events this node received most recently (the last {@value #DEFAULT_CAPACITY}),
 * numbered 1, 2, 3, ... in the order they arrived, for the admin console: a page asks for what came
 * after the last number it saw, and an event stream resumes there after a reconnect.
 *
 * <p>A position is written {@code <seq>@<epoch>}. The epoch is random per start, so a position from
 * before a restart, or from another node (a reconnect that a load balancer sent elsewhere), is
 * recognised as foreign instead of silently skipping or repeating events. A bare {@code <seq>}
 * means this node's current epoch.
 *
 * <p>Listeners are told after each event is added; they run on the adding thread (the lifecycle
 * consumer) and must only hand work off.
 */
@ApplicationScoped
public class RecentEvents {
  public static final int DEFAULT_CAPACITY = 10_000;
  private static final Logger LOG = Logger.getLogger(RecentEvents.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Events after a position.
   *
   * @param from the number the events follow: the position asked for when {@code continuous},
   *     otherwise the number just before the oldest event held
   * @param continuous false when events after the asked position were lost to this node's memory
   *     (evicted, or from another epoch): whoever keeps state from events must start over
   */
  public record Slice(long from, List<RecordedEvent> events, boolean continuous) {
    /** The number of the last event of the slice, or {@code from} if it is empty. */
    public long last() {
      return events.isEmpty() ? from : events.get(events.size() - 1).seq();
    }
  }

  private final int capacity;
  private final String epoch;
  private final RecordedEvent[] ring;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private long last; // guarded by this

  public RecentEvents() {
    this(DEFAULT_CAPACITY);
  }

  public RecentEvents(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    this.capacity = capacity;
    this.ring = new RecordedEvent[capacity];
    byte[] bits = new byte[6];
    RANDOM.nextBytes(bits);
    this.epoch = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  /** Numbers the event, keeps it (forgetting the oldest beyond capacity), tells the listeners. */
  public RecordedEvent add(SessionEvent event) {
    RecordedEvent recorded;
    synchronized (this) {
      recorded = RecordedEvent.of(last + 1, event);
      ring[(int) (recorded.seq() % capacity)] = recorded;
      last = recorded.seq();
    }
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "an event listener failed", e);
      }
    }
    return recorded;
  }

  /** The events held with a number above {@code seq}, oldest first. */
  public synchronized Slice after(long seq) {
    long oldest = Math.max(1, last - capacity + 1);
    if (seq > last || seq < 0) {
      return new Slice(oldest - 1, copy(oldest), false);
    }
    if (seq < oldest - 1) {
      return new Slice(oldest - 1, copy(oldest), false);
    }
    return new Slice(seq, copy(seq + 1), true);
  }

  /**
   * The events after a position ({@code <seq>@<epoch>} or {@code <seq>}): continuous if the
   * position is this node's and nothing after it was evicted; otherwise every event held, marked
   * not continuous.
   */
  public Slice since(String position) {
    long seq = parse(position);
    return seq < 0 ? after(-1) : after(seq);
  }

  /**
   * The number a position stands for on this node, or -1 if it is not one of this node's positions
   * in this epoch (another node's, from before a restart, or not a position).
   */
  public long parse(String position) {
    if (position == null) {
      return -1;
    }
    String text = position.trim();
    int at = text.indexOf('@');
    if (at >= 0) {
      if (!text.substring(at + 1).equals(epoch)) {
        return -1;
      }
      text = text.substring(0, at);
    }
    try {
      long seq = Long.parseLong(text);
      return seq < 0 ? -1 : seq;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The position of the event numbered {@code seq}: {@code <seq>@<epoch>}. */
  public String position(long seq) {
    return seq + "@" + epoch;
  }

  public synchronized long lastSeq() {
    return last;
  }

  /** Random per start of this node: tells this node's positions from any other's. */
  public String epoch() {
    return epoch;
  }

  public int capacity() {
    return capacity;
  }

  /**
   * Calls {@code listener} after every event added from now on, until the returned handle is
   * closed. The listener runs on the adding thread and must return quickly.
   */
  public Subscription onAdded(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** A listener's registration; closing it stops the calls. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  private List<RecordedEvent> copy(long fromSeq) {
    List<RecordedEvent> events = new ArrayList<>((int) Math.max(0, last - fromSeq + 1));
    for (long s = fromSeq; s <= last; s++) {
      events.add(ring[(int) (s % capacity)]);
    }
    return events;
  }
}
