package io.tether.it.abuse;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.RawWebSocket;
import io.tether.it.support.ServerLog;
import io.tether.it.support.ServerProcess;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The adversarial tier: seeded fuzzing of frames against a victim session whose shell must receive
 * nothing from the fuzzing connections, and a client that stops reading. Every frame is sent by a
 * raw client ({@link RawWebSocket}), which can send what no proper client sends.
 *
 * <p>{@code -Dtether.fuzz.seed=N} replays a run (the seed is printed), {@code
 * -Dtether.fuzz.frames=N} sets how many frames (at least 10,000 here; a soak sends millions, see
 * docs/testing.md). The victim's shell runs {@code cat -v} on a raw terminal into a file: any byte
 * that reached it would be in the file.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FrameFuzzIT {
  private static final int FRAMES = Math.max(10_000, Integer.getInteger("tether.fuzz.frames", 0));
  private static final long SEED = Long.getLong("tether.fuzz.seed", System.nanoTime());
  private static final int THREADS = Integer.getInteger("tether.fuzz.threads", 4);
  private static final String LEAK = "FUZZLEAK";

  /** The code of a WebSocket-level fault (RFC 6455: protocol error). */
  private static final List<Integer> PROTOCOL = List.of(1002);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  /**
   * The victim: a shell that copies whatever reaches it into a file, byte for byte. Its shell runs
   * as alice's own account in its sandbox, so the file is in her home (the same directory outside),
   * and its cat is found among the session's processes by its pid on this machine.
   */
  private static final class Victim implements AutoCloseable {
    static final String CAT = "/usr/bin/cat";
    final Terminal terminal = Terminal.open(ALICE);
    final String name = "fuzz-victim-" + UUID.randomUUID() + ".txt";
    final Path file = ServerProcess.homeOf("tether-alice").resolve(name);

    Victim() throws Exception {
      terminal.type("stty raw -echo; cat -v > ~/" + name + "; stty sane\r");
      await(
          () ->
              Files.exists(file) && !ServerProcess.processesOf(terminal.sessionId(), CAT).isEmpty(),
          "the victim's cat to start");
    }

    String received() throws IOException {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws Exception {
      // cat must be gone before "exit" is typed, or it would read it.
      for (ProcessHandle cat : ServerProcess.processesOf(terminal.sessionId(), CAT)) {
        cat.destroy();
        cat.onExit().get(10, TimeUnit.SECONDS);
      }
      terminal.exitShell();
      Files.deleteIfExists(file);
    }
  }

  /** How the fuzzing connections ended, by close code (or "eof", "open"). */
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

  private final LongAdder framesSent = new LongAdder();

  @Test
  void fuzzedFramesReachNoShellAndTheServerStaysHealthy() throws Exception {
    System.out.printf(
        "FrameFuzzIT: seed %d (-Dtether.fuzz.seed=%d to replay), %d frames, %d threads%n",
        SEED, SEED, FRAMES, THREADS);
    int logBefore = ServerLog.read().length();
    Instant start = Instant.now();
    try (Victim victim = new Victim()) {
      String sessionId = victim.terminal.sessionId();
      long outputBefore = victim.terminal.outputEnd();

      faultsThenInputActOnNothing(sessionId);
      relayRefusalsAreNeutral();
      fuzz(sessionId);

      // Nothing reached the shell, and the fuzzing made it print nothing.
      assertEquals("", victim.received(), "bytes reached the victim's shell");
      assertEquals(outputBefore, victim.terminal.outputEnd(), "the victim's shell printed");
      assertFalse(victim.terminal.connection().closed.isDone(), "the victim was disconnected");

      // The same path carries a proper client's input: the check above could have seen a leak.
      victim.terminal.type("MARK-OK");
      await(() -> victim.received().equals("MARK-OK"), "the victim's own keystrokes");
    }
    long seconds = Math.max(1, Duration.between(start, Instant.now()).toSeconds());
    System.out.printf(
        "FrameFuzzIT: %d frames in %d s (%d frames/s); connections ended: %s%n",
        framesSent.sum(),
        seconds,
        framesSent.sum() / seconds,
        new TreeMap<>(
            outcomes.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()))));

    // The server is healthy: a new session opens and echoes, and nothing was logged as an error.
    try (Terminal fresh = Terminal.open(BOB)) {
      fresh.type("echo healthy-$((6*7))\r");
      fresh.awaitOutput("healthy-42");
      fresh.exitShell();
    }
    String logged = ServerLog.read().substring(logBefore);
    List<String> errors =
        logged.lines().filter(l -> l.contains(" ERROR ") || l.contains(" SEVERE ")).toList();
    assertEquals(List.of(), errors, "the server logged errors while being fuzzed");
  }

  /**
   * A frame the server must refuse, then, in the same TCP write, a valid input frame that would
   * type into the victim's shell. The fault must stop it, whatever the fault (invalid UTF-8, a
   * reserved bit or opcode, a control frame too long...), on a connection properly attached as the
   * session's own user.
   */
  private void faultsThenInputActOnNothing(String sessionId) throws Exception {
    Random random = new Random(SEED);
    List<Fault> faults = Fault.all();
    if (TetherServer.onPayara()) {
      // Tyrus takes a client's unmasked frame as it is (its frame parser reads the mask bit only
      // to know whether a key follows, and passes nothing of it on), so the frame acts as its
      // masked twin would: on this connection, attached as the session's own user, that is typing
      // into her own shell, which she may do anyway. Nothing in the Jakarta WebSocket API shows
      // the endpoint whether a frame was masked. docs/payara.md.
      faults = faults.stream().filter(f -> !f.name().equals("unmasked")).toList();
    }
    for (int round = 0; round < 5; round++) {
      for (Fault fault : faults) {
        try (RawWebSocket ws = attach(ALICE, sessionId, false, random)) {
          byte[] input = inputFrame(0, LEAK + "-" + fault.name() + "\r");
          ws.send(fault.frame(ws, random), ws.encode(RawWebSocket.BINARY, input));
          framesSent.add(2);
          RawWebSocket.Ending end = ws.awaitEnd(Duration.ofSeconds(10));
          outcome(end.close());
          assertFalse(end.timedOut(), fault.name() + ": the server did not close");
          // A close frame carries the fault's code; a protocol fault may also cut the TCP
          // connection before the container's close frame goes out.
          assertTrue(
              fault.codes().contains(end.code()) || end.code() == -1 && fault.codes() == PROTOCOL,
              fault.name() + ": closed with " + end.code() + " " + end);
        }
      }
    }
  }

  /** The relay endpoint: its subprotocol required, and nothing in its reasons but a sentence. */
  private void relayRefusalsAreNeutral() throws Exception {
    Random random = new Random(SEED + 1);
    try (RawWebSocket ws = RawWebSocket.open(TetherServer.webSocketUri("ws/relay"), null, random)) {
      RawWebSocket.Frame close = ws.awaitClose(Duration.ofSeconds(10));
      assertNotNull(close, "a relay handshake without tether.v1 was accepted");
      assertEquals(4000, close.closeCode());
      assertEquals("Protocol error.", close.closeReason());
    }
    String forged =
        Json.createObjectBuilder()
            .add("type", "relay-hello")
            .add("from", "node-x")
            .add("to", "node-y")
            .add("user", "alice")
            .add("roles", Json.createArrayBuilder().add("user").add("admin"))
            .add("issuedAt", System.currentTimeMillis())
            .add("nonce", "n" + random.nextLong())
            .add("hello", "{\"type\":\"hello\"}")
            .add("token", "forged")
            .build()
            .toString();
    try (RawWebSocket ws =
        RawWebSocket.open(TetherServer.webSocketUri("ws/relay"), "tether.v1", random)) {
      ws.send(ws.text(forged));
      RawWebSocket.Frame close = ws.awaitClose(Duration.ofSeconds(10));
      assertNotNull(close);
      assertEquals(4001, close.closeCode());
      assertEquals("Your ticket was invalid, already used or expired.", close.closeReason());
    }
  }

  /** Random and mutated frames on many connections, from several threads at once. */
  private void fuzz(String sessionId) throws Exception {
    AtomicLong budget = new AtomicLong(FRAMES);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Random random = new Random(SEED * 31 + t);
      workers.add(
          pool.submit(
              () -> {
                int connection = 0;
                while (budget.get() > 0) {
                  int frames = 1 + random.nextInt(40);
                  budget.addAndGet(-frames);
                  fuzzOneConnection(sessionId, connection++ % 5, frames, random);
                }
                return null;
              }));
    }
    pool.shutdown();
    try {
      for (Future<?> worker : workers) {
        worker.get(600 + FRAMES / 100, TimeUnit.SECONDS); // a soak's millions take hours
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * One fuzzing connection: 0, random frames with no hello; 1, an administrator observing the
   * victim (read-only: input refused), then mutations of valid messages; 2, another user's hello
   * aimed at the victim, mutated, then anything; 3, random bytes that are not frames at all; 4,
   * random frames to the relay endpoint.
   */
  private void fuzzOneConnection(String sessionId, int kind, int frames, Random random)
      throws IOException {
    RawWebSocket ws;
    List<byte[]> batch = new ArrayList<>();
    try {
      ws =
          switch (kind) {
            case 1 -> attach(ADMIN, sessionId, true, random);
            default ->
                RawWebSocket.open(
                    TetherServer.webSocketUri(kind == 4 ? "ws/relay" : "ws/terminal"),
                    random.nextInt(10) == 0 ? null : "tether.v1",
                    random);
          };
    } catch (AssertionError e) {
      outcomes.computeIfAbsent("attach refused", k -> new LongAdder()).increment();
      return;
    }
    try (ws) {
      if (kind == 2) {
        batch.add(mutate(ws, ws.text(hello(Terminal.ticket(BOB), sessionId, false)), random));
      }
      for (int i = 0; i < frames; i++) {
        batch.add(
            switch (kind) {
              case 0, 4 -> randomFrame(ws, random);
              case 3 -> randomBytes(random, 1 + random.nextInt(200));
              default -> mutate(ws, validMessage(ws, random), random);
            });
      }
      try {
        // In one write or in several: a fault may come before the rest has even been read.
        if (random.nextBoolean()) {
          ws.send(batch.toArray(byte[][]::new));
        } else {
          for (byte[] frame : batch) {
            ws.write(frame);
          }
        }
      } catch (IOException e) {
        // The server closed while we were still writing: that is a refusal too.
      }
      framesSent.add(batch.size());
      outcome(ws.awaitClose(Duration.ofMillis(random.nextInt(4) == 0 ? 1500 : 200)));
    }
  }

  private void outcome(RawWebSocket.Frame close) {
    String key = close == null ? "open or eof" : String.valueOf(close.closeCode());
    outcomes.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** A connection attached (or observing) properly through a hello, its {@code attached} read. */
  private static RawWebSocket attach(
      TetherServer.Credentials user, String sessionId, boolean observe, Random random)
      throws IOException {
    return attach(user, sessionId, observe, random, 0);
  }

  private static RawWebSocket attach(
      TetherServer.Credentials user,
      String sessionId,
      boolean observe,
      Random random,
      int receiveBufferBytes)
      throws IOException {
    RawWebSocket ws =
        RawWebSocket.open(
            TetherServer.webSocketUri("ws/terminal"), "tether.v1", random, receiveBufferBytes);
    ws.send(ws.text(hello(Terminal.ticket(user), sessionId, observe)));
    for (int i = 0; i < 100; i++) {
      RawWebSocket.Frame frame = ws.read(Duration.ofSeconds(10));
      if (frame.opcode() == RawWebSocket.TEXT && frame.text().contains("\"attached\"")) {
        return ws;
      }
      if (frame.opcode() == RawWebSocket.CLOSE) {
        ws.close();
        throw new AssertionError("hello refused: " + frame.closeCode() + " " + frame.closeReason());
      }
    }
    ws.close();
    throw new AssertionError("no attached");
  }

  private static String hello(String ticket, String sessionId, boolean observe) {
    var builder = Json.createObjectBuilder().add("type", "hello").add("ticket", ticket);
    if (sessionId == null) {
      builder.addNull("sessionId");
    } else {
      builder.add("sessionId", sessionId);
    }
    JsonObject hello =
        builder
            .add("resumeOffset", 0)
            .add("clientId", "fuzz-" + UUID.randomUUID().toString().substring(0, 8))
            .add("inputOffset", 0)
            .add("cols", 100)
            .add("rows", 30)
            .add("observe", observe)
            .build();
    return hello.toString();
  }

  private static byte[] inputFrame(long offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + bytes.length).putLong(offset).put(bytes).array();
  }

  /** A valid message of the protocol, as a frame. */
  private static byte[] validMessage(RawWebSocket ws, Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> ws.text("{\"type\":\"heartbeat\"}");
      case 1 -> ws.text("{\"type\":\"ack\",\"offset\":" + random.nextInt(100_000) + "}");
      case 2 ->
          ws.text(
              "{\"type\":\"resize\",\"cols\":"
                  + (1 + random.nextInt(300))
                  + ",\"rows\":"
                  + (1 + random.nextInt(100))
                  + "}");
      case 3 -> ws.text(hello("t-" + random.nextInt(), null, false));
      default ->
          ws.encode(
              RawWebSocket.BINARY, inputFrame(random.nextInt(3), LEAK + random.nextInt() + "\r"));
    };
  }

  /** One mutation of a frame's bytes, header or payload, or of its framing. */
  private static byte[] mutate(RawWebSocket ws, byte[] frame, Random random) {
    byte[] f = frame.clone();
    switch (random.nextInt(9)) {
      case 0 -> { // flip bits anywhere
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
          f[random.nextInt(f.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return f;
      }
      case 1 -> { // a reserved bit
        f[0] |= (byte) ((1 + random.nextInt(7)) << 4);
        return f;
      }
      case 2 -> { // another opcode, reserved ones included
        f[0] = (byte) ((f[0] & 0xF0) | random.nextInt(16));
        return f;
      }
      case 3 -> { // cut short: the length lies
        return java.util.Arrays.copyOf(f, 1 + random.nextInt(f.length));
      }
      case 4 -> { // unmasked
        f[1] &= 0x7F;
        return f;
      }
      case 5 -> { // random bytes spliced into the payload
        byte[] junk = randomBytes(random, 1 + random.nextInt(8));
        byte[] out = new byte[f.length + junk.length];
        int at = 2 + random.nextInt(f.length - 1);
        System.arraycopy(f, 0, out, 0, at);
        System.arraycopy(junk, 0, out, at, junk.length);
        System.arraycopy(f, at, out, at + junk.length, f.length - at);
        return out;
      }
      case 6 -> { // fragmented, with a ping between the pieces, maybe out of order
        byte[] payload = randomBytes(random, 1 + random.nextInt(60));
        int opcode = random.nextBoolean() ? RawWebSocket.TEXT : RawWebSocket.BINARY;
        byte[] first = ws.encode(false, 0, opcode, true, -1, payload);
        byte[] ping = ws.encode(RawWebSocket.PING, randomBytes(random, random.nextInt(20)));
        byte[] last = ws.encode(true, 0, RawWebSocket.CONTINUATION, true, -1, payload);
        return random.nextBoolean() ? concat(first, ping, last) : concat(last, ping, first);
      }
      case 7 -> { // a control frame over 125 bytes, or one fragmented
        int opcode = RawWebSocket.PING + random.nextInt(2);
        return random.nextBoolean()
            ? ws.encode(opcode, randomBytes(random, 126 + random.nextInt(200)))
            : ws.encode(false, 0, opcode, true, -1, randomBytes(random, 10));
      }
      default -> { // a length that says more than follows
        byte[] payload = randomBytes(random, random.nextInt(40));
        return ws.encode(
            true,
            0,
            RawWebSocket.BINARY,
            true,
            payload.length + 1 + random.nextInt(70_000),
            payload);
      }
    }
  }

  /** A frame with every field random: opcode, bits, mask, length (true or not), payload. */
  private static byte[] randomFrame(RawWebSocket ws, Random random) {
    int size =
        switch (random.nextInt(20)) {
          case 0 -> 65_536 + random.nextInt(10_000);
          case 1, 2 -> 126 + random.nextInt(5_000);
          default -> random.nextInt(126);
        };
    byte[] payload =
        random.nextBoolean()
            ? randomBytes(random, size)
            : ("{\"type\":\"" + randomAscii(random, size) + "\"}").getBytes(StandardCharsets.UTF_8);
    long declared = random.nextInt(20) == 0 ? random.nextInt(200_000) : -1;
    return ws.encode(
        random.nextInt(5) != 0,
        random.nextInt(6) == 0 ? random.nextInt(8) : 0,
        random.nextInt(3) == 0 ? random.nextInt(16) : 1 + random.nextInt(2),
        random.nextInt(10) != 0,
        declared,
        payload);
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  private static String randomAscii(Random random, int n) {
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      s.append((char) (32 + random.nextInt(95)));
    }
    return s.toString().replace("\\", "/").replace("\"", "'");
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer all = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      all.put(p);
    }
    return all.array();
  }

  /** A frame the server must refuse, and the close codes that refusal may carry. */
  private record Fault(String name, List<Integer> codes, FrameMaker maker) {
    interface FrameMaker {
      byte[] make(RawWebSocket ws, Random random);
    }

    byte[] frame(RawWebSocket ws, Random random) {
      return maker.make(ws, random);
    }

    static List<Fault> all() {
      List<Integer> protocol = PROTOCOL;
      return List.of(
          new Fault(
              "utf8-lone-continuation",
              List.of(1007),
              (ws, r) ->
                  ws.encode(
                      RawWebSocket.TEXT, bytes("{\"type\":\"heartbeat\",\"x\":\"", 0x80, "\"}"))),
          new Fault(
              "utf8-truncated-at-end",
              List.of(1007),
              (ws, r) ->
                  ws.encode(RawWebSocket.TEXT, bytes("{\"type\":\"heartbeat\"}", 0xE2, 0x82))),
          new Fault(
              "utf8-overlong",
              List.of(1007),
              (ws, r) -> ws.encode(RawWebSocket.TEXT, bytes("{\"a\":\"", 0xC0, 0xAF, "\"}"))),
          new Fault(
              "utf8-surrogate",
              List.of(1007),
              (ws, r) -> ws.encode(RawWebSocket.TEXT, bytes("{\"a\":\"", 0xED, 0xA0, 0x80, "\"}"))),
          new Fault(
              "utf8-in-a-fragment",
              List.of(1007),
              (ws, r) ->
                  concat(
                      ws.encode(false, 0, RawWebSocket.TEXT, true, -1, bytes("{\"a\":\"")),
                      ws.encode(true, 0, RawWebSocket.CONTINUATION, true, -1, bytes(0xFF, "\"}")))),
          new Fault(
              "rsv-bit",
              protocol,
              (ws, r) -> ws.encode(true, 4, RawWebSocket.BINARY, true, -1, inputFrame(0, "x"))),
          new Fault(
              "reserved-opcode",
              protocol,
              (ws, r) -> ws.encode(true, 0, 0x3, true, -1, inputFrame(0, "x"))),
          new Fault(
              "unmasked",
              protocol,
              (ws, r) -> ws.encode(true, 0, RawWebSocket.BINARY, false, -1, inputFrame(0, "x"))),
          new Fault(
              "ping-too-long", protocol, (ws, r) -> ws.encode(RawWebSocket.PING, new byte[126])),
          new Fault(
              "ping-fragmented",
              protocol,
              (ws, r) -> ws.encode(false, 0, RawWebSocket.PING, true, -1, new byte[4])),
          new Fault(
              "continuation-without-start",
              protocol,
              (ws, r) ->
                  ws.encode(true, 0, RawWebSocket.CONTINUATION, true, -1, inputFrame(0, "x"))),
          new Fault(
              "text-not-json", List.of(4000), (ws, r) -> ws.text("{\"type\":\"heartbeat\"} x")),
          new Fault(
              "binary-too-short",
              List.of(4000),
              (ws, r) -> ws.encode(RawWebSocket.BINARY, new byte[] {0, 0, 0})),
          new Fault(
              "binary-too-large",
              List.of(4005),
              (ws, r) -> ws.encode(RawWebSocket.BINARY, new byte[8 + 65_537])),
          new Fault("second-hello", List.of(4000), (ws, r) -> ws.text(hello("t", null, false))),
          new Fault(
              "close-with-a-bad-code",
              protocol,
              (ws, r) -> ws.encode(RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE7})),
          new Fault(
              "close-then-more",
              List.of(1000),
              (ws, r) -> ws.encode(RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8})));
    }

    /** Strings as UTF-8 and ints as single bytes, in order. */
    static byte[] bytes(Object... parts) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      for (Object part : parts) {
        if (part instanceof String s) {
          out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        } else {
          out.write((Integer) part);
        }
      }
      return out.toByteArray();
    }
  }

  /**
   * A client that stops reading (and so stops answering) while the shell streams is closed by the
   * server ({@code 4007}), and the session's other client gets every byte and stays connected.
   */
  @Test
  void aClientThatNeverReadsIsClosedAndChangesNothingForOthers() throws Exception {
    try (Terminal reader = Terminal.open(ALICE);
        RawWebSocket stalled = attach(ALICE, reader.sessionId(), false, new Random(SEED), 4096)) {
      long heartbeat =
          reader.messages().stream()
              .filter(m -> m.getString("type").equals("attached"))
              .findFirst()
              .orElseThrow()
              .getJsonNumber("heartbeatMillis")
              .longValue();
      // From here on the stalled client reads nothing and says nothing.
      reader.type("seq 1 300000; echo SEQ-$((2*3))\r");
      reader.awaitOutput(o -> o.contains("SEQ-6"), Duration.ofSeconds(60), "the whole seq");
      io.tether.it.support.SeqOutput.assertExactSequence(reader.output(), 300_000);

      RawWebSocket.Frame close = stalled.awaitClose(Duration.ofMillis(4 * heartbeat + 10_000));
      assertNotNull(close, "the stalled client was never closed");
      assertEquals(4007, close.closeCode(), close.closeReason());
      assertFalse(reader.connection().closed.isDone(), "the reading client was disconnected");
      reader.type("echo still-$((3+4))\r");
      reader.awaitOutput("still-7");
      reader.exitShell();
    }
  }

  private static void await(ThrowingCondition condition, String what) throws Exception {
    Instant deadline = Instant.now().plusSeconds(20);
    while (!condition.holds()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20); // polling a file the shell writes: there is no event for "written"
    }
  }

  private interface ThrowingCondition {
    boolean holds() throws Exception;
  }
}
