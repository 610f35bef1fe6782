package io.tether.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.MessageCodec;
import io.tether.protocol.OffsetFrame;
import io.tether.protocol.ProtocolException;
import io.tether.pty.PtyShell;
import io.tether.relay.RelayUnavailableException;
import io.tether.session.Attachment;
import io.tether.session.QuietShell;
import io.tether.session.RecordingChannel;
import io.tether.session.SessionEnd;
import io.tether.session.TerminalSession;
import io.tether.session.TestSessions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * One connection's protocol state: its first frame goes to its hello handler, later frames to the
 * attachment the handler made; anything out of order closes it and changes nothing.
 */
class ClientConnectionTest {
  private final QuietShell shell = new QuietShell();
  private final TerminalSession session = TestSessions.session("s1", shell);
  private final RecordingChannel channel = new RecordingChannel();
  private final List<String> hellos = new ArrayList<>();

  /** A handler that attaches every hello to the test's session, as a browser's hello would. */
  private final ClientConnection connection =
      new ClientConnection(
          channel,
          (text, ch) -> {
            hellos.add(text);
            ClientMessage.Hello hello = (ClientMessage.Hello) MessageCodec.parse(text);
            return new HelloHandler.Attached(session.attach(ch, hello));
          });

  private static final String HELLO =
      "{\"type\":\"hello\",\"ticket\":\"t\",\"sessionId\":\"s1\",\"resumeOffset\":0,"
          + "\"clientId\":\"c1\",\"inputOffset\":0,\"cols\":90,\"rows\":20}";

  private static ByteBuffer input(long offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    return OffsetFrame.encode(offset, bytes, 0, bytes.length);
  }

  @Test
  void theFirstFrameGoesToTheHelloHandlerAndTheRestToTheAttachment() {
    connection.onText(HELLO);
    connection.onBinary(input(0, "ls\r"));
    connection.onText("{\"type\":\"resize\",\"cols\":100,\"rows\":40}");

    assertEquals(List.of(HELLO), hellos);
    assertEquals("ls\r", shell.input.toString());
    assertEquals(100, session.cols());
    assertNull(channel.closedWith());
  }

  /**
   * Input is written on the thread it arrived on only when nothing needs waiting for; anything else
   * is left to onBinary, which writes only what is left and refuses what is to be refused.
   */
  @Test
  void inputIsWrittenAtOnceWhenTheShellTakesItAndLeftForOnBinaryOtherwise() {
    assertFalse(connection.inputNow(input(0, "early\r")), "before the hello: onBinary refuses");
    connection.onText(HELLO);

    assertTrue(connection.inputNow(input(0, "ls\r")));
    assertEquals("ls\r", shell.input.toString());

    shell.room = 2;
    ByteBuffer partly = input(3, "pwd\r");
    assertFalse(connection.inputNow(partly), "the shell took only part of it");
    assertEquals("ls\rpw", shell.input.toString());
    connection.onBinary(partly);
    assertEquals("ls\rpwd\r", shell.input.toString(), "the rest, once");

    ByteBuffer skipping = input(9, "x");
    assertFalse(connection.inputNow(skipping), "a frame that skips bytes");
    assertNull(channel.closedWith());
    connection.onBinary(skipping);
    assertEquals(CloseCode.PROTOCOL_ERROR, channel.closedWith());
    assertEquals("ls\rpwd\r", shell.input.toString());
  }

  @Test
  void anObserverWaitingForConsentIsAttachedWhenItComesAndRefusedOnAnyFrameBefore() {
    CompletableFuture<Attachment> consent = new CompletableFuture<>();
    RecordingChannel admin = new RecordingChannel();
    ClientConnection waiting =
        new ClientConnection(admin, (text, ch) -> new HelloHandler.Awaiting(consent));
    waiting.onText(HELLO);
    // An ack or heartbeat may cross `attached` on its way (sent by the consent's thread): ignored.
    waiting.onText("{\"type\":\"ack\",\"offset\":0}");
    waiting.onText("{\"type\":\"heartbeat\"}");
    assertNull(admin.closedWith());
    assertFalse(consent.isDone());
    // A forged answer (or anything else) from the waiting observer: refused, its request withdrawn.
    waiting.onText("{\"type\":\"observe-answer\",\"requestId\":\"r-1\",\"accept\":true}");

    assertEquals(CloseCode.PROTOCOL_ERROR, admin.closedWith());
    assertTrue(consent.isCancelled());

    CompletableFuture<Attachment> refusal = new CompletableFuture<>();
    RecordingChannel other = new RecordingChannel();
    new ClientConnection(other, (text, ch) -> new HelloHandler.Awaiting(refusal)).onText(HELLO);
    refusal.completeExceptionally(new ProtocolException(CloseCode.OBSERVE_REFUSED, "no"));
    assertEquals(CloseCode.OBSERVE_REFUSED, other.closedWith());
  }

  @Test
  void inputBeforeHelloIsRefusedAndNeverReachesTheShell() {
    connection.onBinary(input(0, "rm -rf ~\r"));
    connection.onText(HELLO);

    assertEquals(CloseCode.PROTOCOL_ERROR, channel.closedWith());
    assertEquals("", shell.input.toString());
    assertTrue(hellos.isEmpty(), "after the refusal nothing acts");
  }

  @Test
  void aSecondHelloClosesTheConnectionAndTheSessionGoesOn() {
    connection.onText(HELLO);
    connection.onText(HELLO);

    assertEquals(CloseCode.PROTOCOL_ERROR, channel.closedWith());
    assertEquals(1, hellos.size());
    assertEquals(0, session.attachedClients());
    assertNull(session.ended());
  }

  @Test
  void anUnreachableOwnerClosesWithItsRetryableCodeAndNothingMoreActs() {
    ClientConnection relayed =
        new ClientConnection(
            channel,
            (text, ch) -> {
              throw new RelayUnavailableException(CloseCode.TRY_AGAIN_LATER);
            });

    relayed.onText(HELLO);
    relayed.onBinary(input(0, "ls\r"));

    assertEquals(1013, channel.closeCode());
    assertEquals("", shell.input.toString());
  }

  @Test
  void aClientsHeartbeatIsAnsweredAtOnceWithTheInputMark() {
    connection.onText(HELLO);
    connection.onBinary(input(0, "ab"));
    int before = channel.texts().size();

    connection.onText("{\"type\":\"heartbeat\"}");

    List<String> after = channel.texts().subList(before, channel.texts().size());
    assertEquals(List.of("{\"type\":\"heartbeat\",\"inputAcked\":2,\"head\":0}"), after);
  }

  @Test
  void aClientThatEchoesHeartbeatsCannotStartALoop() {
    connection.onText(HELLO);
    int before = channel.texts().size();
    for (int i = 0; i < 10; i++) {
      connection.onText("{\"type\":\"heartbeat\"}");
    }
    assertEquals(1, channel.texts().size() - before, "one answer, not ten");
  }

  /**
   * The transport can close while the hello is still being served (recording the attach takes a
   * while): a client that vanished then still holds the shell back for its reconnect grace, and
   * comes back to find every byte since its resume offset. The outage outlasts the log many times.
   */
  @Test
  void aClientThatVanishesWhileItsHelloIsServedLosesNothingOnItsReconnect() throws Exception {
    PtyShell pty = PtyShell.start(TestSessions.BASH, "hello-blip", "hello-blip-server", 80, 24);
    TerminalSession streaming =
        TestSessions.session(
            "s2",
            pty,
            new TerminalSession.Settings(256 * 1024, 64 * 1024, 10_000, 4, false, 5_000),
            new TerminalSession.Listener() {});
    ClientConnection[] blip = new ClientConnection[1];
    blip[0] =
        new ClientConnection(
            new RecordingChannel(),
            (text, ch) -> {
              Attachment attachment =
                  streaming.attach(ch, (ClientMessage.Hello) MessageCodec.parse(text));
              blip[0].onClosed(true); // the network drops it before the hello returns
              return new HelloHandler.Attached(attachment);
            });
    Thread reader = new Thread(streaming::readOutput, "pty-reader");
    Thread awaiter = new Thread(streaming::awaitShellExit, "pty-exit");
    reader.start();
    awaiter.start();
    try {
      blip[0].onText(HELLO.replace("s1", "s2"));
      pty.write(
          ByteBuffer.wrap("stty -opost; seq 1 400000; exit\r".getBytes(StandardCharsets.US_ASCII)));
      // The outage: seq could overrun the 256 KiB log many times over in it.
      Thread.sleep(500);

      RecordingChannel back = new RecordingChannel();
      streaming.attach(back, new ClientMessage.Hello("t", "s2", 0, "c1", 0, 80, 24, false));

      assertTrue(back.texts().get(0).contains("\"dropped\":0,"), back.texts().get(0));
    } finally {
      streaming.end(SessionEnd.of(CloseCode.KILLED_BY_ADMIN, null));
      streaming.killSurvivors();
      reader.join(10_000);
      awaiter.join(10_000);
    }
  }
}
