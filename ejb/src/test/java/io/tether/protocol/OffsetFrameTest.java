package io.tether.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OffsetFrameTest {
  @ParameterizedTest
  @ValueSource(longs = {0, 1, 255, 4_294_967_296L, Long.MAX_VALUE})
  void roundTripsOffsetAndPayload(long offset) throws Exception {
    byte[] payload = "€ and ü".getBytes(StandardCharsets.UTF_8);
    OffsetFrame frame = OffsetFrame.decode(OffsetFrame.encode(offset, payload, 0, payload.length));
    assertEquals(offset, frame.offset());
    byte[] back = new byte[frame.length()];
    frame.payload().get(back);
    assertEquals("€ and ü", new String(back, StandardCharsets.UTF_8));
  }

  @Test
  void offsetIsBigEndian() throws Exception {
    ByteBuffer wire = ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 0, 0, 1, 2, 'x'});
    assertEquals(258, OffsetFrame.decode(wire).offset());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 7})
  void aFrameShorterThanItsOffsetIsAProtocolError(int length) {
    ProtocolException e =
        assertThrows(
            ProtocolException.class, () -> OffsetFrame.decode(ByteBuffer.allocate(length)));
    assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode());
  }

  @Test
  void anOversizedFrameIsRefused() {
    ProtocolException e =
        assertThrows(
            ProtocolException.class,
            () -> OffsetFrame.decode(ByteBuffer.allocate(Limits.MAX_BINARY_BYTES + 1)));
    assertEquals(CloseCode.FRAME_TOO_LARGE, e.closeCode());
  }

  @Test
  void aNegativeOffsetIsRefused() {
    ByteBuffer wire = ByteBuffer.allocate(9).putLong(-1).put((byte) 1).flip();
    assertThrows(ProtocolException.class, () -> OffsetFrame.decode(wire));
  }

  @Test
  void aFullSizeFrameIsAccepted() throws Exception {
    assertEquals(
        Limits.MAX_PAYLOAD_BYTES,
        OffsetFrame.decode(ByteBuffer.allocate(Limits.MAX_BINARY_BYTES)).length());
  }
}
