package io.tether.connection;

import io.tether.protocol.ClientChannel;
import io.tether.protocol.ProtocolException;
import io.tether.relay.Relay;
import io.tether.relay.RelayUnavailableException;
import io.tether.session.Attachment;
import java.util.concurrent.CompletableFuture;

/**
 * Serves one kind of first frame: a browser's {@code hello} ({@link BrowserHello}) or another
 * node's {@code relay-hello} ({@link RelayedHello}).
 */
public interface HelloHandler {
  /** Where a connection's later frames go. */
  sealed interface Route permits Attached, Awaiting, Relayed {}

  /** To an attachment on this node. */
  record Attached(Attachment attachment) implements Route {}

  /**
   * To an attachment on this node once the session's user agrees to be observed; completed
   * exceptionally with the {@link ProtocolException} that refuses the observer. Cancelled when the
   * connection goes away first.
   */
  record Awaiting(CompletableFuture<Attachment> attachment) implements Route {}

  /** Unchanged, to the session's owner node. */
  record Relayed(Relay relay) implements Route {}

  /**
   * @param text the connection's first text frame
   * @throws ProtocolException the close code for a frame or request that is refused
   * @throws RelayUnavailableException the owner node cannot be reached now (retryable)
   */
  Route hello(String text, ClientChannel channel)
      throws ProtocolException, RelayUnavailableException;
}
