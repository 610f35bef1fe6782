package io.tether.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.pty.PtyShell;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Terminal flow control with a real shell: a slower client that keeps reading loses nothing. */
class FlowControlTest {
  private static final int LOG_BYTES = 256 * 1024;

  /** A client on its own thread that takes its time over each frame, then acknowledges it. */
  private static final class SlowClient implements ClientChannel {
    final long nanosPerByte;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final List<String> texts = new java.util.concurrent.CopyOnWriteArrayList<>();
    final CompletableFuture<CloseCode> closed = new CompletableFuture<>();
    final BlockingQueue<Long> acks = new LinkedBlockingQueue<>();
    volatile Attachment attachment;
    volatile long closeNanos;

    SlowClient(long nanosPerByte) {
      this.nanosPerByte = nanosPerByte;
    }

    long receivedBytes() {
      synchronized (received) {
        return received.size();
      }
    }

    @Override
    public void sendBinary(ByteBuffer frame, Consumer<Throwable> done) {
      long offset = frame.getLong(0);
      synchronized (received) {
        received.write(frame.array(), 8, frame.limit() - 8);
      }
      acks.add(offset + frame.limit() - 8);
      done.accept(null);
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
      texts.add(text);
      done.accept(null);
    }

    @Override
    public void sendPing(Consumer<Throwable> done) {
      done.accept(null);
    }

    @Override
    public void close(int code, String reason) {
      // A transport whose close takes a while, as Tyrus's does (it writes a close frame and runs
      // the endpoint's @OnClose before it returns): a stand-in for that time, not for a condition.
      LockSupport.parkNanos(closeNanos);
      closed.complete(CloseCode.of(code));
    }

    @Override
    public String describe() {
      return "slow client";
    }

    /**
     * Acknowledges each frame after "rendering" it at about 4 MB/s: slower than the shell writes,
     * so without flow control the log would overrun this client.
     */
    void run() {
      try {
        long acknowledged = 0;
        while (!closed.isDone()) {
          Long ack = acks.poll(100, TimeUnit.MILLISECONDS);
          if (ack != null) {
            // Pacing the client by the bytes it renders, not waiting for a condition.
            LockSupport.parkNanos((ack - acknowledged) * nanosPerByte);
            acknowledged = ack;
            attachment.acknowledge(ack);
          }
        }
      } catch (Exception e) {
        closed.completeExceptionally(e);
      }
    }
  }

  @Test
  void aSlowerClientThatKeepsAcknowledgingGetsEveryByteOfOutputLargerThanTheLog() throws Exception {
    PtyShell shell = PtyShell.start(TestSessions.BASH, "flow-test", "flow-test-server", 80, 24);
    TerminalSession session =
        TestSessions.session(
            "flow",
            shell,
            new TerminalSession.Settings(LOG_BYTES, 64 * 1024, 10_000, 4, false, 0),
            new TerminalSession.Listener() {});
    SlowClient client = new SlowClient(250);
    client.attachment =
        session.attach(client, new ClientMessage.Hello("t", null, 0, "c1", 0, 80, 24, false));
    Thread reader = new Thread(session::readOutput, "pty-reader");
    Thread awaiter = new Thread(session::awaitShellExit, "pty-exit");
    Thread consumer = new Thread(client::run, "slow-client");
    reader.start();
    awaiter.start();
    consumer.start();

    // About 1.3 MB: five times what the log holds.
    shell.write(
        ByteBuffer.wrap("stty -opost; seq 1 200000; exit\r".getBytes(StandardCharsets.US_ASCII)));

    assertEquals(CloseCode.SHELL_EXITED, client.closed.get(120, TimeUnit.SECONDS));
    reader.join(10_000);
    consumer.join(10_000);
    assertTrue(
        client.texts.stream().noneMatch(t -> t.contains("resync")), "the client was overrun");
    assertSeqComplete(client.received, 200_000);
  }

  /**
   * A log smaller than two payloads, and a client that never acknowledges: once it stops counting,
   * the shell goes on to its end (the limit never goes below zero and stalls the reader for good).
   */
  @Test
  void aSmallLogWithAStalledClientNeverStallsTheShell() throws Exception {
    PtyShell shell = PtyShell.start(TestSessions.BASH, "small-log", "small-log-server", 80, 24);
    CompletableFuture<SessionEnd> ended = new CompletableFuture<>();
    TerminalSession session =
        TestSessions.session(
            "small",
            shell,
            new TerminalSession.Settings(32 * 1024, 16 * 1024, 10_000, 4, false, 0),
            new TerminalSession.Listener() {
              @Override
              public void ended(TerminalSession s, SessionEnd end) {
                ended.complete(end);
              }
            });
    SlowClient stalled = new SlowClient(0); // never run: it takes frames and acknowledges nothing
    stalled.attachment =
        session.attach(stalled, new ClientMessage.Hello("t", null, 0, "c1", 0, 80, 24, false));
    Thread reader = new Thread(session::readOutput, "pty-reader");
    Thread awaiter = new Thread(session::awaitShellExit, "pty-exit");
    reader.start();
    awaiter.start();
    shell.write(ByteBuffer.wrap("seq 1 100000; exit\r".getBytes(StandardCharsets.US_ASCII)));

    assertEquals(0, ended.get(60, TimeUnit.SECONDS).exitCode());
    reader.join(10_000);
  }

  /**
   * A client that vanishes mid-stream without a close and reconnects within its grace: the shell
   * waited for it, and not a byte is lost though the outage outlasts what the log holds.
   */
  @Test
  void aClientThatVanishesAndComesBackWithinItsGraceLosesNothing() throws Exception {
    assertEquals(0, vanishMidStream(5_000, 400_000), "bytes dropped with a 5 s grace");
  }

  /**
   * The same, on a transport whose close takes a while: the hold takes over from the vanished
   * client before its connection is closed, so the shell does not run on meanwhile.
   */
  @Test
  void aVanishedClientHoldsTheShellBackWhileItsConnectionIsClosed() throws Exception {
    assertEquals(0, outageMidStream(5_000, 400_000, true, 500), "bytes dropped with a 5 s grace");
  }

  /**
   * A hold lasts until its client's newer connection is attached, not for the whole grace: with a
   * grace of ten minutes, the stream still ends within the two the reconnected client waits for it.
   * Only the reader lets a hold go, and only for a connection older than one attached, so a hold
   * placed by the new connection's own loss (its first output can go out and fail before its attach
   * is over) is never let go by that attach.
   */
  @Test
  void aHoldEndsAsSoonAsItsClientsNewerConnectionIsAttached() throws Exception {
    assertEquals(0, vanishMidStream(600_000, 400_000), "bytes dropped with a 10 min grace");
  }

  /** The same blip without a grace: the log overruns the vanished client (the test can fail). */
  @Test
  void withoutAGraceTheSameBlipLosesOutput() throws Exception {
    assertTrue(vanishMidStream(0, 10_000_000) > 0, "the log was overrun during the outage");
  }

  /**
   * The connection dies and the server does not notice before the client is back (the usual case:
   * the reconnect replaces it). The stopped acks hold the shell back for the grace, as a vanish
   * would, though the reconnect takes longer than a moment.
   */
  @Test
  void aConnectionThatDiedUnnoticedHoldsTheShellUntilItsClientIsBack() throws Exception {
    assertEquals(0, outageMidStream(5_000, 400_000, false, 0), "bytes dropped with a 5 s grace");
  }

  /** Streams seq, drops the client abruptly mid-stream, reconnects it: the bytes it lost. */
  private long vanishMidStream(long graceMillis, int count) throws Exception {
    return outageMidStream(graceMillis, count, true, 0);
  }

  /**
   * Streams seq, cuts the client off mid-stream (the server noticing it at once, or not at all
   * before the reconnect), reconnects it after an outage: the bytes it lost. Closing the first
   * client's connection takes {@code closeMillis}.
   */
  private long outageMidStream(long graceMillis, int count, boolean noticed, long closeMillis)
      throws Exception {
    PtyShell shell = PtyShell.start(TestSessions.BASH, "blip-test", "blip-test-server", 80, 24);
    TerminalSession session =
        TestSessions.session(
            "blip",
            shell,
            new TerminalSession.Settings(LOG_BYTES, 64 * 1024, 10_000, 4, false, graceMillis),
            new TerminalSession.Listener() {});
    SlowClient first = new SlowClient(0);
    first.closeNanos = TimeUnit.MILLISECONDS.toNanos(closeMillis);
    first.attachment =
        session.attach(first, new ClientMessage.Hello("t", null, 0, "c1", 0, 80, 24, false));
    Thread reader = new Thread(session::readOutput, "pty-reader");
    Thread awaiter = new Thread(session::awaitShellExit, "pty-exit");
    Thread firstConsumer = new Thread(first::run, "first-client");
    reader.start();
    awaiter.start();
    firstConsumer.start();
    shell.write(
        ByteBuffer.wrap(
            ("stty -opost; seq 1 " + count + "; exit\r").getBytes(StandardCharsets.US_ASCII)));
    while (first.receivedBytes() < 300_000 && !first.closed.isDone()) {
      LockSupport.parkNanos(1_000_000); // polling the bytes received: no event to wait on
    }
    if (noticed) {
      first.attachment.lost(true); // the network drops it: no close frame
    } else {
      first.closed.complete(null); // it stops acknowledging; the server hears nothing of it
    }
    firstConsumer.join(10_000);
    // The outage: long enough for seq to overrun the 256 KiB log many times over.
    Thread.sleep(500);
    long resumeAt = first.receivedBytes();
    SlowClient second = new SlowClient(0);
    second.attachment =
        session.attach(
            second, new ClientMessage.Hello("t", "blip", resumeAt, "c1", 0, 80, 24, false));
    String attached = second.texts.get(0);
    long dropped = Long.parseLong(attached.replaceAll(".*\"dropped\":(\\d+).*", "$1"));
    if (dropped > 0) {
      session.end(SessionEnd.of(CloseCode.KILLED_BY_ADMIN, null));
      session.killSurvivors();
      reader.join(10_000);
      return dropped;
    }
    Thread secondConsumer = new Thread(second::run, "second-client");
    secondConsumer.start();
    assertEquals(CloseCode.SHELL_EXITED, second.closed.get(120, TimeUnit.SECONDS));
    reader.join(10_000);
    secondConsumer.join(10_000);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(first.received.toByteArray());
    all.write(second.received.toByteArray());
    assertSeqComplete(all, count);
    return dropped;
  }

  private static void assertSeqComplete(ByteArrayOutputStream received, int last) {
    String output;
    synchronized (received) {
      output = received.toString(StandardCharsets.UTF_8);
    }
    int expected = 1;
    for (String line : output.split("\n")) {
      String value = line.substring(line.lastIndexOf('\r') + 1);
      if (value.matches("\\d+")) {
        assertEquals(expected, Integer.parseInt(value), "the numbers run on without a gap");
        expected++;
      }
    }
    assertEquals(last + 1, expected);
  }
}
