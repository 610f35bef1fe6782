package io.tether.events;

import io.tether.config.TetherSettings;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Topic;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends admin commands on the commands topic ({@value #TOPIC}) as JSON text messages with the
 * string property {@code node} (the owner node, or {@code *}); every node's {@link
 * SessionCommandConsumer} acts only on its own. Called from request threads, and waits: each
 * command carries an id ({@value #COMMAND_ID}) and this node's name ({@value #REPLY_TO}), the nodes
 * it is for answer on the replies topic ({@value #REPLY_TOPIC}) once they carried it out, and
 * {@link #send} returns what they answered, or which of them stayed silent for {@code
 * tether.commands.confirm-timeout-millis}. A command that was lost on the way therefore shows as
 * unconfirmed, never as done.
 */
@ApplicationScoped
public class SessionCommands {
  /** The commands topic, defined by {@link SessionCommandConsumer}. */
  public static final String TOPIC = "java:app/jms/tether/commands";

  /** The topic of the answers to commands, defined by {@link CommandReplyConsumer}. */
  public static final String REPLY_TOPIC = "java:app/jms/tether/command-replies";

  /** The message property naming a command, which its answers repeat. */
  static final String COMMAND_ID = "commandId";

  /** The message property naming the node a command's answers go to. */
  static final String REPLY_TO = "replyTo";

  private static final Logger LOG = Logger.getLogger(SessionCommands.class.getName());

  @Resource(lookup = "java:comp/DefaultJMSConnectionFactory")
  ConnectionFactory connectionFactory;

  @Resource(lookup = TOPIC)
  Topic topic;

  @Resource(lookup = REPLY_TOPIC)
  Topic replyTopic;

  @Inject EventCodec codec;
  @Inject CommandReplies replies;
  @Inject TetherSettings settings;

  @Inject
  @ConfigProperty(name = "tether.commands.confirm-timeout-millis", defaultValue = "5000")
  long confirmTimeoutMillis;

  /**
   * Sends the command and waits until every node of {@code nodes} (those it is for: its owner node,
   * or every member for a command to all) answered, or the timeout passed.
   *
   * @throws CommandNotSentException if the broker did not take it
   */
  public CommandOutcome send(SessionCommand command, Set<String> nodes)
      throws CommandNotSentException {
    String id = UUID.randomUUID().toString();
    CommandReplies.Waiting answers = replies.expect(id, nodes);
    try {
      try (JMSContext context = connectionFactory.createContext(JMSContext.AUTO_ACKNOWLEDGE)) {
        context
            .createProducer()
            .setProperty("node", command.node())
            .setProperty("kind", command.kind())
            .setProperty(COMMAND_ID, id)
            .setProperty(REPLY_TO, settings.nodeName())
            .send(topic, codec.toJson(command));
      } catch (JMSRuntimeException e) {
        throw new CommandNotSentException(command, e);
      }
      LOG.info(
          () ->
              String.format(
                  "%s sent %s for session %s on node %s",
                  command.issuedBy(), command.kind(), command.sessionId(), command.node()));
      CommandOutcome outcome = answers.await(Duration.ofMillis(confirmTimeoutMillis));
      if (!outcome.confirmed()) {
        LOG.warning(
            () ->
                String.format(
                    "%s for session %s: no answer from %s within %d ms",
                    command.kind(), command.sessionId(), outcome.silent(), confirmTimeoutMillis));
      }
      return outcome;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new CommandOutcome(Map.of(), Set.copyOf(nodes));
    } finally {
      replies.forget(id);
    }
  }

  /** How long {@link #send} waits for the answers. */
  public Duration confirmTimeout() {
    return Duration.ofMillis(confirmTimeoutMillis);
  }

  /**
   * Answers a command on the replies topic, to node {@code to}. A failure is logged: the sender
   * then reports the command as unconfirmed.
   */
  void reply(String to, CommandReply reply) {
    try (JMSContext context = connectionFactory.createContext(JMSContext.AUTO_ACKNOWLEDGE)) {
      context.createProducer().setProperty("node", to).send(replyTopic, codec.toJson(reply));
    } catch (JMSRuntimeException e) {
      LOG.log(Level.WARNING, "could not answer " + reply + " to node " + to, e);
    }
  }
}
