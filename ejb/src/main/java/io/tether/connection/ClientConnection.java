package io.tether.connection;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.ClientMessage;
import io.tether.protocol.CloseCode;
import io.tether.protocol.MessageCodec;
import io.tether.protocol.OffsetFrame;
import io.tether.protocol.ProtocolException;
import io.tether.relay.Relay;
import io.tether.relay.RelayUnavailableException;
import io.tether.session.Attachment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The protocol state of one connection, independent of the WebSocket API: its first frame goes to
 * its {@link HelloHandler}, which attaches it here or relays it to the session's owner; after that
 * acks, resizes, heartbeats and input go to its attachment, or every frame to its relay unchanged.
 * A fault closes this connection with its code and never changes the session.
 */
public final class ClientConnection {
  private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());

  private final ClientChannel channel;
  private final HelloHandler helloHandler;
  private final AtomicBoolean helloReceived = new AtomicBoolean();
  private volatile Attachment attachment;
  private volatile Relay relay;
  private volatile CompletableFuture<Attachment> awaited; // an observer waiting for consent
  private volatile boolean closed;
  private volatile boolean vanished; // how the transport closed, if it did before the hello ended

  public ClientConnection(ClientChannel channel, HelloHandler helloHandler) {
    this.channel = channel;
    this.helloHandler = helloHandler;
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
      if (helloReceived.compareAndSet(false, true)) {
        hello(text);
      } else {
        handle(MessageCodec.parse(text));
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
      attached.input(input);
    } catch (ProtocolException e) {
      refuse(e);
    }
  }

  /**
   * An input frame written to the shell on the thread it arrived on, if that needs no waiting: the
   * connection is attached to its session here (not relayed, not still in its hello), the frame is
   * sound, and the shell takes it at once.
   *
   * @return true when the frame is done with; false when it is for {@link #onBinary}, in order with
   *     whatever of this connection is still pending (only the part not written here is written
   *     there)
   */
  public boolean inputNow(ByteBuffer frame) {
    Attachment attached = attachment;
    if (closed || relay != null || attached == null) {
      return false;
    }
    try {
      if (!attached.inputNow(OffsetFrame.decode(frame))) {
        return false;
      }
    } catch (ProtocolException e) {
      return false; // refused by onBinary
    }
    attached.heard();
    return true;
  }

  /**
   * The transport closed by itself.
   *
   * @param abrupt true when the client vanished without a close (a network blip, a reset), false
   *     when it closed the connection
   */
  public void onClosed(boolean abrupt) {
    vanished = abrupt;
    closed = true;
    Relay relayed = relay;
    if (relayed != null) {
      if (abrupt) {
        relayed.clientVanished();
      } else {
        relayed.clientClosed();
      }
    }
    Attachment attached = attachment;
    if (attached != null) {
      attached.lost(abrupt);
    }
    CompletableFuture<Attachment> waiting = awaited;
    if (waiting != null) {
      waiting.cancel(false); // its request is withdrawn
    }
  }

  /** Closes the connection with {@code 4000} unless its first frame has come by {@code within}. */
  void expectHelloWithin(ScheduledExecutorService scheduler, Duration within) {
    scheduler.schedule(
        () -> {
          if (!helloReceived.get()) {
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
    CompletableFuture<Attachment> waiting = awaited;
    if (waiting != null) {
      waiting.cancel(false); // a waiting observer's fault: its request is withdrawn
    }
    Attachment attached = attachment;
    if (attached != null) {
      attached.close(e.closeCode(), e.getMessage());
    } else {
      channel.close(e.closeCode(), e.closeCode().reason(e.getMessage()));
    }
  }

  /** The first frame: no lock is held while a relay's upstream connects. */
  private void hello(String text) throws ProtocolException {
    HelloHandler.Route route;
    try {
      route = helloHandler.hello(text, channel);
    } catch (RelayUnavailableException e) {
      closed = true;
      channel.close(e.closeCode(), e.getMessage());
      return;
    }
    if (route instanceof HelloHandler.Relayed relayed) {
      relay = relayed.relay();
      if (closed) { // the socket went away while the relay was connecting
        if (vanished) {
          relayed.relay().clientVanished();
        } else {
          relayed.relay().clientClosed();
        }
      }
    } else if (route instanceof HelloHandler.Attached attached) {
      attach(attached.attachment());
    } else if (route instanceof HelloHandler.Awaiting awaiting) {
      awaited = awaiting.attachment();
      awaiting.attachment().whenComplete(this::admitted);
      if (closed) { // the socket went away while the hello was being served
        awaiting.attachment().cancel(false);
      }
    }
  }

  private void attach(Attachment attached) {
    attachment = attached;
    if (closed) {
      // The socket went away while the hello was being served (recording the attach can take
      // longer than a blip): a vanished client still holds output back for its reconnect.
      attached.lost(vanished);
    }
  }

  /** An observer that waited for consent is attached now, or refused. */
  private void admitted(Attachment attached, Throwable refusal) {
    if (attached != null) {
      attach(attached);
    } else if (refusal instanceof CompletionException e
        && e.getCause() instanceof ProtocolException cause) {
      refuse(cause);
    } else if (refusal instanceof ProtocolException cause) {
      refuse(cause);
    } // cancelled: this connection went away first
  }

  private void handle(ClientMessage message) throws ProtocolException {
    if (message instanceof ClientMessage.Hello) {
      throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "a second hello");
    }
    if (awaitingConsent()
        && (message instanceof ClientMessage.Ack || message instanceof ClientMessage.Heartbeat)) {
      // The user's consent attaches this observer on another thread, which sends `attached` (and
      // the replay) a moment before this connection learns of it: an ack or heartbeat in between
      // is the client's answer to that, and changes nothing yet.
      return;
    }
    Attachment attached = attachedOrFail();
    attached.heard();
    if (message instanceof ClientMessage.Ack ack) {
      attached.acknowledge(ack.offset());
    } else if (message instanceof ClientMessage.Resize resize) {
      attached.resize(resize.cols(), resize.rows());
    } else if (message instanceof ClientMessage.Heartbeat) {
      attached.answerHeartbeat();
    } else if (message instanceof ClientMessage.ObserveAnswer answer) {
      attached.answerObserveRequest(answer.requestId(), answer.accept());
    }
  }

  /** An observer waiting for the user's consent: no attachment yet. */
  private boolean awaitingConsent() {
    CompletableFuture<Attachment> waiting = awaited;
    return attachment == null && waiting != null && !waiting.isDone();
  }

  private Attachment attachedOrFail() throws ProtocolException {
    Attachment attached = attachment;
    CompletableFuture<Attachment> waiting = awaited;
    if (attached == null
        && waiting != null
        && waiting.isDone()
        && !waiting.isCompletedExceptionally()) {
      attached = waiting.getNow(null); // admitted a moment ago, this connection not yet told
    }
    if (attached == null) {
      throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "hello must come first");
    }
    return attached;
  }
}
