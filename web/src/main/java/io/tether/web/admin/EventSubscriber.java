package io.tether.web.admin;

import io.tether.events.RecentEvents;
import io.tether.events.RecordedEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One admin console's event stream. It keeps a cursor (the number of the last event sent) and sends
 * what {@link RecentEvents} holds after it, in order, one send at a time, on an executor thread:
 * the lifecycle consumer only wakes it, so a slow console never holds up the consumer, and since
 * every send reads from the cursor nothing is sent twice or skipped, however wakes and reconnects
 * interleave.
 *
 * <p>The stream opens with one control event that carries the position it starts from as its {@code
 * id}: {@code ready} when it continues exactly from the position asked for (or starts from now),
 * {@code reset} when it cannot (the position is another node's or from before a restart, or the
 * events after it were forgotten), after which every event held is sent and the console must
 * rebuild what it shows. Each session event is an event named {@code session} whose {@code id} is
 * its position ({@code <seq>@<epoch>}), so a reconnecting {@code EventSource} resumes with {@code
 * Last-Event-ID}. A comment is sent now and then to keep proxies from closing an idle stream and to
 * find consoles that went away.
 */
final class EventSubscriber {
  /**
   * Where the events go: the HTTP response in the server ({@link ServletSink}), a recorder in
   * tests.
   */
  interface Sink {
    CompletionStage<?> event(String name, String id, String data);

    CompletionStage<?> comment(String text);

    void close();
  }

  private static final Logger LOG = Logger.getLogger(EventSubscriber.class.getName());

  private final RecentEvents recent;
  private final Sink sink;
  private final Executor executor;
  private final Function<Object, String> json;
  private final String node;
  private final Duration sendTimeout;
  private final Runnable onClose;
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicBoolean keepAliveDue = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RecentEvents.Subscription subscription;
  private long cursor; // the pump's, and start()'s before the pump can run

  /**
   * @param json turns a value (a recorded event, a map) into its JSON text
   * @param onClose called once when the stream closes, for whoever keeps the list of streams
   */
  EventSubscriber(
      RecentEvents recent,
      Sink sink,
      Executor executor,
      Function<Object, String> json,
      String node,
      Duration sendTimeout,
      Runnable onClose) {
    this.recent = recent;
    this.sink = sink;
    this.executor = executor;
    this.json = json;
    this.node = node;
    this.sendTimeout = sendTimeout;
    this.onClose = onClose;
  }

  /**
   * Sends the opening control event on the calling thread, then follows new events.
   *
   * @param resumeFrom the position to continue after ({@code Last-Event-ID}), or null to start with
   *     the next event
   * @return false if the stream could not even be opened
   */
  boolean start(String resumeFrom) {
    String name;
    if (resumeFrom == null || resumeFrom.isBlank()) {
      cursor = recent.lastSeq();
      name = "ready";
    } else {
      RecentEvents.Slice slice = recent.since(resumeFrom);
      cursor = slice.from();
      name = slice.continuous() ? "ready" : "reset";
    }
    if (!send(() -> control(name, cursor))) {
      return false;
    }
    subscription = recent.onAdded(this::wake);
    if (closed.get()) {
      subscription.close();
      return false;
    }
    wake();
    return true;
  }

  /** New events may be there: sends them soon, on the executor. */
  void wake() {
    if (closed.get() || wip.getAndIncrement() != 0) {
      return;
    }
    try {
      executor.execute(this::pump);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "no thread for an event stream; closing it", e);
      close();
    }
  }

  /** Sends a keep-alive comment soon, after anything already due. */
  void keepAlive() {
    keepAliveDue.set(true);
    wake();
  }

  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RecentEvents.Subscription s = subscription;
    if (s != null) {
      s.close();
    }
    try {
      sink.close();
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "closing an event stream", e);
    }
    onClose.run();
  }

  boolean isClosed() {
    return closed.get();
  }

  /** One pump at a time (wip counts the wakes it has to answer). */
  private void pump() {
    int missed = 1;
    do {
      sendWhatIsNew();
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void sendWhatIsNew() {
    while (!closed.get()) {
      RecentEvents.Slice slice = recent.after(cursor);
      if (!slice.continuous()) {
        // This console fell further behind than the node remembers.
        LOG.info(() -> "an event stream fell behind at " + cursor + "; sending reset");
        cursor = slice.from();
        if (!send(() -> control("reset", cursor))) {
          return;
        }
      }
      if (slice.events().isEmpty()) {
        break;
      }
      for (RecordedEvent event : slice.events()) {
        if (!send(() -> sink.event("session", recent.position(event.seq()), json.apply(event)))) {
          return;
        }
        cursor = event.seq();
      }
    }
    if (keepAliveDue.getAndSet(false) && !closed.get()) {
      send(() -> sink.comment("keep-alive"));
    }
  }

  private CompletionStage<?> control(String name, long position) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("node", node);
    data.put("epoch", recent.epoch());
    data.put("seq", position);
    return sink.event(name, recent.position(position), json.apply(data));
  }

  /** Waits for one send; a send that fails or hangs closes the stream. */
  private boolean send(Supplier<CompletionStage<?>> sending) {
    try {
      sending.get().toCompletableFuture().get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.log(Level.FINE, "an event stream went away", e);
    }
    close();
    return false;
  }
}
