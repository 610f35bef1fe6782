package io.tether.protocol;

/** The protocol's fixed limits (docs/protocol.md, "Frames"). */
public final class Limits {
  /** Largest text frame, in bytes. */
  public static final int MAX_TEXT_BYTES = 4096;

  /** Largest payload of a binary frame, in bytes. */
  public static final int MAX_PAYLOAD_BYTES = 65536;

  /** Largest binary frame: the 8-byte offset and the payload. */
  public static final int MAX_BINARY_BYTES = OffsetFrame.HEADER_BYTES + MAX_PAYLOAD_BYTES;

  public static final String SUBPROTOCOL = "tether.v1";

  private Limits() {}
}
