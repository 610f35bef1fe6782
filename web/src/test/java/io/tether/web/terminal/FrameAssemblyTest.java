package io.tether.web.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tether.connection.ClientConnection;
import io.tether.protocol.ClientChannel;
import io.tether.protocol.Limits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A message over the protocol's limit is refused once, and what the container still delivers of it
 * (its later pieces) is not taken for a new frame, though alone it would be a valid one.
 */
class FrameAssemblyTest {
  /** Records what the connection does to its transport. */
  private static final class Channel implements ClientChannel {
    final List<String> calls = new ArrayList<>();

    @Override
    public void sendBinary(ByteBuffer frame, Consumer<Throwable> done) {
      calls.add("binary");
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
      calls.add("text " + text);
    }

    @Override
    public void sendPing(Consumer<Throwable> done) {
      calls.add("ping");
    }

    @Override
    public void close(int code, String reason) {
      calls.add("close " + code);
    }

    @Override
    public String describe() {
      return "test";
    }
  }

  private final Channel channel = new Channel();
  // No hello yet: any frame the connection acted on would be refused with 4000.
  private final FrameAssembly assembly =
      new FrameAssembly(
          new ClientConnection(
              channel,
              (text, ch) -> {
                throw new AssertionError("a frame reached the hello handler: " + text);
              }),
          Runnable::run);

  @Test
  void theRestOfAnOversizedBinaryMessageIsIgnored() {
    assembly.binary(ByteBuffer.allocate(Limits.MAX_BINARY_BYTES + 1), false);
    byte[] command = "echo hi\r".getBytes(StandardCharsets.US_ASCII);
    assembly.binary(ByteBuffer.allocate(8 + command.length).putLong(0).put(command).flip(), true);

    assertEquals(List.of("close 4005"), channel.calls);
  }

  @Test
  void theRestOfAnOversizedTextMessageIsIgnored() {
    assembly.text("x".repeat(Limits.MAX_TEXT_BYTES + 1), false);
    assembly.text("{\"type\":\"heartbeat\"}", true);

    assertEquals(List.of("close 4005"), channel.calls);
  }

  @Test
  void aMessageInPiecesWithinTheLimitIsOneFrame() {
    assembly.binary(ByteBuffer.allocate(8).putLong(0).flip(), false);
    assembly.binary(ByteBuffer.wrap("echo hi\r".getBytes(StandardCharsets.US_ASCII)), true);

    assertEquals(
        List.of("close 4000"), channel.calls, "one frame, refused for coming before hello");
  }

  @Test
  void nothingActsOnceTheContainerHasBegunClosing() {
    AtomicBoolean closing = new AtomicBoolean();
    FrameAssembly gated = new FrameAssembly(connectionWithoutHello(), Runnable::run, closing::get);
    gated.binary(ByteBuffer.allocate(12).putLong(0).put("ls\r".getBytes()).flip(), true);
    assertEquals(List.of("close 4000"), channel.calls, "before the fault, frames act");

    channel.calls.clear();
    FrameAssembly faulted =
        new FrameAssembly(connectionWithoutHello(), Runnable::run, closing::get);
    closing.set(true); // e.g. invalid UTF-8 in a text frame: the container sent 1007
    faulted.binary(ByteBuffer.allocate(12).putLong(0).put("ls\r".getBytes()).flip(), true);
    faulted.text("{\"type\":\"heartbeat\"}", true);
    closing.set(false); // what the container says later changes nothing
    faulted.binary(ByteBuffer.allocate(12).putLong(0).put("ls\r".getBytes()).flip(), true);
    assertEquals(List.of(), channel.calls);
  }

  @Test
  void nothingActsAfterTheTransportClosedOrFailed() {
    assembly.closed(false);
    assembly.binary(ByteBuffer.allocate(12).putLong(0).put("ls\r".getBytes()).flip(), true);
    assembly.text("{\"type\":\"heartbeat\"}", true);
    assertEquals(List.of(), channel.calls);
  }

  private ClientConnection connectionWithoutHello() {
    return new ClientConnection(
        channel,
        (text, ch) -> {
          throw new AssertionError("a frame reached the hello handler: " + text);
        });
  }
}
