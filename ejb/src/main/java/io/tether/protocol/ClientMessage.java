package io.tether.protocol;

/** A text frame from a client, parsed and validated by {@link MessageCodec}. */
public sealed interface ClientMessage
    permits ClientMessage.Hello,
        ClientMessage.Ack,
        ClientMessage.Resize,
        ClientMessage.Heartbeat,
        ClientMessage.ObserveAnswer {

  /**
   * The first frame of every connection.
   *
   * @param sessionId the session to resume, or null for a new one
   * @param observe an administrator watches the session read-only: no input, no resize
   */
  record Hello(
      String ticket,
      String sessionId,
      long resumeOffset,
      String clientId,
      long inputOffset,
      int cols,
      int rows,
      boolean observe)
      implements ClientMessage {
    public boolean resumes() {
      return sessionId != null;
    }
  }

  /** Output processed: {@code offset} is the next output offset the client expects. */
  record Ack(long offset) implements ClientMessage {}

  record Resize(int cols, int rows) implements ClientMessage {}

  record Heartbeat() implements ClientMessage {}

  /**
   * The session's user answers an administrator's request to observe it (policy {@code consent}).
   *
   * @param requestId the request's id, from {@code observe-request}
   * @param accept true to let the administrator watch, false to refuse
   */
  record ObserveAnswer(String requestId, boolean accept) implements ClientMessage {}
}
