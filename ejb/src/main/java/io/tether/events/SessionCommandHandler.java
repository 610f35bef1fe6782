package io.tether.events;

/**
 * What a node does with an admin's command for one of its sessions (see {@link SessionCommand}).
 * Implemented by the node's session manager; called on the command consumer's thread. A session
 * this node does not hold (it ended meanwhile) is ignored, and the method says so: each returns
 * whether this node held the session, which the sender is told.
 */
public interface SessionCommandHandler {
  /** Ends the session: its clients are closed with {@code killed-by-admin} (4009). */
  boolean kill(String sessionId, String by);

  /**
   * Ends the session at its own user's request ({@code user}): its clients are closed with {@code
   * ended-by-user} (4020), not as an administrator's kill.
   */
  boolean endOwn(String sessionId, String user);

  /** Sends a {@code broadcast} notice from administrator {@code by} to the session's clients. */
  boolean notice(String sessionId, String message, String by);

  /**
   * Closes every client attached to the session with {@code detached-by-admin} (4013); the session
   * lives on and may be resumed.
   */
  boolean detach(String sessionId, String by);

  /**
   * Sends a {@code broadcast} notice from administrator {@code by} to the attached clients of every
   * session on this node.
   */
  void noticeAll(String message, String by);

  /** Takes no new sessions on this node; its sessions go on and their users are told. */
  void drain(String by);

  /** Takes new sessions again. */
  void undrain(String by);
}
