package io.tether.events;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The commands this node sent and still waits to hear about: {@link SessionCommands} registers each
 * before sending it and waits for its answers; {@link CommandReplyConsumer} hands in the answers as
 * they arrive. An answer nobody waits for (it came too late) is logged and dropped.
 */
@ApplicationScoped
public class CommandReplies {
  private static final Logger LOG = Logger.getLogger(CommandReplies.class.getName());

  private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();

  /** The answers to one command, as they arrive. */
  static final class Waiting {
    private final Set<String> expected;
    private final Map<String, Boolean> held = new TreeMap<>();

    private Waiting(Set<String> expected) {
      this.expected = Set.copyOf(expected);
    }

    private synchronized void arrived(CommandReply reply) {
      if (expected.contains(reply.node())) {
        held.put(reply.node(), reply.held());
        notifyAll();
      }
    }

    /**
     * Waits until every expected node answered, or {@code timeout}; returns what each answered and
     * who stayed silent.
     */
    synchronized CommandOutcome await(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      for (; ; ) {
        long left = deadline - System.nanoTime();
        if (held.keySet().containsAll(expected) || left <= 0) {
          Set<String> silent = new TreeSet<>(expected);
          silent.removeAll(held.keySet());
          return new CommandOutcome(Map.copyOf(held), Set.copyOf(silent));
        }
        wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /** Starts waiting for the answers of {@code expectedNodes} to the command {@code commandId}. */
  Waiting expect(String commandId, Set<String> expectedNodes) {
    Waiting w = new Waiting(expectedNodes);
    waiting.put(commandId, w);
    return w;
  }

  /** Stops waiting for the command's answers. */
  void forget(String commandId) {
    waiting.remove(commandId);
  }

  /** An answer arrived for this node. */
  void arrived(CommandReply reply) {
    Waiting w = waiting.get(reply.commandId());
    if (w == null) {
      LOG.info(() -> "an answer nobody waits for any more (too late?): " + reply);
      return;
    }
    w.arrived(reply);
  }
}
