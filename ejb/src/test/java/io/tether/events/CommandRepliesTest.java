package io.tether.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommandRepliesTest {
  private final CommandReplies replies = new CommandReplies();

  @Test
  void aCommandIsDoneOnceItsNodeSaysSo() throws Exception {
    CommandReplies.Waiting waiting = replies.expect("c1", Set.of("node2"));
    CompletableFuture<CommandOutcome> outcome =
        CompletableFuture.supplyAsync(() -> await(waiting, Duration.ofSeconds(10)));

    replies.arrived(new CommandReply("c1", "node2", true));

    CommandOutcome answered = outcome.get(5, TimeUnit.SECONDS);
    assertTrue(answered.confirmed());
    assertTrue(answered.done());
    assertEquals(Map.of("node2", true), answered.held());
  }

  @Test
  void aNodeThatDoesNotAnswerInTimeIsNamedAndTheCommandIsNotDone() throws Exception {
    CommandReplies.Waiting waiting = replies.expect("c2", Set.of("node1", "node2", "node3"));
    replies.arrived(new CommandReply("c2", "node1", true));
    replies.arrived(new CommandReply("c2", "node3", true));
    replies.arrived(new CommandReply("other", "node2", true)); // another command's answer
    replies.arrived(new CommandReply("c2", "node9", true)); // a node it was not for

    CommandOutcome outcome = waiting.await(Duration.ofMillis(200));

    assertFalse(outcome.confirmed());
    assertEquals(Set.of("node2"), outcome.silent());
    assertEquals(Map.of("node1", true, "node3", true), outcome.held());
  }

  @Test
  void anOwnerThatNoLongerHoldsTheSessionConfirmsThatNothingWasDone() throws Exception {
    CommandReplies.Waiting waiting = replies.expect("c3", Set.of("node1"));
    replies.arrived(new CommandReply("c3", "node1", false));

    CommandOutcome outcome = waiting.await(Duration.ofSeconds(5));

    assertTrue(outcome.confirmed());
    assertFalse(outcome.done());
  }

  private static CommandOutcome await(CommandReplies.Waiting waiting, Duration timeout) {
    try {
      return waiting.await(timeout);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
