package io.tether.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecentEventsTest {
  private final RecentEvents recent = new RecentEvents(5);

  private static SessionEvent event(String type, String session) {
    return new SessionEvent(type, session, "alice", "node1", Instant.EPOCH, 1, null, null, null);
  }

  private void addEvents(int count) {
    for (int i = 1; i <= count; i++) {
      recent.add(event("resized", "s" + i));
    }
  }

  private static List<Long> seqs(RecentEvents.Slice slice) {
    return slice.events().stream().map(RecordedEvent::seq).toList();
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void numbersEventsFromOneInTheOrderTheyArrive() {
    RecordedEvent first = recent.add(event("opened", "a"));
    RecordedEvent second = recent.add(event("attached", "a"));

    assertEquals(1, first.seq());
    assertEquals(2, second.seq());
    assertEquals("attached", second.type());
    assertEquals(event("attached", "a"), second.event());
    assertEquals(2, recent.lastSeq());
  }

  /** Three events held (1..3) in a memory of five. */
  @ParameterizedTest
  @CsvSource({
    "0, 1, 3, 0, true", // from the start
    "1, 2, 3, 1, true",
    "3, 0, 0, 3, true", // up to date: nothing new
    "4, 1, 3, 0, false", // a number this node never gave: start over with everything
  })
  void afterReturnsWhatFollowsASequenceNumber(
      long after, long first, long last, long from, boolean continuous) {
    addEvents(3);

    RecentEvents.Slice slice = recent.after(after);

    assertEquals(first == 0 ? List.of() : range(first, last), seqs(slice));
    assertEquals(from, slice.from());
    assertEquals(continuous, slice.continuous());
  }

  @Test
  void keepsOnlyTheLastCapacityEvents() {
    addEvents(12);

    RecentEvents.Slice all = recent.after(0);

    assertEquals(range(8, 12), seqs(all));
    assertFalse(all.continuous(), "events 1..7 are gone");
    assertEquals(7, all.from());
    assertEquals("s8", all.events().get(0).sessionId());
  }

  @Test
  void aPositionJustBeforeTheOldestHeldIsStillContinuous() {
    addEvents(12);

    RecentEvents.Slice slice = recent.after(7);

    assertTrue(slice.continuous());
    assertEquals(range(8, 12), seqs(slice));
    assertFalse(recent.after(6).continuous(), "event 7 was evicted");
  }

  @Test
  void positionsOfThisEpochResume() {
    addEvents(4);

    RecentEvents.Slice slice = recent.since(recent.position(2));

    assertTrue(slice.continuous());
    assertEquals(range(3, 4), seqs(slice));
    assertEquals("3@" + recent.epoch(), recent.position(3));
    assertEquals(range(3, 4), seqs(recent.since("2")), "a bare number is this epoch's");
  }

  @Test
  void positionsOfAnotherNodeOrStartAreForeign() {
    RecentEvents other = new RecentEvents(5);
    addEvents(4);

    assertNotEquals(other.epoch(), recent.epoch());
    for (String foreign : List.of(other.position(2), "2@nope", "x@" + recent.epoch(), "", "-3")) {
      RecentEvents.Slice slice = recent.since(foreign);
      assertFalse(slice.continuous(), foreign);
      assertEquals(range(1, 4), seqs(slice), foreign);
      assertEquals(0, slice.from(), foreign);
    }
  }

  @Test
  void listenersHearOfEveryAddUntilClosed() {
    AtomicInteger heard = new AtomicInteger();
    RecentEvents.Subscription subscription = recent.onAdded(heard::incrementAndGet);
    recent.onAdded(
        () -> {
          throw new IllegalStateException("a failing listener does not stop the others");
        });

    addEvents(2);
    subscription.close();
    addEvents(1);

    assertEquals(2, heard.get());
    assertEquals(3, recent.lastSeq());
  }

  @Test
  void sliceLastIsItsLastEventOrWhereItStarts() {
    addEvents(3);

    assertEquals(3, recent.after(1).last());
    assertEquals(3, recent.after(3).last());
  }
}
