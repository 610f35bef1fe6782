package io.tether.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.OffsetFrame;
import io.tether.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class AttachmentTest {
  private final QuietShell shell = new QuietShell();
  private final List<String> events = new ArrayList<>();

  private TerminalSession session(int logBytes, long window) {
    return TestSessions.session(
        "s1",
        shell,
        new TerminalSession.Settings(logBytes, window, 10_000, 16, false, 0),
        new TerminalSession.Listener() {
          @Override
          public void attached(TerminalSession s, Attachment a) {
            events.add("attached " + a.clientId());
          }

          @Override
          public void detached(TerminalSession s, Attachment a, String why) {
            events.add("detached " + a.clientId() + " " + why);
          }

          @Override
          public void ended(TerminalSession s, SessionEnd end) {
            events.add("ended " + end.code().label());
          }
        });
  }

  private static ClientMessage.Hello hello(String client, long resumeOffset, long inputOffset) {
    return new ClientMessage.Hello("t", "s1", resumeOffset, client, inputOffset, 100, 30, false);
  }

  private static void write(TerminalSession session, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    session.log().append(bytes, 0, bytes.length);
    session.attachments().forEach(Attachment::pump);
  }

  /**
   * A connection that is gone before its attached answer leaves: the failed first send ends the
   * attachment, and the session does not keep it as a client that can never be closed.
   */
  @Test
  void aConnectionWhoseFirstSendFailsIsNotLeftAttached() throws Exception {
    TerminalSession session = session(1024, 1024);
    ClientChannel gone = new ClientChannel() { // reset by the peer: every send fails at once
          @Override
          public void sendBinary(ByteBuffer frame, Consumer<Throwable> done) {
            done.accept(new IOException("connection reset"));
          }

          @Override
          public void sendText(String text, Consumer<Throwable> done) {
            done.accept(new IOException("connection reset"));
          }

          @Override
          public void sendPing(Consumer<Throwable> done) {
            done.accept(new IOException("connection reset"));
          }

          @Override
          public void close(int code, String reason) {}

          @Override
          public String describe() {
            return "reset";
          }
        };

    session.attach(gone, hello("c1", 0, 0));

    assertEquals(0, session.attachedClients());
    assertEquals(List.of("attached c1", "detached c1 connection lost"), events);
  }

  @Test
  void attachedComesFirstThenTheReplayFromTheResumeOffset() throws Exception {
    TerminalSession session = session(1024, 1024);
    write(session, "0123456789");
    RecordingChannel channel = new RecordingChannel();
    session.attach(channel, hello("c1", 4, 0));
    assertTrue(channel.texts().get(0).contains("\"replayFrom\":4"));
    assertTrue(channel.texts().get(0).contains("\"dropped\":0"));
    assertEquals("456789", channel.output(4));
    write(session, "ab");
    assertEquals("456789ab", channel.output(4));
    assertEquals(100, shell.cols);
  }

  @Test
  void aResumePointTheLogNoLongerHoldsIsReportedAsDropped() throws Exception {
    TerminalSession session = session(8, 1024);
    write(session, "0123456789abcdef");
    RecordingChannel channel = new RecordingChannel();
    session.attach(channel, hello("c1", 3, 0));
    assertTrue(channel.texts().get(0).contains("\"replayFrom\":8"));
    assertTrue(channel.texts().get(0).contains("\"dropped\":5"));
    assertEquals("89abcdef", channel.output(8));
  }

  @Test
  void aResumePointBeyondTheHeadIsRefused() {
    TerminalSession session = session(8, 1024);
    write(session, "abc");
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> session.attach(new RecordingChannel(), hello("c", 4, 0)));
    assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode());
    assertEquals(0, session.attachedClients());
  }

  @Test
  void neverSendsBeyondTheWindowUntilAcknowledged() throws Exception {
    TerminalSession session = session(1024, 4);
    RecordingChannel channel = new RecordingChannel();
    Attachment client = session.attach(channel, hello("c1", 0, 0));
    write(session, "abcdefghij");
    assertEquals("abcd", channel.output(0));
    client.acknowledge(2);
    assertEquals("abcdef", channel.output(0));
    client.acknowledge(6);
    assertEquals("abcdefghij", channel.output(0));
  }

  @Test
  void aStaleAckIsIgnoredAndAnAckBeyondWhatWasSentIsRefused() throws Exception {
    TerminalSession session = session(1024, 1024);
    RecordingChannel channel = new RecordingChannel();
    Attachment client = session.attach(channel, hello("c1", 0, 0));
    write(session, "abc");
    client.acknowledge(3);
    client.acknowledge(1);
    ProtocolException e = assertThrows(ProtocolException.class, () -> client.acknowledge(4));
    assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode());
  }

  @Test
  void aClientLeftBehindByTheLogIsResyncedAndTheShellNeverWaits() throws Exception {
    TerminalSession session = session(8, 4);
    RecordingChannel channel = new RecordingChannel();
    Attachment client = session.attach(channel, hello("c1", 0, 0));
    write(session, "abcd");
    write(session, "efghijklmnopqrst"); // 20 bytes into an 8-byte log; client stalled at 4
    // The log overwrote the client's next byte: told at once, it goes on from the oldest held.
    List<String> texts = channel.texts();
    assertEquals("{\"type\":\"resync\",\"dropped\":8,\"from\":12}", texts.get(texts.size() - 1));
    // Nothing more until the client says it took the resync in: its window is still the one it
    // never acknowledged.
    assertEquals("", outputAfter(channel, "resync"));
    client.acknowledge(12);
    client.acknowledge(16);
    assertEquals("abcd", outputBefore(channel, "resync"));
    assertEquals("mnopqrst", outputAfter(channel, "resync"));
  }

  @Test
  void aClientThatNeverAcknowledgesGetsOneWindowWhateverTheResyncs() throws Exception {
    TerminalSession session = session(64, 16);
    RecordingChannel channel = new RecordingChannel();
    session.attach(channel, hello("c1", 0, 0));
    for (int i = 0; i < 1000; i++) {
      write(session, "0123456789abcdefghijklmnopqrstuvwxyz");
    }
    long resyncs = channel.texts().stream().filter(t -> t.contains("\"resync\"")).count();
    int received = outputBefore(channel, "no such marker").length();
    assertTrue(resyncs >= 1, "it was told it fell behind");
    assertEquals(16, received, "one window in all, through " + resyncs + " resyncs");
  }

  private static String outputBefore(RecordingChannel channel, String marker) {
    return output(channel, marker, false);
  }

  private static String outputAfter(RecordingChannel channel, String marker) {
    return output(channel, marker, true);
  }

  private static String output(RecordingChannel channel, String marker, boolean after) {
    StringBuilder out = new StringBuilder();
    boolean seen = false;
    for (Object o : channel.sent) {
      if (o instanceof String s && s.contains(marker)) {
        seen = true;
      } else if (seen == after && o instanceof ByteBuffer frame) {
        for (int i = 8; i < frame.limit(); i++) {
          out.append((char) frame.get(i));
        }
      }
    }
    return out.toString();
  }

  @Test
  void oneSendAtATimeWhenTheNetworkIsSlow() throws Exception {
    TerminalSession session = session(1 << 20, 1 << 20);
    RecordingChannel channel = new RecordingChannel();
    channel.completeAtOnce = false;
    session.attach(channel, hello("c1", 0, 0));
    write(session, "x".repeat(200_000));
    session.notice("broadcast", "hi", -1);
    // RecordingChannel fails on any concurrent send; drain everything one completion at a time.
    while (!channel.pending.isEmpty()) {
      channel.completeOne();
    }
    assertEquals(200_000, channel.output(0).length());
    assertTrue(channel.texts().stream().anyMatch(t -> t.contains("broadcast")));
  }

  @Test
  void theShellsExitComesOnceTheLastOutputIsAcknowledgedThenTheClose() throws Exception {
    TerminalSession session = session(1024, 2);
    RecordingChannel channel = new RecordingChannel();
    Attachment client = session.attach(channel, hello("c1", 0, 0));
    write(session, "bye!");
    session.end(SessionEnd.exited(3));
    assertNull(channel.closedWith, "waits for the output to be acknowledged");
    client.acknowledge(2);
    assertEquals("bye!", channel.output(0));
    assertTrue(channel.texts().stream().noneMatch(t -> t.contains("exit")), "2 bytes unacked");
    assertNull(channel.closedWith, "the client may still be acknowledging: no close yet");
    client.acknowledge(4);
    List<String> texts = channel.texts();
    assertEquals("{\"type\":\"exit\",\"code\":3}", texts.get(texts.size() - 1));
    assertEquals(CloseCode.SHELL_EXITED, channel.closedWith);
    assertEquals("The shell exited with code 3.", channel.closeReason);
    assertTrue(shell.hungUp);
    assertEquals(List.of("attached c1", "ended shell-exited", "detached c1 shell-exited"), events);
  }

  @Test
  void aClientThatStoppedReadingIsClosedAfterTheShellsExitToo() throws Exception {
    TerminalSession session = session(1024, 2);
    RecordingChannel channel = new RecordingChannel();
    session.attach(channel, hello("c1", 0, 0));
    write(session, "bye!");
    session.end(SessionEnd.exited(3));
    assertNull(channel.closedWith, "never acknowledges: the rest and exit stay unsent");

    session.closeLingeringClients();

    assertEquals(CloseCode.SHELL_EXITED, channel.closedWith);
    assertEquals("The shell exited with code 3.", channel.closeReason);
    assertEquals(0, session.attachedClients());
    assertEquals(List.of("attached c1", "ended shell-exited", "detached c1 shell-exited"), events);
  }

  @Test
  void aNewConnectionOfTheSameClientReplacesTheOldOne() throws Exception {
    TerminalSession session = session(1024, 1024);
    RecordingChannel old = new RecordingChannel();
    session.attach(old, hello("c1", 0, 0));
    RecordingChannel fresh = new RecordingChannel();
    session.attach(fresh, hello("c1", 0, 0));
    assertEquals(CloseCode.REPLACED, old.closedWith);
    assertNull(fresh.closedWith);
    assertEquals(1, session.attachedClients());
  }

  @Test
  void inputIsAppliedOnceAcrossReconnectsAndReportedInAttached() throws Exception {
    TerminalSession session = session(1024, 1024);
    Attachment first = session.attach(new RecordingChannel(), hello("c1", 0, 0));
    first.input(new OffsetFrame(0, ByteBuffer.wrap("ls\r".getBytes())));
    first.lost();
    RecordingChannel again = new RecordingChannel();
    Attachment second = session.attach(again, hello("c1", 0, 3));
    assertTrue(again.texts().get(0).contains("\"inputAcked\":3"));
    // The client resends what it could not know was applied, plus one new key.
    second.input(new OffsetFrame(0, ByteBuffer.wrap("ls\rx".getBytes())));
    assertEquals("ls\rx", shell.input.toString());
  }

  private static ClientMessage.Hello observe(String client) {
    return new ClientMessage.Hello("t", "s1", 0, client, 0, 200, 60, true);
  }

  @Test
  void anObserverSeesTheOutputButCannotTypeOrResize() throws Exception {
    TerminalSession session = session(1024, 1024);
    Attachment user = session.attach(new RecordingChannel(), hello("c1", 0, 0));
    write(session, "top secret");
    RecordingChannel watching = new RecordingChannel();
    Attachment observer = session.attach(watching, observe("admin-1"));

    assertTrue(watching.texts().get(0).contains("\"observer\":true"), watching.texts().get(0));
    assertEquals("top secret", watching.output(0));
    assertTrue(watching.texts().get(0).contains("\"cols\":100,\"rows\":30"), "the user's size");
    assertEquals(100, shell.cols, "an observer's hello does not resize the user's terminal");
    assertEquals(1, session.attachedClients());
    assertEquals(1, session.observers());

    ProtocolException typed =
        assertThrows(
            ProtocolException.class,
            () -> observer.input(new OffsetFrame(0, ByteBuffer.wrap("rm -rf ~\r".getBytes()))));
    assertEquals(CloseCode.READ_ONLY, typed.closeCode());
    ProtocolException resized = assertThrows(ProtocolException.class, () -> observer.resize(10, 5));
    assertEquals(CloseCode.READ_ONLY, resized.closeCode());
    assertEquals("", shell.input.toString());
    assertEquals(100, shell.cols);

    user.input(new OffsetFrame(0, ByteBuffer.wrap("ls\r".getBytes())));
    assertEquals("ls\r", shell.input.toString());

    // The user resizes: the observer is told, so it shows the screen at the user's size.
    user.resize(132, 43);
    assertTrue(watching.texts().contains("{\"type\":\"size\",\"cols\":132,\"rows\":43}"));
  }

  @Test
  void anObserverDoesNotKeepASessionAttached() throws Exception {
    TerminalSession session = session(1024, 1024);
    Attachment user = session.attach(new RecordingChannel(), hello("c1", 0, 0));
    session.attach(new RecordingChannel(), observe("admin-1"));
    assertNull(session.idleFacts().detachedSince());

    user.lost();

    assertEquals(0, session.attachedClients());
    assertEquals(1, session.observers());
    assertTrue(session.idleFacts().detachedSince() != null, "the detached clock runs");
  }

  @Test
  void aSilentClientIsClosedAfterThreeIntervals() throws Exception {
    TerminalSession session = session(1024, 1024);
    RecordingChannel channel = new RecordingChannel();
    Attachment client = session.attach(channel, hello("c1", 0, 0));
    client.heartbeat(Duration.ofHours(1));
    assertTrue(channel.texts().stream().anyMatch(t -> t.contains("\"type\":\"heartbeat\"")));
    assertTrue(channel.sent.contains("<ping>"));
    client.heartbeat(Duration.ZERO);
    assertEquals(CloseCode.HEARTBEAT_TIMEOUT, channel.closedWith);
    assertEquals(0, session.attachedClients());
  }

  @Test
  void anEndForAnotherReasonClosesClientsAtOnceWithItsCode() throws Exception {
    TerminalSession session = session(1024, 1024);
    RecordingChannel channel = new RecordingChannel();
    session.attach(channel, hello("c1", 0, 0));
    session.end(SessionEnd.of(CloseCode.IDLE_TIMEOUT, null));
    assertEquals(CloseCode.IDLE_TIMEOUT, channel.closedWith);
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> session.attach(new RecordingChannel(), hello("c2", 0, 0)));
    assertEquals(CloseCode.IDLE_TIMEOUT, e.closeCode());
  }

  @Test
  void anEndedSessionKeepsOnlyTheOutputItsLingeringClientWasNotSentYet() throws Exception {
    TerminalSession session = session(1024, 4);
    Attachment stalled = session.attach(new RecordingChannel(), hello("c1", 0, 0));
    write(session, "0123456789"); // the client took 4 bytes and stopped acknowledging
    assertEquals(1024, session.log().capacity());

    session.end(SessionEnd.exited(0));

    assertEquals(6, session.log().capacity(), "the 6 bytes it is still owed, nothing more");
    stalled.lost();
    assertEquals(0, session.log().capacity(), "nobody is owed anything");
    assertEquals(0, session.logHeldBytes(), "and its chunks went back");
  }

  @Test
  void aSessionEndedWithoutClientsLetsItsWholeLogGo() {
    TerminalSession session = session(1024, 1024);
    write(session, "some output");
    assertEquals(ChunkPool.CHUNK_BYTES, session.logHeldBytes());
    session.end(SessionEnd.of(CloseCode.KILLED_BY_ADMIN, null));
    assertEquals(0, session.log().capacity());
    assertEquals(0, session.logHeldBytes());
  }

  @Test
  void aClientThatKeepsSendingHeartbeatsButNeverAcknowledgesIsClosed() throws Exception {
    TerminalSession session = session(1024, 1024);
    RecordingChannel channel = new RecordingChannel();
    Attachment client = session.attach(channel, hello("c1", 0, 0));
    write(session, "output it never acknowledges");
    client.heard(); // its heartbeats keep coming
    client.heartbeat(Duration.ofHours(1));
    assertNull(channel.closedWith, "not yet: it has time to acknowledge");

    client.heard();
    client.heartbeat(Duration.ZERO.plusNanos(1));

    assertEquals(CloseCode.HEARTBEAT_TIMEOUT, channel.closedWith);
    assertEquals("This page stopped reading output.", channel.closeReason);
  }

  /**
   * A client that acknowledged everything and then heard nothing for longer than a dead client is
   * given, is not closed as one that stopped reading when new output comes and the tick runs before
   * its ack is back.
   */
  @Test
  void aCaughtUpClientIsNotTakenForOneThatStoppedReadingWhenNewOutputComes() throws Exception {
    TerminalSession session = session(1024, 1024);
    RecordingChannel channel = new RecordingChannel();
    Attachment client = session.attach(channel, hello("c1", 0, 0));
    write(session, "first output");
    client.acknowledge(client.cursor());
    Duration deadAfter = Duration.ofMillis(50);
    long caughtUp = System.nanoTime();
    while (System.nanoTime() - caughtUp <= 2 * deadAfter.toNanos()) {
      Thread.sleep(10); // what is waited for is the time itself: caught up for two dead intervals
    }

    write(session, "new output");
    client.heard();
    client.heartbeat(deadAfter);

    assertNull(channel.closedWith, "its ack of the new output is not due yet");
  }
}
