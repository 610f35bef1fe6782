package io.tether.session;

import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.MessageCodec;
import io.tether.protocol.OffsetFrame;
import io.tether.protocol.ProtocolException;
import io.tether.ticket.Ticket;
import io.tether.ticket.TicketStore;
import java.nio.ByteBuffer;
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
  private volatile boolean helloReceived;
  private volatile Attachment attachment;
  private volatile boolean closed;

  public ClientConnection(ClientChannel channel, TicketStore tickets, SessionManager sessions) {
    this.channel = channel;
    this.tickets = tickets;
    this.sessions = sessions;
  }

  public void onText(String text) {
    try {
      handle(MessageCodec.parse(text));
    } catch (ProtocolException e) {
      refuse(e);
    }
  }

  public void onBinary(ByteBuffer frame) {
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
    Attachment attached = attachment;
    if (attached != null) {
      attached.lost();
    }
  }

  public boolean helloReceived() {
    return helloReceived;
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
    if (message instanceof ClientMessage.Hello hello) {
      hello(hello);
      return;
    }
    Attachment attached = attachedOrFail();
    attached.heard();
    if (message instanceof ClientMessage.Ack ack) {
      attached.acknowledge(ack.offset());
    } else if (message instanceof ClientMessage.Resize resize) {
      attached.session().resize(resize.cols(), resize.rows());
    }
    // A heartbeat needs nothing beyond being heard.
  }

  private synchronized void hello(ClientMessage.Hello hello) throws ProtocolException {
    if (helloReceived) {
      throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "a second hello");
    }
    helloReceived = true;
    Ticket ticket =
        tickets
            .redeem(hello.ticket())
            .orElseThrow(() -> new ProtocolException(CloseCode.BAD_TICKET, null));
    Attachment attached =
        hello.resumes()
            ? sessions.resume(ticket, hello, channel)
            : sessions.open(ticket, hello, channel);
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
