package io.tether.it.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Random;

/**
 * A WebSocket client on a plain {@link Socket} (RFC 6455), for tests that must send what no proper
 * client sends: frames of any opcode, RSV bits, masked or not, lengths that lie, invalid UTF-8,
 * control frames too long, fragments out of order, several frames in one write. It reads frames
 * back one at a time, or not at all (a client that stops reading).
 */
public final class RawWebSocket implements AutoCloseable {
  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** A frame the server sent. */
  public record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** For a close frame: its code, or -1 when it carries none. */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
    }

    public String closeReason() {
      return payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
          : "";
    }
  }

  /**
   * How the handshake went: the status line's code, the negotiated subprotocol and the server's
   * {@code Sec-WebSocket-Extensions} (null when absent).
   */
  public record Handshake(int status, String subprotocol, String extensions) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Random maskKeys;
  private Handshake handshake;

  private RawWebSocket(Socket socket, Random maskKeys) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.maskKeys = maskKeys;
  }

  /**
   * Connects to {@code ws://host:port/path} and performs the opening handshake.
   *
   * @param subprotocol the subprotocol asked for, or null for none
   * @param maskKeys where masking keys come from (seeded for reproducible runs)
   */
  public static RawWebSocket open(URI ws, String subprotocol, Random maskKeys) throws IOException {
    return open(ws, subprotocol, maskKeys, 0);
  }

  /**
   * Like {@link #open(URI, String, Random)}, with a small kernel receive buffer ({@code
   * receiveBufferBytes}, 0 for the default): a client that then stops reading advertises a TCP
   * window of a few kilobytes, and what the server sends beyond that waits in the server's own
   * buffers.
   */
  public static RawWebSocket open(
      URI ws, String subprotocol, Random maskKeys, int receiveBufferBytes) throws IOException {
    return open(ws, subprotocol, maskKeys, receiveBufferBytes, Map.of());
  }

  /**
   * Like {@link #open(URI, String, Random, int)}, with more request headers (an extension offer, a
   * proxy's {@code X-Forwarded-For}).
   */
  public static RawWebSocket open(
      URI ws,
      String subprotocol,
      Random maskKeys,
      int receiveBufferBytes,
      Map<String, String> headers)
      throws IOException {
    Socket socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes); // before connect: sets the TCP window
    }
    socket.connect(new InetSocketAddress(ws.getHost(), ws.getPort()), 5_000);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(20_000);
    RawWebSocket raw = new RawWebSocket(socket, maskKeys);
    try {
      raw.handshake(ws, subprotocol, headers);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
    return raw;
  }

  private void handshake(URI ws, String subprotocol, Map<String, String> headers)
      throws IOException {
    byte[] nonce = new byte[16];
    maskKeys.nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    StringBuilder request =
        new StringBuilder()
            .append("GET ")
            .append(ws.getRawPath())
            .append(" HTTP/1.1\r\n")
            .append("Host: ")
            .append(ws.getHost())
            .append(':')
            .append(ws.getPort())
            .append("\r\n")
            .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
            .append("Sec-WebSocket-Version: 13\r\n")
            .append("Sec-WebSocket-Key: ")
            .append(key)
            .append("\r\n");
    if (subprotocol != null) {
      request.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
    }
    headers.forEach(
        (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();

    String status = readLine();
    int code = Integer.parseInt(status.split(" ")[1]);
    String accept = null;
    String protocol = null;
    String extensions = null;
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      String name = line.substring(0, colon).trim().toLowerCase();
      String value = line.substring(colon + 1).trim();
      if (name.equals("sec-websocket-accept")) {
        accept = value;
      } else if (name.equals("sec-websocket-protocol")) {
        protocol = value;
      } else if (name.equals("sec-websocket-extensions")) {
        extensions = value;
      }
    }
    if (code == 101 && !acceptFor(key).equals(accept)) {
      throw new IOException("wrong Sec-WebSocket-Accept: " + accept);
    }
    handshake = new Handshake(code, protocol, extensions);
  }

  private static String acceptFor(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest =
          sha1.digest(
              (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("the server closed during the handshake");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  public Handshake handshake() {
    return handshake;
  }

  /**
   * Encodes one frame exactly as asked.
   *
   * @param fin the FIN bit
   * @param rsv the three RSV bits (0 to 7)
   * @param opcode 0 to 15
   * @param masked whether to mask (clients must)
   * @param declaredLength the length written in the header (may lie), or -1 for the true one
   * @param payload the payload bytes actually sent
   */
  public byte[] encode(
      boolean fin, int rsv, int opcode, boolean masked, long declaredLength, byte[] payload) {
    long length = declaredLength < 0 ? payload.length : declaredLength;
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0xF));
    int maskBit = masked ? 0x80 : 0;
    if (length < 126) {
      frame.write(maskBit | (int) length);
    } else if (length < 65536) {
      frame.write(maskBit | 126);
      frame.write((int) (length >>> 8));
      frame.write((int) length);
    } else {
      frame.write(maskBit | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) (length >>> shift));
      }
    }
    byte[] body = payload.clone();
    if (masked) {
      byte[] key = new byte[4];
      maskKeys.nextBytes(key);
      frame.writeBytes(key);
      for (int i = 0; i < body.length; i++) {
        body[i] ^= key[i & 3];
      }
    }
    frame.writeBytes(body);
    return frame.toByteArray();
  }

  /** A proper client frame: FIN, no RSV, masked, true length. */
  public byte[] encode(int opcode, byte[] payload) {
    return encode(true, 0, opcode, true, -1, payload);
  }

  public byte[] text(String text) {
    return encode(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes bytes (one or several frames, or any bytes at all) in one write. */
  public void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void send(byte[]... frames) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] frame : frames) {
      all.writeBytes(frame);
    }
    write(all.toByteArray());
  }

  /** Reads the next frame; throws {@link EOFException} at the end of the stream. */
  public Frame read(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    int b0 = readByte();
    int b1 = readByte();
    long length = b1 & 0x7F;
    if (length == 126) {
      length = (readByte() << 8) | readByte();
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | readByte();
      }
    }
    if (length > 16 << 20) {
      throw new IOException("a frame of " + length + " bytes from the server");
    }
    byte[] mask = null;
    if ((b1 & 0x80) != 0) {
      mask = in.readNBytes(4);
    }
    byte[] payload = in.readNBytes((int) length);
    if (payload.length < length) {
      throw new EOFException("the stream ended inside a frame");
    }
    if (mask != null) {
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i & 3];
      }
    }
    return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0xF, payload);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException();
    }
    return b;
  }

  /** The end of a connection as the client saw it. */
  public record Ending(Frame close, boolean timedOut) {
    /** The close frame's code, or -1 when the server cut the TCP connection without one. */
    public int code() {
      return close == null ? -1 : close.closeCode();
    }
  }

  /**
   * Reads frames until the server's close frame, the end of the stream (or a reset) or {@code
   * timeout}.
   */
  public Ending awaitEnd(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return new Ending(null, true);
        }
        Frame frame = read(Duration.ofNanos(left));
        if (frame.opcode() == CLOSE) {
          return new Ending(frame, false);
        }
      }
    } catch (SocketTimeoutException e) {
      return new Ending(null, true);
    } catch (IOException e) {
      return new Ending(null, false); // reset or end of stream: cut without a close frame
    }
  }

  /**
   * Reads frames until the server's close frame, the end of the stream or {@code timeout}, and
   * returns the close frame, or null if the stream ended (or timed out) without one.
   */
  public Frame awaitClose(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        Frame frame = read(Duration.ofNanos(left));
        if (frame.opcode() == CLOSE) {
          return frame;
        }
      }
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      return null; // reset or end of stream: the server dropped the connection
    }
  }

  /** Whether the server ended the TCP connection within {@code timeout} (reads and drops data). */
  public boolean awaitEndOfStream(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] sink = new byte[64 * 1024];
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        if (in.read(sink) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
