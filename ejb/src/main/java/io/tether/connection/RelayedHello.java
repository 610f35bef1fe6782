package io.tether.connection;

import io.tether.node.SessionLauncher;
import io.tether.node.SessionObservers;
import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.MessageCodec;
import io.tether.protocol.ProtocolException;
import io.tether.relay.RelayConnector;
import io.tether.relay.RelayHello;
import io.tether.ticket.Ticket;
import java.time.Instant;

/**
 * The owner's end of a relay: another node's {@code relay-hello}, whose HMAC proves it holds the
 * cluster secret, vouches for the user; the session must be here, and the client is attached.
 */
final class RelayedHello implements HelloHandler {
  private final SessionLauncher launcher;
  private final SessionObservers observers;
  private final RelayConnector relays;

  RelayedHello(SessionLauncher launcher, SessionObservers observers, RelayConnector relays) {
    this.launcher = launcher;
    this.observers = observers;
    this.relays = relays;
  }

  @Override
  public Route hello(String text, ClientChannel channel) throws ProtocolException {
    RelayHello relayed = relays.authenticate(text);
    if (!(MessageCodec.parse(relayed.hello()) instanceof ClientMessage.Hello hello)
        || !hello.resumes()) {
      throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "a relay carries a resuming hello");
    }
    Ticket vouched =
        new Ticket("relayed", relayed.user(), relayed.roles(), Instant.now().plusSeconds(30));
    return hello.observe()
        ? new Awaiting(observers.observe(vouched, hello, channel))
        : new Attached(launcher.resume(vouched, hello, channel));
  }
}
