package io.tether.relay;

/** The owner of a session is alive but could not be reached; the client should retry later. */
public class RelayUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int closeCode;

  public RelayUnavailableException(int closeCode, String reason) {
    super(reason);
    this.closeCode = closeCode;
  }

  public int closeCode() {
    return closeCode;
  }
}
