package io.tether.events;

/** The broker did not take a command: nothing will happen to the session. */
public class CommandNotSentException extends Exception {
  private static final long serialVersionUID = 1L;

  public CommandNotSentException(SessionCommand command, Throwable cause) {
    super("could not send " + command.kind() + " for session " + command.sessionId(), cause);
  }
}
