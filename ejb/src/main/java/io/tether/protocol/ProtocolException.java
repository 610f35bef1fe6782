package io.tether.protocol;

/** A client broke the protocol or was refused; carries the close code the connection ends with. */
public class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;
  private final CloseCode closeCode;

  public ProtocolException(CloseCode closeCode, String detail) {
    super(detail);
    this.closeCode = closeCode;
  }

  public CloseCode closeCode() {
    return closeCode;
  }
}
