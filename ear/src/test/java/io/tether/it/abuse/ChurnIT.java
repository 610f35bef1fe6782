package io.tether.it.abuse;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.ServerLog;
import io.tether.it.support.ServerProcess;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Open/exit churn on a node with a small heap (256 MiB, sessions with 4 MiB logs, no per-user limit
 * in the way): the node fills, with sessions whose output filled their logs, up to what its heap
 * takes, refuses more with {@code 4018}, goes on serving three users opening and exiting sessions
 * at several a second beside the full load, never runs out of memory, and leaves no process behind.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ChurnIT {
  private static final Duration CHURN = Duration.ofSeconds(20);

  /** More output than a 4 MiB log keeps; the marker's quotes keep the echo from matching. */
  private static final String FILL_LOG =
      "head -c 4400000 /dev/zero | tr '\\0' x; echo log-fi''lled\r";

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void churnNearTheHeapLimitIsRefusedNeverOutOfMemory() throws Exception {
    // Fill the node until it says it is full. A log holds what its output needs, so each session
    // fills its own before the next opens: a node of quiet sessions would take thousands.
    List<Terminal> held = new ArrayList<>();
    Terminal.Closed full = null;
    while (full == null && held.size() < 200) {
      Terminal t = Terminal.unopened(ALICE);
      full = t.connect().attachedOrClosed();
      if (full == null) {
        held.add(t);
        t.type(FILL_LOG);
        t.awaitRecentOutput("log-filled", Duration.ofSeconds(60));
      }
    }
    assertEquals(
        new Terminal.Closed(4018, "This server has no room for another session right now."), full);
    assertTrue(held.size() >= 10, "a 256 MiB heap holds " + held.size() + " sessions");
    System.out.println("ChurnIT: the node took " + held.size() + " sessions before 4018");

    // Three users open and exit sessions as fast as they can beside the full node.
    // Room for the churn near the limit: a fifth of the sessions end (a heap filled to its
    // refusal stays refused, since what is left is still above the line after a collection).
    for (int i = 0; i < Math.max(1, held.size() / 5); i++) {
      held.remove(held.size() - 1).exitShell();
    }
    AtomicInteger opened = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    ConcurrentHashMap<String, Integer> otherCloses = new ConcurrentHashMap<>();
    Instant until = Instant.now().plus(CHURN);
    ExecutorService users = Executors.newFixedThreadPool(3);
    List<Future<?>> loops = new ArrayList<>();
    for (TetherServer.Credentials user : List.of(ALICE, BOB, ADMIN)) {
      loops.add(
          users.submit(
              () -> {
                while (Instant.now().isBefore(until)) {
                  Terminal t = Terminal.unopened(user);
                  Terminal.Closed refusal = t.connect().attachedOrClosed();
                  if (refusal == null) {
                    opened.incrementAndGet();
                    t.type("exit\r");
                    Terminal.Closed end = t.awaitClosed();
                    if (end.code() != 4006) {
                      otherCloses.merge(end.toString(), 1, Integer::sum);
                    }
                  } else if (refusal.code() == 4018) {
                    refused.incrementAndGet();
                  } else {
                    otherCloses.merge(refusal.toString(), 1, Integer::sum);
                  }
                  t.close();
                }
                return null;
              }));
    }
    for (Future<?> loop : loops) {
      loop.get(CHURN.toSeconds() + 60, TimeUnit.SECONDS);
    }
    users.shutdown();
    System.out.printf(
        "ChurnIT: %d opened and exited, %d refused with 4018 in %s%n",
        opened.get(), refused.get(), CHURN);
    assertTrue(otherCloses.isEmpty(), "every open attached or was refused 4018: " + otherCloses);
    assertTrue(opened.get() >= 5, "the churn went on: " + opened.get() + " sessions");

    for (Terminal t : held) {
      t.exitShell();
    }
    ServerProcess.awaitNoDescendants(Duration.ofSeconds(20));
    String log = ServerLog.read();
    assertFalse(log.contains("OutOfMemoryError"), "the server ran out of memory");
    assertTrue(log.contains("refused a new session: no room on this node"));
  }

  /**
   * Waits for {@code text} at the end of the output as a page would: a connection the server closed
   * with a code that says to come back (a client that fell behind on a loaded machine is closed
   * with {@code 4007}) is resumed where its output stopped. Any other close fails the test.
   */
  private static void awaitAsAPageWould(Terminal t, String text, Instant deadline) {
    while (true) {
      try {
        t.awaitRecentOutput(text, Duration.ofSeconds(5));
        return;
      } catch (AssertionError notYet) {
        boolean timedOut = String.valueOf(notYet.getMessage()).startsWith("timed out");
        if (!timedOut || Instant.now().isAfter(deadline)) {
          throw notYet; // a gap in the output, or no output in time
        }
        Terminal.Connection connection = t.connection();
        if (connection.closed.isDone()) {
          Terminal.Closed closed = connection.closed.join();
          assertTrue(
              Set.of(4007, 1001, 1006, 1011).contains(closed.code()),
              "closed with a code that ends the page: " + closed);
          t.reconnect();
        }
      }
    }
  }

  /**
   * Sessions admitted while quiet all stream at once, more than half the heap's worth of logs: the
   * logs give up their oldest chunks instead of growing past their share, and the node stays up.
   */
  @Test
  void quietSessionsThatAllStreamAtOnceNeverRunTheNodeOutOfMemory() throws Exception {
    List<Terminal> quiet = new ArrayList<>();
    for (int i = 0; i < 56; i++) { // 56 full logs would take 224 MiB, the share is 128 MiB
      quiet.add(Terminal.open(ALICE));
    }
    for (Terminal t : quiet) {
      t.type(FILL_LOG);
    }
    Instant deadline = Instant.now().plusSeconds(180);
    for (Terminal t : quiet) {
      awaitAsAPageWould(t, "log-filled", deadline);
    }
    for (Terminal t : quiet) {
      t.exitShell();
    }
    ServerProcess.awaitNoDescendants(Duration.ofSeconds(20));
    assertFalse(ServerLog.read().contains("OutOfMemoryError"), "the server ran out of memory");
  }
}
