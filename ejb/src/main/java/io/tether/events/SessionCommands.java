package io.tether.events;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Topic;
import java.util.logging.Logger;

/**
 * Sends admin commands on the commands topic ({@value #TOPIC}) as JSON text messages with the
 * string property {@code node} (the owner node, or {@code *}); every node's {@link
 * SessionCommandConsumer} acts only on its own. Called from request threads; sends at once, so the
 * caller knows whether the command left.
 */
@ApplicationScoped
public class SessionCommands {
  /** The commands topic, defined by {@link SessionCommandConsumer}. */
  public static final String TOPIC = "java:app/jms/tether/commands";

  private static final Logger LOG = Logger.getLogger(SessionCommands.class.getName());

  @Resource(lookup = "java:comp/DefaultJMSConnectionFactory")
  ConnectionFactory connectionFactory;

  @Resource(lookup = TOPIC)
  Topic topic;

  @Inject EventCodec codec;

  /**
   * Sends the command.
   *
   * @throws CommandNotSentException if the broker did not take it
   */
  public void send(SessionCommand command) throws CommandNotSentException {
    try (JMSContext context = connectionFactory.createContext(JMSContext.AUTO_ACKNOWLEDGE)) {
      context
          .createProducer()
          .setProperty("node", command.node())
          .setProperty("kind", command.kind())
          .send(topic, codec.toJson(command));
    } catch (JMSRuntimeException e) {
      throw new CommandNotSentException(command, e);
    }
    LOG.info(
        () ->
            String.format(
                "%s sent %s for session %s on node %s",
                command.issuedBy(), command.kind(), command.sessionId(), command.node()));
  }
}
