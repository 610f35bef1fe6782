package io.tether.relay;

import io.tether.protocol.CloseCode;

/** The owner of a session is alive but could not be reached; the client should retry later. */
public class RelayUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;
  private final CloseCode closeCode;

  /** The client is closed with {@code closeCode} and its sentence. */
  public RelayUnavailableException(CloseCode closeCode) {
    super(closeCode.sentence());
    this.closeCode = closeCode;
  }

  public CloseCode closeCode() {
    return closeCode;
  }
}
