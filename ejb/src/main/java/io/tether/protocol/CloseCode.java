package io.tether.protocol;

/**
 * Every way Tether ends a connection: the WebSocket close code, a stable name and the sentence a
 * person reads. One table, used by the endpoint, the relay, the REST API and the docs; the browser
 * keeps the same table in {@code protocol.js}. Tether's own codes are 40xx; a node that relays a
 * client to the session's owner also sends three standard WebSocket codes (RFC 6455 and the IANA
 * registry), each of which tells the client to come back.
 */
public enum CloseCode {
  // Standard WebSocket codes, sent by a relaying node.
  GOING_AWAY(1001, "going-away", "This server is shutting down.", false),
  SERVICE_RESTART(
      1012, "service-restart", "The connection to the session's server was interrupted.", false),
  TRY_AGAIN_LATER(1013, "try-again-later", "The session's server cannot be reached.", false),
  // Tether's own.
  PROTOCOL_ERROR(4000, "protocol-error", "Protocol error.", false),
  BAD_TICKET(4001, "bad-ticket", "Your ticket was invalid, already used or expired.", false),
  ORIGIN_REJECTED(
      4002, "origin-rejected", "This page's origin is not allowed to open terminals.", false),
  NOT_YOUR_SESSION(4003, "not-your-session", "That session belongs to another user.", false),
  NO_SUCH_SESSION(4004, "no-such-session", "That session no longer exists.", false),
  FRAME_TOO_LARGE(4005, "frame-too-large", "A message was larger than the protocol allows.", false),
  SHELL_EXITED(4006, "shell-exited", "The shell exited.", true),
  HEARTBEAT_TIMEOUT(4007, "heartbeat-timeout", "The server stopped hearing from this page.", false),
  IDLE_TIMEOUT(4008, "idle-timeout", "The session was closed after being idle too long.", true),
  KILLED_BY_ADMIN(4009, "killed-by-admin", "The session was ended by an administrator.", true),
  NODE_LOST(4010, "node-lost", "The server that ran this session was lost.", true),
  NODE_DRAINING(4011, "node-draining", "This server is draining and takes no new sessions.", false),
  LIMIT_REACHED(4012, "limit-reached", "You have reached your limit of sessions.", false),
  DETACHED_BY_ADMIN(4013, "detached-by-admin", "An administrator detached this page.", false),
  NODE_STOPPING(4014, "node-stopping", "The server is shutting down.", true),
  REPLACED(
      4015, "replaced", "This page was replaced by a newer connection of the same client.", false),
  READ_ONLY(4016, "read-only", "This connection only observes the session; it cannot type.", false),
  RESOURCE_LIMIT(
      4017, "resource-limit", "The session went over its memory limit and was ended.", true),
  NODE_FULL(4018, "node-full", "This server has no room for another session right now.", false),
  OBSERVE_REFUSED(
      4019, "observe-refused", "The session's user did not agree to be observed.", false),
  ENDED_BY_USER(4020, "ended-by-user", "The session was ended by its user.", true),
  CUT_OFF(
      4021,
      "cut-off",
      "This server is cut off from most of its cluster; connect through another.",
      false);

  private final int code;
  private final String label;
  private final String sentence;
  private final boolean endsSession;

  CloseCode(int code, String label, String sentence, boolean endsSession) {
    this.code = code;
    this.label = label;
    this.sentence = sentence;
    this.endsSession = endsSession;
  }

  public int code() {
    return code;
  }

  /** The stable machine name, as in {@code docs/protocol.md}. */
  public String label() {
    return label;
  }

  public String sentence() {
    return sentence;
  }

  /** Whether a session closed for this reason is over (the shell is gone). */
  public boolean endsSession() {
    return endsSession;
  }

  /**
   * The close reason sent on the wire: the sentence, or a more specific one, cut to the 123 bytes a
   * close frame allows.
   */
  public String reason(String detail) {
    String text = detail == null || detail.isBlank() ? sentence : detail;
    return Utf8.truncate(text, 123);
  }

  public static CloseCode of(int code) {
    for (CloseCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    throw new IllegalArgumentException("not a Tether close code: " + code);
  }
}
