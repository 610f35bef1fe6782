package io.tether.node;

import static io.tether.node.TestNode.newSession;
import static io.tether.node.TestNode.resume;
import static io.tether.node.TestNode.ticket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.protocol.CloseCode;
import io.tether.protocol.OffsetFrame;
import io.tether.protocol.ProtocolException;
import io.tether.registry.SessionRecord;
import io.tether.session.Attachment;
import io.tether.session.RecordingChannel;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.session.TestSessions;
import io.tether.ticket.Ticket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Opening and resuming sessions on one node, with real shells and the in-memory registry. */
class SessionLauncherTest {
  private final TestNode node = new TestNode();

  @AfterEach
  void stopNode() {
    node.close();
  }

  @Test
  void aNewSessionIsLiveRecordedAnnouncedAndAttached() throws Exception {
    RecordingChannel channel = new RecordingChannel();
    Attachment attachment = node.launcher.open(ticket("alice", "user"), newSession("c1"), channel);

    TerminalSession session = node.sessions.all().iterator().next();
    SessionRecord record = node.registry.find(session.id()).orElseThrow();
    assertEquals("alice", record.owner());
    assertEquals("node1", record.node());
    assertEquals(1, record.attachedClients());
    assertEquals("c1", attachment.clientId());
    assertTrue(channel.texts().get(0).contains("\"type\":\"attached\""), channel.texts().get(0));
    // And "updated" once the shell's first output names it in the record: before or after
    // "attached", as fast as the shell starts.
    assertEquals(
        java.util.List.of("opened", "attached"),
        node.eventTypes().stream().filter(type -> !type.equals("updated")).toList().subList(0, 2));
    assertTrue(session.anyProcessAlive(), "its shell runs");
  }

  @Test
  void theUsersLimitRefusesOneMoreAndStartsNothing() throws Exception {
    node.launcher.open(ticket("alice", "user"), newSession("c1"), new RecordingChannel());
    node.launcher.open(ticket("alice", "user"), newSession("c2"), new RecordingChannel());

    assertEquals(CloseCode.LIMIT_REACHED, openRefused(ticket("alice", "user"), "c3"));
    assertEquals(2, node.sessions.all().size());
    assertEquals(2, node.registry.countOwnedBy("alice"));
    // Another user's limit is their own; an admin's is higher.
    node.launcher.open(ticket("bob", "user"), newSession("c4"), new RecordingChannel());
    assertEquals(3, node.sessions.all().size());
  }

  /**
   * The application begins to stop: what else is to be done then (the spares go) runs first, while
   * the node's sessions are still live and its beans still answer; then every session ends with
   * {@code 4014}, and no new one starts.
   */
  @Test
  void aStoppingNodeRunsWhatElseFirstThenEndsEverySessionAndStartsNone() throws Exception {
    RecordingChannel channel = new RecordingChannel();
    node.launcher.open(ticket("alice", "user"), newSession("c1"), channel);
    List<Integer> liveWhenTold = new ArrayList<>();
    node.sessions.whenStopping(() -> liveWhenTold.add(node.sessions.all().size()));

    node.sessions.stopping();

    assertEquals(List.of(1), liveWhenTold, "told once, before any session ended");
    assertTrue(node.sessions.isStopping());
    assertEquals(CloseCode.NODE_STOPPING, openRefused(ticket("bob", "user"), "c2"));
  }

  @Test
  void aDrainingNodeStartsNoSessionAndExpectsNoneForTheRefusedTicket() {
    node.administration.drain("admin");
    Ticket ticket = ticket("alice", "user");
    node.starter.expect(ticket); // issued here
    assertTrue(node.starter.mayStartASession("alice"));

    assertEquals(CloseCode.NODE_DRAINING, openRefused(ticket, "c1"));
    assertTrue(node.sessions.all().isEmpty());
    assertTrue(node.registry.ownedBy("node1").isEmpty());
    // Its user's sandbox made ahead is no longer kept for it.
    assertFalse(node.starter.mayStartASession("alice"));
  }

  @Test
  void onlyTheOwnerResumesAndOnlyAnAdminObserves() throws Exception {
    node.launcher.open(ticket("alice", "user"), newSession("c1"), new RecordingChannel());
    String id = node.sessions.all().iterator().next().id();

    ProtocolException foreign =
        assertThrows(
            ProtocolException.class,
            () ->
                node.launcher.resume(
                    ticket("bob", "user"), resume(id, "b1", false), new RecordingChannel()));
    assertEquals(CloseCode.NOT_YOUR_SESSION, foreign.closeCode());
    ProtocolException peeking =
        assertThrows(
            ProtocolException.class,
            () ->
                node.launcher.resume(
                    ticket("bob", "user"), resume(id, "b1", true), new RecordingChannel()));
    assertEquals(CloseCode.NOT_YOUR_SESSION, peeking.closeCode());
    assertEquals(1, node.sessions.find(id).orElseThrow().attachedClients());

    Attachment watching =
        node.launcher.resume(
            ticket("root", "user", "admin"), resume(id, "a1", true), new RecordingChannel());
    assertTrue(watching.observer());
    Attachment again =
        node.launcher.resume(
            ticket("alice", "user"), resume(id, "c2", false), new RecordingChannel());
    assertFalse(again.observer());
    assertEquals(2, node.sessions.find(id).orElseThrow().attachedClients());
  }

  @Test
  void anEndedSessionSaysWhyAndAnUnknownOneThatItIsGone() throws Exception {
    node.launcher.open(ticket("alice", "user"), newSession("c1"), new RecordingChannel());
    TerminalSession session = node.sessions.all().iterator().next();
    session.end(SessionEnd.of(CloseCode.KILLED_BY_ADMIN, null));

    ProtocolException ended =
        assertThrows(
            ProtocolException.class,
            () ->
                node.launcher.resume(
                    ticket("alice", "user"),
                    resume(session.id(), "c1", false),
                    new RecordingChannel()));
    assertEquals(CloseCode.KILLED_BY_ADMIN, ended.closeCode());
    ProtocolException unknown =
        assertThrows(
            ProtocolException.class,
            () ->
                node.launcher.resume(
                    ticket("alice", "user"), resume("nope", "c1", false), new RecordingChannel()));
    assertEquals(CloseCode.NO_SUCH_SESSION, unknown.closeCode());
  }

  /**
   * A running session has one thread of its own, its output reader: nothing else waits for its
   * shell (one thread waits for every shell's exit). What follows the exit gets a thread once the
   * shell has exited, and the session still ends with the shell's code.
   */
  @Test
  void aRunningSessionHasOnlyItsReaderThreadAndItsShellsExitStillEndsIt() throws Exception {
    List<Thread> made = new CopyOnWriteArrayList<>();
    node.starter.threads =
        task -> {
          Thread thread = new Thread(task);
          made.add(thread);
          return thread;
        };
    Attachment client =
        node.launcher.open(ticket("alice", "user"), newSession("c1"), new RecordingChannel());
    TerminalSession session = node.sessions.all().iterator().next();
    assertEquals(
        List.of("tether-pty-" + session.id()), made.stream().map(Thread::getName).toList());

    byte[] exit = "exit 3\r".getBytes(StandardCharsets.UTF_8);
    client.input(new OffsetFrame(0, ByteBuffer.wrap(exit)));
    Instant deadline = Instant.now().plusSeconds(20);
    while (session.ended() == null) {
      assertTrue(Instant.now().isBefore(deadline), "the session did not end");
      Thread.sleep(20); // no event to wait on from here: the session's end is polled
    }
    assertEquals(Integer.valueOf(3), session.ended().exitCode());
    assertEquals(
        List.of("tether-pty-" + session.id(), "tether-exit-" + session.id()),
        made.stream().map(Thread::getName).toList());
  }

  /**
   * Cut off in a minority, a node keeps its sessions and tells an ended one's end, but starts
   * nothing and answers "come back" ({@code 4021}) for a session it cannot see, never "gone".
   */
  @Test
  void aNodeInAMinorityKeepsItsSessionsButStartsNoneAndSendsClientsBack() throws Exception {
    node.launcher.open(ticket("alice", "user"), newSession("c1"), new RecordingChannel());
    TerminalSession kept = node.sessions.all().iterator().next();
    node.launcher.open(ticket("alice", "user"), newSession("c2"), new RecordingChannel());
    TerminalSession ended =
        node.sessions.all().stream().filter(s -> s != kept).findFirst().orElseThrow();
    ended.end(SessionEnd.of(CloseCode.KILLED_BY_ADMIN, null));
    node.majority = false;

    assertEquals(
        CloseCode.CUT_OFF,
        assertThrows(
                ProtocolException.class,
                () ->
                    node.launcher.open(
                        ticket("alice", "user"), newSession("c3"), new RecordingChannel()))
            .closeCode());
    assertEquals(
        CloseCode.CUT_OFF,
        assertThrows(
                ProtocolException.class,
                () ->
                    node.launcher.resume(
                        ticket("alice", "user"),
                        resume("elsewhere", "c4", false),
                        new RecordingChannel()))
            .closeCode());
    assertEquals(
        CloseCode.KILLED_BY_ADMIN,
        assertThrows(
                ProtocolException.class,
                () ->
                    node.launcher.resume(
                        ticket("alice", "user"),
                        resume(ended.id(), "c5", false),
                        new RecordingChannel()))
            .closeCode());
    node.launcher.resume(
        ticket("alice", "user"), resume(kept.id(), "c6", false), new RecordingChannel());
    assertEquals(2, kept.attachedClients(), "its own sessions go on, and take clients");
    assertNull(kept.ended());
  }

  @Test
  void aSessionOfAnotherNodeIsRelayedOnlyForItsOwner() throws Exception {
    Instant now = Instant.now();
    node.registry.register(
        new SessionRecord(
            "elsewhere", "alice", "node2", now, now, 0, 0, 80, 24, now, 0, "bash", 0));

    assertEquals(
        "node2",
        node.launcher.remoteOwner("elsewhere", ticket("alice", "user"), false).orElseThrow());
    ProtocolException foreign =
        assertThrows(
            ProtocolException.class,
            () -> node.launcher.remoteOwner("elsewhere", ticket("bob", "user"), false));
    assertEquals(CloseCode.NOT_YOUR_SESSION, foreign.closeCode());
    assertTrue(node.launcher.remoteOwner("unknown", ticket("alice", "user"), false).isEmpty());
  }

  /**
   * Has the session's shell print more than its log keeps, its client leaving (so that nobody holds
   * the output back), and waits until the log is full.
   */
  private static void fillLog(Attachment client, TerminalSession session, int logBytes)
      throws Exception {
    byte[] command =
        ("head -c " + (logBytes + 4096) + " /dev/zero | tr '\\0' x\r")
            .getBytes(StandardCharsets.US_ASCII);
    client.input(new OffsetFrame(0, ByteBuffer.wrap(command)));
    client.lost();
    Instant deadline = Instant.now().plusSeconds(20);
    while (session.logHeldBytes() < logBytes) {
      assertTrue(
          Instant.now().isBefore(deadline),
          "the shell never filled its log: " + session.head() + " " + session.logHeldBytes());
      Thread.onSpinWait();
    }
  }

  @Test
  void aNodeWithNoRoomRefusesWithARetryableCodeAndStartsNoShell() throws Exception {
    int logBytes = node.settings.logBytes();
    node.starter.admission = new Admission(4L * logBytes, () -> 0, () -> {});
    Attachment alice =
        node.launcher.open(ticket("alice", "user"), newSession("c1"), new RecordingChannel());
    Attachment bob =
        node.launcher.open(ticket("bob", "user"), newSession("c2"), new RecordingChannel());
    // Logs hold what their output needs: two quiet sessions leave room for a third ...
    assertTrue(node.starter.admission.refusal(node.sessions.all(), logBytes).isEmpty());
    // ... two with full logs do not.
    for (TerminalSession session : node.sessions.all()) {
      fillLog(session.owner().equals("alice") ? alice : bob, session, logBytes);
    }

    ProtocolException refused =
        assertThrows(
            ProtocolException.class,
            () ->
                node.launcher.open(
                    ticket("carol", "user"), newSession("c3"), new RecordingChannel()));

    assertEquals(CloseCode.NODE_FULL, refused.closeCode());
    assertEquals(2, node.sessions.all().size());
    assertEquals(0, node.registry.countOwnedBy("carol"));
  }

  /** How the node refuses a new session of {@code ticket}'s user, from {@code client}. */
  private CloseCode openRefused(Ticket ticket, String client) {
    return assertThrows(
            ProtocolException.class,
            () -> node.launcher.open(ticket, newSession(client), new RecordingChannel()))
        .closeCode();
  }

  /**
   * A member that froze holds a record's partition for seconds. A client's attach (the hello's
   * thread, before it hears {@code attached}) and a lost connection (the transport's I/O thread,
   * where a send failed) must not wait for it: the record and the events follow, in order, once the
   * registry answers again.
   */
  @Test
  void aFrozenRegistryHoldsUpNeitherAnAttachNorALostConnection() throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    TestNode frozen = new TestNode(TestSessions.BASH.command(), TestNode.workers(threads));
    try {
      frozen.launcher.open(ticket("alice", "user"), newSession("c1"), new RecordingChannel());
      TerminalSession session = frozen.sessions.all().iterator().next();
      awaitEvent(frozen, "attached", "c1");

      frozen.registry.freeze();
      RecordingChannel reload = new RecordingChannel();
      Attachment second =
          threads
              .submit(
                  () ->
                      frozen.launcher.resume(
                          ticket("alice", "user"), resume(session.id(), "c2", false), reload))
              .get(10, TimeUnit.SECONDS); // times out if the attach waits for the registry
      assertTrue(reload.texts().get(0).contains("\"type\":\"attached\""), reload.texts().get(0));
      threads.submit(() -> second.lost(true)).get(10, TimeUnit.SECONDS);
      assertEquals(1, session.attachedClients());
      assertTrue(
          frozen.events.stream().noneMatch(e -> e.detail() != null && e.detail().startsWith("c2")),
          "nothing of c2 can be announced while its record cannot be written: "
              + frozen.eventTypes());

      frozen.registry.thaw();
      awaitEvent(frozen, "detached", "c2");
      List<String> c2 =
          frozen.events.stream()
              .filter(e -> e.detail() != null && e.detail().startsWith("c2"))
              .map(e -> e.type())
              .toList();
      assertEquals(List.of("attached", "detached"), c2, "in the order they came");
      assertEquals(1, frozen.registry.find(session.id()).orElseThrow().attachedClients());
    } finally {
      frozen.registry.thaw(); // also when the test failed: the node's stop writes records
      frozen.close();
      threads.shutdownNow();
    }
  }

  /**
   * The console's rows are refreshed from each session's activity, a registry write that waits for
   * a member that froze. The node's scheduler (heartbeats, the kill after a hang-up's grace, the
   * hello's deadline) must not wait with it.
   */
  @Test
  void refreshesWaitingForAFrozenRegistryHoldUpNothingOnTheScheduler() throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    TestNode frozen = new TestNode(TestSessions.BASH.command(), TestNode.workers(threads));
    try {
      Attachment client =
          frozen.launcher.open(ticket("alice", "user"), newSession("c1"), new RecordingChannel());
      TerminalSession session = frozen.sessions.all().iterator().next();
      awaitEvent(frozen, "attached", "c1");

      frozen.registry.freeze();
      Instant deadline = Instant.now().plusSeconds(20);
      // Typing until the activity's refresh asks the registry: a session's activity counts from
      // its first look by the announcements, within a second of its start.
      for (long typed = 0; frozen.registry.waiting.get() == 0; typed++) {
        assertTrue(Instant.now().isBefore(deadline), "nothing asked the registry");
        client.input(new OffsetFrame(typed, ByteBuffer.wrap(new byte[] {'x'})));
        Thread.sleep(100); // the next keystroke
      }
      frozen.scheduler.submit(() -> {}).get(10, TimeUnit.SECONDS); // times out if it waits

      frozen.registry.thaw();
      while (!frozen
          .registry
          .find(session.id())
          .orElseThrow()
          .lastActivity()
          .equals(session.lastActivity())) {
        assertTrue(Instant.now().isBefore(deadline), "the typing never reached the record");
        Thread.sleep(20); // polling the record, which the next refresh rewrites
      }
    } finally {
      frozen.registry.thaw();
      frozen.close();
      threads.shutdownNow();
    }
  }

  private static void awaitEvent(TestNode node, String type, String client) throws Exception {
    Instant deadline = Instant.now().plusSeconds(20);
    while (node.events.stream()
        .noneMatch(
            e -> e.type().equals(type) && e.detail() != null && e.detail().startsWith(client))) {
      assertTrue(Instant.now().isBefore(deadline), "no " + type + " of " + client);
      Thread.sleep(20); // the events are a list the node appends to: polled
    }
  }
}
