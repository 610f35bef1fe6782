package io.tether.session;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.MessageCodec;
import io.tether.protocol.OffsetFrame;
import io.tether.protocol.ProtocolException;
import io.tether.relay.Relay;
import io.tether.relay.RelayConnector;
import io.tether.relay.RelayHello;
import io.tether.relay.RelayUnavailableException;
import io.tether.ticket.Ticket;
import io.tether.ticket.TicketStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The protocol state of one connection, independent of the WebSocket API: expects {@code hello}
 * first, then routes acks, resizes, heartbeats and input to its attachment. A fault closes this
 * connection with its code and never changes the session.
 */
public final class ClientConnection {
  private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());

  private final ClientChannel channel;
  private final TicketStore tickets;
  private final SessionManager sessions;
  private final RelayConnector relays;
  private final boolean fromRelay;
  private volatile boolean helloReceived;
  private volatile Attachment attachment;
  private volatile Relay relay;
  private volatile boolean closed;

  /**
   * @param fromRelay true on the owner's end of a relay: the first frame is a {@code relay-hello}
   *     from another node instead of a client's {@code hello}
   */
  public ClientConnection(
      ClientChannel channel,
      TicketStore tickets,
      SessionManager sessions,
      RelayConnector relays,
      boolean fromRelay) {
    this.channel = channel;
    this.tickets = tickets;
    this.sessions = sessions;
    this.relays = relays;
    this.fromRelay = fromRelay;
  }

  public void onText(String text) {
    if (closed) {
      return; // refused or gone: whatever still arrives is not a frame to act on
    }
    Relay relayed = relay;
    if (relayed != null) {
      relayed.forwardText(text);
      return;
    }
    try {
      if (fromRelay && !helloReceived) {
        relayHello(text);
        return;
      }
      ClientMessage message = MessageCodec.parse(text);
      if (message instanceof ClientMessage.Hello hello) {
        hello(hello, text);
      } else {
        handle(message);
      }
    } catch (ProtocolException e) {
      refuse(e);
    }
  }

  public void onBinary(ByteBuffer frame) {
    if (closed) {
      return;
    }
    Relay relayed = relay;
    if (relayed != null) {
      relayed.forwardBinary(frame);
      return;
    }
    try {
      OffsetFrame input = OffsetFrame.decode(frame);
      Attachment attached = attachedOrFail();
      attached.heard();
      attached.session().input(attached, input);
    } catch (ProtocolException e) {
      refuse(e);
    }
  }

  /** The transport closed by itself (client close, network error). */
  public void onClosed() {
    closed = true;
    Relay relayed = relay;
    if (relayed != null) {
      relayed.clientClosed();
    }
    Attachment attached = attachment;
    if (attached != null) {
      attached.lost();
    }
  }

  public boolean helloReceived() {
    return helloReceived;
  }

  /** Closes the connection with {@code 4000} unless its first frame has come by {@code within}. */
  public void expectHelloWithin(ScheduledExecutorService scheduler, Duration within) {
    scheduler.schedule(
        () -> {
          if (!helloReceived) {
            refuse(new ProtocolException(CloseCode.PROTOCOL_ERROR, "No hello in time."));
          }
        },
        within.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Closes this connection with a code (hello timeout, frame too large, ...). */
  public void refuse(ProtocolException e) {
    LOG.fine(
        () ->
            "refusing "
                + channel.describe()
                + ": "
                + e.closeCode().label()
                + " ("
                + e.getMessage()
                + ")");
    closed = true;
    Attachment attached = attachment;
    if (attached != null) {
      attached.close(e.closeCode(), e.getMessage());
    } else {
      channel.close(e.closeCode(), e.closeCode().reason(e.getMessage()));
    }
  }

  private void handle(ClientMessage message) throws ProtocolException {
    Attachment attached = attachedOrFail();
    attached.heard();
    if (message instanceof ClientMessage.Ack ack) {
      attached.acknowledge(ack.offset());
    } else if (message instanceof ClientMessage.Resize resize) {
      attached.session().resize(attached, resize.cols(), resize.rows());
    }
    // A heartbeat needs nothing beyond being heard.
  }

  /**
   * A client's {@code hello}: a new session starts here; a session owned by another node is relayed
   * there, the client's {@code hello} passed on verbatim; any other is attached here.
   */
  private synchronized void hello(ClientMessage.Hello hello, String text) throws ProtocolException {
    if (helloReceived) {
      throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "a second hello");
    }
    helloReceived = true;
    Ticket ticket =
        tickets
            .redeem(hello.ticket())
            .orElseThrow(() -> new ProtocolException(CloseCode.BAD_TICKET, null));
    if (!hello.resumes()) {
      attached(sessions.open(ticket, hello, channel));
      return;
    }
    Optional<String> owner = sessions.remoteOwner(hello.sessionId(), ticket, hello.observe());
    if (owner.isPresent()) {
      try {
        relay = relays.open(owner.get(), ticket, text, channel);
      } catch (RelayUnavailableException e) {
        channel.close(e.closeCode(), e.getMessage());
        return;
      }
      if (closed) {
        relay.clientClosed();
      }
      return;
    }
    attached(sessions.resume(ticket, hello, channel));
  }

  /** The owner's end of a relay: another node vouches for the user; the session must be here. */
  private synchronized void relayHello(String text) throws ProtocolException {
    helloReceived = true;
    RelayHello relayed = relays.authenticate(text);
    if (!(MessageCodec.parse(relayed.hello()) instanceof ClientMessage.Hello hello)
        || !hello.resumes()) {
      throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "a relay carries a resuming hello");
    }
    Ticket vouched =
        new Ticket("relayed", relayed.user(), relayed.roles(), Instant.now().plusSeconds(30));
    attached(sessions.resume(vouched, hello, channel));
  }

  private void attached(Attachment attached) {
    attachment = attached;
    if (closed) {
      // The socket went away while the hello was being served.
      attached.lost();
    }
  }

  private Attachment attachedOrFail() throws ProtocolException {
    Attachment attached = attachment;
    if (attached == null) {
      throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "hello must come first");
    }
    return attached;
  }
}
