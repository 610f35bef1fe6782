package io.tether.web.terminal;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.CloseCode;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The relay endpoint's channel: whoever reaches {@code /ws/relay} learns nothing about the cluster
 * from a close. Every close carries only its code's public sentence (a code outside Tether's table,
 * none); the specific reason, which may name nodes or say why a relay token did not verify, is
 * logged here instead.
 */
final class NeutralReasons implements ClientChannel {
  private static final Logger LOG = Logger.getLogger(NeutralReasons.class.getName());

  private final ClientChannel channel;

  NeutralReasons(ClientChannel channel) {
    this.channel = channel;
  }

  /** What the peer reads for {@code code}, whatever the detail was. */
  static String reasonFor(int code) {
    for (CloseCode known : CloseCode.values()) {
      if (known.code() == code) {
        return known.sentence();
      }
    }
    return "";
  }

  @Override
  public void close(int code, String reason) {
    // Refusals (bad frames, bad relay tokens) are worth an operator's look; ends are routine.
    Level level = code == 4000 || code == 4001 || code == 4005 ? Level.INFO : Level.FINE;
    LOG.log(level, () -> "relay " + channel.describe() + " closed with " + code + ": " + reason);
    channel.close(code, reasonFor(code));
  }

  @Override
  public void sendBinary(ByteBuffer frame, Consumer<Throwable> done) {
    channel.sendBinary(frame, done);
  }

  @Override
  public void sendText(String text, Consumer<Throwable> done) {
    channel.sendText(text, done);
  }

  @Override
  public void sendPing(Consumer<Throwable> done) {
    channel.sendPing(done);
  }

  @Override
  public String describe() {
    return channel.describe();
  }
}
