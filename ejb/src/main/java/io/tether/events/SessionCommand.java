package io.tether.events;

import java.io.Serializable;
import java.util.Objects;
import java.util.Set;

/**
 * An admin's command for a session, or its own user's {@code end}, sent to the node that owns it
 * ({@link SessionCommands}).
 *
 * @param kind {@code kill}, {@code notice} or {@code detach} for a session (an administrator's);
 *     {@code end} for a session its own user ends; {@code drain} or {@code undrain} for a whole
 *     node
 * @param sessionId the session, or {@link #ALL} (a notice to every session)
 * @param node the owner node's name, or {@link #ALL} (every node)
 * @param message the notice's text; null for kill and detach
 * @param issuedBy who sent it: the admin's user name, or for {@code end} the session's user
 */
public record SessionCommand(
    String kind, String sessionId, String node, String message, String issuedBy)
    implements Serializable {
  public static final String KILL = "kill";
  public static final String END = "end";
  public static final String NOTICE = "notice";
  public static final String DETACH = "detach";
  public static final String DRAIN = "drain";
  public static final String UNDRAIN = "undrain";

  /** Every session or every node. */
  public static final String ALL = "*";

  private static final Set<String> KINDS = Set.of(KILL, END, NOTICE, DETACH, DRAIN, UNDRAIN);
  private static final Set<String> NODE_KINDS = Set.of(DRAIN, UNDRAIN);

  public SessionCommand {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("unknown command kind: " + kind);
    }
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(node, "node");
    if (NOTICE.equals(kind) && (message == null || message.isBlank())) {
      throw new IllegalArgumentException("a notice needs a message");
    }
    if (NODE_KINDS.contains(kind)) {
      if (!ALL.equals(sessionId) || ALL.equals(node)) {
        throw new IllegalArgumentException(kind + " is for one node and all its sessions");
      }
    } else if (!NOTICE.equals(kind) && (ALL.equals(sessionId) || ALL.equals(node))) {
      throw new IllegalArgumentException(kind + " is for one session on its owner node");
    }
  }

  public static SessionCommand kill(String sessionId, String node, String by) {
    return new SessionCommand(KILL, sessionId, node, null, by);
  }

  /** The session's own user ends it (not an administrator): its clients are told so. */
  public static SessionCommand end(String sessionId, String node, String user) {
    return new SessionCommand(END, sessionId, node, null, user);
  }

  public static SessionCommand notice(String sessionId, String node, String message, String by) {
    return new SessionCommand(NOTICE, sessionId, node, message, by);
  }

  public static SessionCommand detach(String sessionId, String node, String by) {
    return new SessionCommand(DETACH, sessionId, node, null, by);
  }

  /** A notice to every session of the cluster: every node handles it for all its sessions. */
  public static SessionCommand noticeAll(String message, String by) {
    return new SessionCommand(NOTICE, ALL, ALL, message, by);
  }

  /** Drains {@code node}: it takes no new sessions; its sessions go on and are told. */
  public static SessionCommand drain(String node, String by) {
    return new SessionCommand(DRAIN, ALL, node, null, by);
  }

  /** Lets {@code node} take new sessions again. */
  public static SessionCommand undrain(String node, String by) {
    return new SessionCommand(UNDRAIN, ALL, node, null, by);
  }

  /** Whether the node named {@code nodeName} must act on this command. */
  public boolean isFor(String nodeName) {
    return ALL.equals(node) || node.equals(nodeName);
  }

  /**
   * Hands the command to the node's handler.
   *
   * @return whether the node held the session (always true for node-wide commands)
   */
  public boolean applyTo(SessionCommandHandler handler) {
    switch (kind) {
      case KILL -> {
        return handler.kill(sessionId, issuedBy);
      }
      case END -> {
        return handler.endOwn(sessionId, issuedBy);
      }
      case DETACH -> {
        return handler.detach(sessionId, issuedBy);
      }
      case DRAIN -> handler.drain(issuedBy);
      case UNDRAIN -> handler.undrain(issuedBy);
      case NOTICE -> {
        if (!ALL.equals(sessionId)) {
          return handler.notice(sessionId, message, issuedBy);
        }
        handler.noticeAll(message, issuedBy);
      }
      default -> throw new IllegalStateException(kind);
    }
    return true;
  }
}
