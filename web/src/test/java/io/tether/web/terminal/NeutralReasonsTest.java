package io.tether.web.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.CloseCode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Whatever a relay refusal's detail says, the peer reads only its code's public sentence. */
class NeutralReasonsTest {
  private final List<String> closes = new ArrayList<>();
  private final ClientChannel wire =
      new ClientChannel() {
        @Override
        public void sendBinary(ByteBuffer frame, Consumer<Throwable> done) {}

        @Override
        public void sendText(String text, Consumer<Throwable> done) {}

        @Override
        public void sendPing(Consumer<Throwable> done) {}

        @Override
        public void close(int code, String reason) {
          closes.add(code + " " + reason);
        }

        @Override
        public String describe() {
          return "test";
        }
      };

  @Test
  void aRefusalNamesNoNodeAndNoCheck() {
    ClientChannel neutral = new NeutralReasons(wire);
    neutral.close(CloseCode.BAD_TICKET, "relay addressed to node-2, not node-1");
    neutral.close(4000, "relay handshake without the subprotocol");
    neutral.close(CloseCode.NODE_LOST, "The server that ran this session was lost.");
    neutral.close(1011, "java.lang.IllegalStateException: in RelayedHello");
    assertEquals(
        List.of(
            "4001 " + CloseCode.BAD_TICKET.sentence(),
            "4000 " + CloseCode.PROTOCOL_ERROR.sentence(),
            "4010 " + CloseCode.NODE_LOST.sentence(),
            "1011 "),
        closes);
  }
}
