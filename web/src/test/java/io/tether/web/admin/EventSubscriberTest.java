package io.tether.web.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.events.RecentEvents;
import io.tether.events.RecordedEvent;
import io.tether.events.SessionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventSubscriberTest {
  /** What a console received: control and session events by name and id, and comments. */
  private static final class RecordingSink implements EventSubscriber.Sink {
    final List<String> received = new ArrayList<>();
    volatile boolean failing;
    volatile boolean closed;

    @Override
    public synchronized CompletionStage<?> event(String name, String id, String data) {
      if (failing) {
        return CompletableFuture.failedFuture(new java.io.IOException("broken pipe"));
      }
      received.add(name + " " + id.substring(0, id.indexOf('@')) + " " + data);
      notifyAll();
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<?> comment(String text) {
      received.add(": " + text);
      notifyAll();
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
      closed = true;
    }

    synchronized List<String> awaitCount(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (received.size() < count && System.nanoTime() < deadline) {
        wait(100);
      }
      return List.copyOf(received);
    }
  }

  private final RecentEvents recent = new RecentEvents(20);
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final AtomicInteger closedCalls = new AtomicInteger();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private static String json(Object value) {
    if (value instanceof RecordedEvent e) {
      return e.type() + ":" + e.sessionId();
    }
    return "control " + ((Map<?, ?>) value).get("seq");
  }

  private EventSubscriber started(RecordingSink sink, String resumeFrom) {
    EventSubscriber subscriber = subscriber(sink);
    assertTrue(subscriber.start(resumeFrom));
    return subscriber;
  }

  private EventSubscriber subscriber(EventSubscriber.Sink sink) {
    return new EventSubscriber(
        recent,
        sink,
        executor,
        EventSubscriberTest::json,
        "node1",
        Duration.ofSeconds(1),
        closedCalls::incrementAndGet);
  }

  private void add(String type, String session) {
    recent.add(
        new SessionEvent(type, session, "alice", "node1", Instant.EPOCH, 1, null, null, null));
  }

  @Test
  void aNewStreamStartsWithReadyAndOnlyNewEvents() throws Exception {
    add("opened", "old");
    RecordingSink sink = new RecordingSink();

    started(sink, null);
    add("opened", "a");
    add("attached", "a");

    assertEquals(
        List.of("ready 1 control 1", "session 2 opened:a", "session 3 attached:a"),
        sink.awaitCount(3));
  }

  @Test
  void aResumedStreamSendsExactlyWhatWasMissed() throws Exception {
    IntStream.rangeClosed(1, 5).forEach(i -> add("resized", "s" + i));
    RecordingSink sink = new RecordingSink();

    started(sink, recent.position(3));
    add("closed", "s6");

    assertEquals(
        List.of(
            "ready 3 control 3",
            "session 4 resized:s4",
            "session 5 resized:s5",
            "session 6 closed:s6"),
        sink.awaitCount(4));
  }

  @Test
  void aForeignOrForgottenPositionResetsAndSendsAllHeld() throws Exception {
    IntStream.rangeClosed(1, 25).forEach(i -> add("resized", "s" + i)); // 6..25 held
    RecordingSink fromElsewhere = new RecordingSink();
    RecordingSink tooOld = new RecordingSink();

    started(fromElsewhere, "3@another-node");
    started(tooOld, recent.position(2));

    List<String> expected = new ArrayList<>(List.of("reset 5 control 5"));
    IntStream.rangeClosed(6, 25).forEach(i -> expected.add("session " + i + " resized:s" + i));
    assertEquals(expected, fromElsewhere.awaitCount(21));
    assertEquals(expected, tooOld.awaitCount(21));
  }

  @Test
  void concurrentEventsArriveOnceEachInOrder() throws Exception {
    RecordingSink sink = new RecordingSink();
    started(sink, null);

    ExecutorService producers = Executors.newFixedThreadPool(4);
    for (int p = 0; p < 4; p++) {
      int producer = p;
      producers.execute(
          () -> IntStream.range(0, 5).forEach(i -> add("resized", producer + "-" + i)));
    }
    producers.shutdown();
    assertTrue(producers.awaitTermination(5, TimeUnit.SECONDS));

    List<String> received = sink.awaitCount(21);
    assertEquals(21, received.size(), received.toString());
    for (int i = 1; i <= 20; i++) {
      assertTrue(received.get(i).startsWith("session " + i + " "), received.toString());
    }
  }

  @Test
  void aConsoleThatGoesAwayIsClosedAndForgotten() throws Exception {
    RecordingSink sink = new RecordingSink();
    EventSubscriber subscriber = started(sink, null);

    sink.failing = true;
    add("opened", "a");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!subscriber.isClosed() && System.nanoTime() < deadline) {
      Thread.sleep(10); // polling a flag set on the executor thread
    }

    assertTrue(subscriber.isClosed());
    assertTrue(sink.closed);
    assertEquals(1, closedCalls.get());
    subscriber.close();
    assertEquals(1, closedCalls.get(), "closed once");
  }

  @Test
  void keepAliveSendsAComment() throws Exception {
    RecordingSink sink = new RecordingSink();
    EventSubscriber subscriber = started(sink, null);

    subscriber.keepAlive();

    assertEquals(List.of("ready 0 control 0", ": keep-alive"), sink.awaitCount(2));
    assertFalse(subscriber.isClosed());
  }
}
