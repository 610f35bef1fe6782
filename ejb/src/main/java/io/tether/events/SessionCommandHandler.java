package io.tether.events;

/**
 * What a node does with an admin's command for one of its sessions (see {@link SessionCommand}).
 * Implemented by the node's session manager; called on the command consumer's thread. A session
 * this node does not hold (it ended meanwhile) is ignored.
 */
public interface SessionCommandHandler {
  /** Ends the session: its clients are closed with {@code killed-by-admin} (4009). */
  void kill(String sessionId, String by);

  /** Sends a {@code broadcast} notice to the session's attached clients. */
  void notice(String sessionId, String message);

  /**
   * Closes every client attached to the session with {@code detached-by-admin} (4013); the session
   * lives on and may be resumed.
   */
  void detach(String sessionId, String by);

  /** Sends a {@code broadcast} notice to the attached clients of every session on this node. */
  void noticeAll(String message);

  /** Takes no new sessions on this node; its sessions go on and their users are told. */
  void drain(String by);

  /** Takes new sessions again. */
  void undrain(String by);
}
