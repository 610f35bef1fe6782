package io.tether.connection;

import io.tether.cluster.Quorum;
import io.tether.node.SessionLauncher;
import io.tether.node.SessionObservers;
import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.MessageCodec;
import io.tether.protocol.ProtocolException;
import io.tether.relay.RelayConnector;
import io.tether.relay.RelayUnavailableException;
import io.tether.ticket.Ticket;
import io.tether.ticket.TicketStore;
import java.util.Optional;

/**
 * A browser's {@code hello}: the ticket is redeemed, then a new session starts here, a session
 * owned by another node is relayed there (the client's {@code hello} passed on verbatim), and any
 * other is attached here (an observer once the session's user agrees, under the consent policy).
 */
final class BrowserHello implements HelloHandler {
  private final TicketStore tickets;
  private final SessionLauncher launcher;
  private final SessionObservers observers;
  private final RelayConnector relays;
  private final Quorum quorum;

  BrowserHello(
      TicketStore tickets,
      SessionLauncher launcher,
      SessionObservers observers,
      RelayConnector relays,
      Quorum quorum) {
    this.tickets = tickets;
    this.launcher = launcher;
    this.observers = observers;
    this.relays = relays;
    this.quorum = quorum;
  }

  @Override
  public Route hello(String text, ClientChannel channel)
      throws ProtocolException, RelayUnavailableException {
    if (!(MessageCodec.parse(text) instanceof ClientMessage.Hello hello)) {
      throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "hello must come first");
    }
    Ticket ticket =
        redeem(hello.ticket())
            .orElseThrow(
                // Cut off, this node sees only the tickets issued on its side.
                () ->
                    new ProtocolException(
                        quorum.held() ? CloseCode.BAD_TICKET : CloseCode.CUT_OFF, null));
    if (!hello.resumes()) {
      return new Attached(launcher.open(ticket, hello, channel));
    }
    Optional<String> owner = launcher.remoteOwner(hello.sessionId(), ticket, hello.observe());
    if (owner.isPresent()) {
      return new Relayed(relays.open(owner.get(), ticket, text, channel));
    }
    return hello.observe()
        ? new Awaiting(observers.observe(ticket, hello, channel))
        : new Attached(launcher.resume(ticket, hello, channel));
  }

  private Optional<Ticket> redeem(String ticket) throws ProtocolException {
    try {
      return tickets.redeem(ticket);
    } catch (TicketStore.Unavailable e) { // a member froze: the client comes back
      throw new ProtocolException(CloseCode.TRY_AGAIN_LATER, "The cluster did not answer in time.");
    }
  }
}
