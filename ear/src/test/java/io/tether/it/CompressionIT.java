package io.tether.it;

import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.RawWebSocket;
import io.tether.it.support.SeqOutput;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * permessage-deflate through the real node, with the default {@code tether.web.compression=remote}
 * and the server's Undertow offering the extension: a client that offers it as Chromium does gets
 * it only when its connection left this machine (here: a proxy on this machine names a remote
 * client in {@code X-Forwarded-For}, as the shipped nginx does); then its output arrives
 * compressed, inflates to exactly what the shell wrote, and its compressed keystrokes reach the
 * shell. The client is a plain-socket WebSocket client that inflates and deflates itself (RFC 7692,
 * context takeover both ways), as a browser does.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CompressionIT {
  private static final String CHROMIUM_OFFER = "permessage-deflate; client_max_window_bits";
  private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};
  private static final int RSV1 = 4;

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void aClientOnThisMachineGetsNoCompression() throws Exception {
    try (Client c = Client.open(Map.of("Sec-WebSocket-Extensions", CHROMIUM_OFFER))) {
      assertNull(c.ws.handshake().extensions(), "no extension negotiated over loopback");
      c.typePlain("echo plain-$((6*7))\r");
      c.awaitOutput("plain-42");
      assertEquals(0, c.compressedMessages, "nothing arrived compressed");
    }
  }

  @Test
  void aRemoteClientGetsCompressionAndItsOutputStaysByteExact() throws Exception {
    try (Client c = Client.open(remoteOffer(CHROMIUM_OFFER))) {
      assertEquals("permessage-deflate", c.ws.handshake().extensions());
      // Its keystrokes compressed, twice the same line: the second refers back into the first.
      c.typeCompressed("echo same-$((6*7))-line\r");
      c.awaitOutput("same-42-line");
      c.typeCompressed("echo same-$((6*7))-line\r");
      c.awaitOutputCount("same-42-line", 2);

      c.typeCompressed("seq 1 300000; echo SEQ-$((1+1))\r");
      c.awaitOutput("SEQ-2");
      SeqOutput.assertExactSequence(c.output(), 300000);
      assertTrue(c.compressedMessages > 10, c.compressedMessages + " compressed messages");
      assertTrue(
          c.wireBytes * 3 < c.outputBytes,
          "compressed at least threefold: " + c.wireBytes + " of " + c.outputBytes + " bytes");
    }
  }

  @Test
  void anOfferOfServerNoContextTakeoverIsDeclinedAndLaterClientsStillCompress() throws Exception {
    try (Client c = Client.open(remoteOffer("permessage-deflate; server_no_context_takeover"))) {
      assertNull(c.ws.handshake().extensions(), "declined");
      c.typePlain("echo declined-$((6*7))\r");
      c.awaitOutput("declined-42");
    }
    // A later browser-like client still gets compression both ways.
    try (Client c = Client.open(remoteOffer(CHROMIUM_OFFER))) {
      assertEquals("permessage-deflate", c.ws.handshake().extensions());
      c.typeCompressed("echo again-$((6*7))-line\r");
      c.awaitOutput("again-42-line");
      c.typeCompressed("echo again-$((6*7))-line\r");
      c.awaitOutputCount("again-42-line", 2);
    }
  }

  @Test
  void noClientIsCompressedWithoutAnOffer() throws Exception {
    try (Client c = Client.open(Map.of("X-Forwarded-For", "203.0.113.9"))) {
      assertNull(c.ws.handshake().extensions());
      c.typePlain("echo none-$((6*7))\r");
      c.awaitOutput("none-42");
    }
  }

  private static Map<String, String> remoteOffer(String offer) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Sec-WebSocket-Extensions", offer);
    headers.put("X-Forwarded-For", "203.0.113.9");
    return headers;
  }

  /** A protocol v1 session on a plain socket that speaks permessage-deflate when negotiated. */
  private static final class Client implements AutoCloseable {
    final RawWebSocket ws;
    final Inflater inflater = new Inflater(true);
    final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    long expected; // the next output offset
    long inputOffset;
    long wireBytes; // output frames' payloads as they arrived
    long outputBytes; // the same, inflated
    int compressedMessages;

    private Client(RawWebSocket ws) {
      this.ws = ws;
    }

    static Client open(Map<String, String> headers) throws IOException {
      RawWebSocket ws =
          RawWebSocket.open(
              TetherServer.webSocketUri("ws/terminal"), "tether.v1", new Random(), 0, headers);
      Client c = new Client(ws);
      c.sendText(
          Json.createObjectBuilder()
              .add("type", "hello")
              .add("ticket", Terminal.ticket(ALICE))
              .addNull("sessionId")
              .add("resumeOffset", 0)
              .add("clientId", "deflate-" + UUID.randomUUID().toString().substring(0, 8))
              .add("inputOffset", 0)
              .add("cols", 120)
              .add("rows", 32)
              .build()
              .toString());
      while (true) {
        byte[] message = c.nextMessage(RawWebSocket.TEXT);
        if (message != null && new String(message, StandardCharsets.UTF_8).contains("attached")) {
          return c;
        }
      }
    }

    void sendText(String text) throws IOException {
      ws.send(ws.text(text)); // uncompressed: a sender compresses only the messages it chooses
    }

    void typePlain(String keys) throws IOException {
      ws.send(ws.encode(RawWebSocket.BINARY, inputFrame(keys)));
    }

    /** One input message, compressed with this client's deflater (context kept between them). */
    void typeCompressed(String keys) throws IOException {
      byte[] frame = inputFrame(keys);
      deflater.setInput(frame);
      byte[] buffer = new byte[frame.length + 64];
      int n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
      assertTrue(n > 4 && n < buffer.length);
      byte[] payload = Arrays.copyOf(buffer, n - 4); // without the 00 00 FF FF tail
      ws.send(ws.encode(true, RSV1, RawWebSocket.BINARY, true, -1, payload));
    }

    private byte[] inputFrame(String keys) {
      byte[] bytes = keys.getBytes(StandardCharsets.UTF_8);
      byte[] frame = ByteBuffer.allocate(8 + bytes.length).putLong(inputOffset).put(bytes).array();
      inputOffset += bytes.length;
      return frame;
    }

    /**
     * Reads one message (of any kind; answers output with an ack and keeps it), inflated if it was
     * compressed; returns it if it is of the kind asked for, else null.
     */
    byte[] nextMessage(int kind) throws IOException {
      RawWebSocket.Frame first = ws.read(Duration.ofSeconds(30));
      if (first.opcode() == RawWebSocket.CLOSE) {
        throw new AssertionError("closed: " + first.closeCode() + " " + first.closeReason());
      }
      if (first.opcode() == RawWebSocket.PING) {
        ws.send(ws.encode(RawWebSocket.PONG, first.payload()));
        return null;
      }
      ByteArrayOutputStream payload = new ByteArrayOutputStream();
      payload.writeBytes(first.payload());
      RawWebSocket.Frame frame = first;
      while (!frame.fin()) {
        frame = ws.read(Duration.ofSeconds(30));
        payload.writeBytes(frame.payload());
      }
      byte[] message = payload.toByteArray();
      boolean compressed = (first.rsv() & RSV1) != 0;
      if (compressed) {
        message = inflate(message);
      }
      if (first.opcode() == RawWebSocket.BINARY) {
        wireBytes += payload.size();
        outputBytes += message.length;
        if (compressed) {
          compressedMessages++;
        }
        keepOutput(message);
      }
      return first.opcode() == kind ? message : null;
    }

    private byte[] inflate(byte[] compressed) {
      inflater.setInput(
          ByteBuffer.allocate(compressed.length + 4).put(compressed).put(TAIL).array());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[64 * 1024];
      try {
        while (!inflater.needsInput()) {
          out.write(buffer, 0, inflater.inflate(buffer));
        }
      } catch (DataFormatException e) {
        throw new AssertionError("a message that does not inflate", e);
      }
      return out.toByteArray();
    }

    private void keepOutput(byte[] frame) throws IOException {
      long offset = ByteBuffer.wrap(frame).getLong();
      assertEquals(expected, offset, "output offsets follow on");
      output.write(frame, 8, frame.length - 8);
      expected += frame.length - 8;
      sendText("{\"type\":\"ack\",\"offset\":" + expected + "}");
    }

    String output() {
      return output.toString(StandardCharsets.UTF_8);
    }

    void awaitOutput(String text) throws IOException {
      awaitOutputCount(text, 1);
    }

    void awaitOutputCount(String text, int count) throws IOException {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (occurrences(output(), text) < count) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no " + text + " (x" + count + ") in " + tail());
        }
        nextMessage(-1);
      }
    }

    private String tail() {
      String all = output();
      return all.substring(Math.max(0, all.length() - 400));
    }

    private static int occurrences(String in, String text) {
      // Output lines only: the echo of the typed command holds the unexpanded $((6*7)).
      int count = 0;
      for (int i = in.indexOf(text); i >= 0; i = in.indexOf(text, i + 1)) {
        count++;
      }
      return count;
    }

    @Override
    public void close() {
      try {
        typePlain("exit\r");
      } catch (IOException e) {
        // the session ends with its shell or with the idle sweep
      }
      ws.close();
      inflater.end();
      deflater.end();
    }
  }
}
