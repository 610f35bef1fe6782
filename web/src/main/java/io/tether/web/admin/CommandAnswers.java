package io.tether.web.admin;

import io.tether.events.CommandNotSentException;
import io.tether.events.CommandOutcome;
import io.tether.events.SessionCommand;
import io.tether.events.SessionCommands;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Sends a command and turns what became of it into the API's answer, the same for every command of
 * the admin API and for a user's end of an own session: {@code 200} with {@code done} once the
 * nodes it was for said they carried it out; {@code 404 no-such-session} if the owner answered that
 * it no longer holds the session; {@code 504 command-unconfirmed} if a node did not answer in time
 * (the command may or may not have happened: it is never reported as done); {@code 503
 * commands-unavailable} if the broker did not take it.
 */
public final class CommandAnswers {
  private static final Logger LOG = Logger.getLogger(CommandAnswers.class.getName());

  private CommandAnswers() {}

  /**
   * @param nodes the nodes that must answer: the session's owner, or every member
   * @param done the body of the {@code 200} answer
   * @param what what the command does, for the error sentences ("The session could not be ended.")
   */
  public static Response send(
      SessionCommands commands,
      SessionCommand command,
      Set<String> nodes,
      Supplier<Object> done,
      String what) {
    CommandOutcome outcome;
    try {
      outcome = commands.send(command, nodes);
    } catch (CommandNotSentException e) {
      return ApiError.commandNotSent(e, what);
    }
    if (!outcome.confirmed()) {
      LOG.warning(() -> command + ": unconfirmed by " + outcome.silent());
      return ApiError.response(
          Response.Status.GATEWAY_TIMEOUT,
          "command-unconfirmed",
          String.format(
              "%s %s did not confirm the %s within %d s: it may not have happened. Try again.",
              outcome.silent().size() == 1 ? "Node" : "Nodes",
              String.join(", ", outcome.silent()),
              command.kind(),
              Math.max(1, commands.confirmTimeout().toSeconds())));
    }
    if (!outcome.done()) {
      return ApiError.response(
          Response.Status.NOT_FOUND,
          "no-such-session",
          "Session " + command.sessionId() + " is no longer on node " + command.node() + ".");
    }
    return Response.ok(done.get()).build();
  }
}
