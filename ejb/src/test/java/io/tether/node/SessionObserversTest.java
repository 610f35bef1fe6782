package io.tether.node;

import static io.tether.node.TestNode.newSession;
import static io.tether.node.TestNode.resume;
import static io.tether.node.TestNode.ticket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.protocol.CloseCode;
import io.tether.protocol.ProtocolException;
import io.tether.session.Attachment;
import io.tether.session.RecordingChannel;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.ticket.Ticket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An administrator observing sessions of one node under each policy, with real shells. */
class SessionObserversTest {
  private final TestNode node = new TestNode();

  @AfterEach
  void stopNode() {
    node.close();
  }

  /** Alice's session, with her tab attached, on a node whose observe policy is consent. */
  private Attachment consentingAlice(RecordingChannel tab) throws Exception {
    node.settings.consent = true;
    node.observers.configure();
    return node.launcher.open(ticket("alice", "user"), newSession("c1"), tab);
  }

  private static String requestId(RecordingChannel tab) {
    String ask =
        tab.texts().stream()
            .filter(t -> t.contains("\"type\":\"observe-request\""))
            .reduce((first, second) -> second)
            .orElseThrow(() -> new AssertionError("no observe-request in " + tab.texts()));
    return ask.replaceAll(".*\"requestId\":\"([^\"]+)\".*", "$1");
  }

  @Test
  void underConsentAnObserverSeesNothingUntilTheUserAccepts() throws Exception {
    RecordingChannel aliceTab = new RecordingChannel();
    Attachment alice = consentingAlice(aliceTab);
    TerminalSession session = node.sessions.all().iterator().next();
    RecordingChannel adminTab = new RecordingChannel();

    CompletableFuture<Attachment> watching =
        node.observers.observe(
            ticket("root", "user", "admin"), resume(session.id(), "a1", true), adminTab);

    assertFalse(watching.isDone());
    assertEquals(1, adminTab.texts().size(), adminTab.texts().toString());
    assertTrue(adminTab.texts().get(0).contains("\"type\":\"awaiting-consent\""));
    assertTrue(adminTab.texts().get(0).contains("\"user\":\"alice\""));
    assertEquals(0, adminTab.binaryFrames(), "no output before consent");
    assertEquals(0, session.observers());
    String request = requestId(aliceTab);
    assertTrue(aliceTab.texts().stream().anyMatch(t -> t.contains("\"admin\":\"root\"")));

    alice.answerObserveRequest("r-not-a-request", true); // names nothing waiting here
    assertFalse(watching.isDone());
    alice.answerObserveRequest(request, true);

    Attachment observer = watching.get(5, TimeUnit.SECONDS);
    assertTrue(observer.observer());
    assertTrue(adminTab.texts().get(1).contains("\"type\":\"attached\""));
    assertEquals(1, session.observers());
    assertTrue(aliceTab.texts().stream().anyMatch(t -> t.contains("\"outcome\":\"accepted\"")));
    assertTrue(aliceTab.texts().stream().anyMatch(t -> t.contains("\"kind\":\"observed\"")));
  }

  @Test
  void underConsentADeclineOrNoAnswerRefusesTheObserverAndNoObserverCanAnswer() throws Exception {
    RecordingChannel aliceTab = new RecordingChannel();
    Attachment alice = consentingAlice(aliceTab);
    TerminalSession session = node.sessions.all().iterator().next();
    Ticket root = ticket("root", "user", "admin");

    CompletableFuture<Attachment> declined =
        node.observers.observe(root, resume(session.id(), "a1", true), new RecordingChannel());
    alice.answerObserveRequest(requestId(aliceTab), false);
    ExecutionException refusal =
        assertThrows(ExecutionException.class, () -> declined.get(5, TimeUnit.SECONDS));
    ProtocolException refused = (ProtocolException) refusal.getCause();
    assertEquals(CloseCode.OBSERVE_REFUSED, refused.closeCode());
    assertTrue(refused.getMessage().contains("alice declined"), refused.getMessage());

    CompletableFuture<Attachment> accepted =
        node.observers.observe(root, resume(session.id(), "a2", true), new RecordingChannel());
    alice.answerObserveRequest(requestId(aliceTab), true);
    Attachment observer = accepted.get(5, TimeUnit.SECONDS);
    CompletableFuture<Attachment> unanswered =
        node.observers.observe(
            ticket("eve", "user", "admin"),
            resume(session.id(), "a3", true),
            new RecordingChannel());
    String third = requestId(aliceTab);
    // An observer cannot answer for the user: refused with 4016, and the request still waits.
    ProtocolException forged =
        assertThrows(ProtocolException.class, () -> observer.answerObserveRequest(third, true));
    assertEquals(CloseCode.READ_ONLY, forged.closeCode());
    assertFalse(unanswered.isDone());

    session.observeRequests().expire(System.nanoTime() + 31_000_000_000L, session.attachments());
    ExecutionException late =
        assertThrows(ExecutionException.class, () -> unanswered.get(5, TimeUnit.SECONDS));
    assertEquals(CloseCode.OBSERVE_REFUSED, ((ProtocolException) late.getCause()).closeCode());
    assertTrue(late.getCause().getMessage().contains("did not answer within 30 s"));
    assertTrue(aliceTab.texts().stream().anyMatch(t -> t.contains("\"outcome\":\"expired\"")));
    assertEquals(1, session.observers());
  }

  @Test
  void anObserverWaitingWhenTheSessionEndsIsToldItsEnd() throws Exception {
    consentingAlice(new RecordingChannel());
    TerminalSession session = node.sessions.all().iterator().next();
    CompletableFuture<Attachment> watching =
        node.observers.observe(
            ticket("root", "user", "admin"),
            resume(session.id(), "a1", true),
            new RecordingChannel());

    session.end(SessionEnd.of(CloseCode.KILLED_BY_ADMIN, null));

    ExecutionException ended =
        assertThrows(ExecutionException.class, () -> watching.get(5, TimeUnit.SECONDS));
    assertEquals(CloseCode.KILLED_BY_ADMIN, ((ProtocolException) ended.getCause()).closeCode());
  }

  @Test
  void anObserverThatLeavesWhileWaitingWithdrawsItsRequest() throws Exception {
    RecordingChannel aliceTab = new RecordingChannel();
    Attachment alice = consentingAlice(aliceTab);
    TerminalSession session = node.sessions.all().iterator().next();
    CompletableFuture<Attachment> watching =
        node.observers.observe(
            ticket("root", "user", "admin"),
            resume(session.id(), "a1", true),
            new RecordingChannel());
    String request = requestId(aliceTab);

    watching.cancel(false); // its connection closed

    assertTrue(aliceTab.texts().stream().anyMatch(t -> t.contains("\"outcome\":\"withdrawn\"")));
    assertEquals(0, session.observeRequests().waiting());
    alice.answerObserveRequest(request, true); // too late: nothing to accept
    assertEquals(0, session.observers());
  }
}
