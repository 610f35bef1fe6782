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
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final List<String> texts = new java.util.concurrent.CopyOnWriteArrayList<>();
    final CompletableFuture<CloseCode> closed = new CompletableFuture<>();
    final BlockingQueue<Long> acks = new LinkedBlockingQueue<>();
    volatile Attachment attachment;

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
            LockSupport.parkNanos((ack - acknowledged) * 250);
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
            new TerminalSession.Settings(LOG_BYTES, 64 * 1024, 10_000, 4, false),
            new TerminalSession.Listener() {});
    SlowClient client = new SlowClient();
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
    String output;
    synchronized (client.received) {
      output = client.received.toString(StandardCharsets.UTF_8);
    }
    int expected = 1;
    for (String line : output.split("\n")) {
      String value = line.substring(line.lastIndexOf('\r') + 1);
      if (value.matches("\\d+")) {
        assertEquals(expected, Integer.parseInt(value), "the numbers run on without a gap");
        expected++;
      }
    }
    assertEquals(200_001, expected);
  }
}
