package io.tether.events;

import io.tether.config.TetherSettings;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.jms.JMSDestinationDefinition;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import java.util.logging.Logger;

/**
 * Takes admin commands off the commands topic and hands those for this node (property {@code node}
 * equal to this node's name, or {@code *}) to the node's {@link SessionCommandHandler}. Every node
 * receives every command (non-durable subscription); the others are ignored here rather than by a
 * selector, because the node name comes from configuration. Once a command is carried out, the node
 * answers on the replies topic (to the sender named by the property {@code replyTo}, for the
 * command named by {@code commandId}), so the sender knows it was done.
 */
@JMSDestinationDefinition(
    name = SessionCommands.TOPIC,
    interfaceName = "jakarta.jms.Topic",
    destinationName = "tether_commands")
@MessageDriven(
    messageListenerInterface = MessageListener.class, // implemented by TopicConsumer
    activationConfig = {
      @ActivationConfigProperty(
          propertyName = "destinationLookup",
          propertyValue = SessionCommands.TOPIC),
      @ActivationConfigProperty(
          propertyName = "destinationType",
          propertyValue = TopicConsumer.TOPIC),
      @ActivationConfigProperty(
          propertyName = "subscriptionDurability",
          propertyValue = TopicConsumer.NON_DURABLE),
      @ActivationConfigProperty(
          propertyName = "maxSession",
          propertyValue = TopicConsumer.ONE_SESSION)
    })
public class SessionCommandConsumer extends TopicConsumer {
  private static final Logger LOG = Logger.getLogger(SessionCommandConsumer.class.getName());

  @Inject TetherSettings settings;
  @Inject EventCodec codec;
  @Inject Instance<SessionCommandHandler> handlers;
  @Inject SessionCommands commands;

  public SessionCommandConsumer() {
    super("command message");
  }

  @Override
  protected boolean takes(Message message) throws JMSException {
    String node = message.getStringProperty("node");
    if (SessionCommand.ALL.equals(node) || settings.nodeName().equals(node)) {
      return true;
    }
    LOG.finer(() -> "ignoring a command for node " + node);
    return false;
  }

  @Override
  protected void receive(String text, Message message) throws JMSException {
    SessionCommand command = codec.command(text);
    if (!command.isFor(settings.nodeName())) {
      String node = message.getStringProperty("node");
      LOG.warning(() -> "ignoring " + command + ": its property node was " + node);
      return;
    }
    if (!handlers.isResolvable()) {
      LOG.warning(
          () ->
              "no single SessionCommandHandler bean on this node ("
                  + (handlers.isUnsatisfied() ? "none" : "several")
                  + "): ignoring "
                  + command);
      return;
    }
    LOG.info(
        () ->
            String.format(
                "%s of session %s by %s", command.kind(), command.sessionId(), command.issuedBy()));
    boolean held = command.applyTo(handlers.get());
    String commandId = message.getStringProperty(SessionCommands.COMMAND_ID);
    String replyTo = message.getStringProperty(SessionCommands.REPLY_TO);
    if (commandId != null && replyTo != null) {
      commands.reply(replyTo, new CommandReply(commandId, settings.nodeName(), held));
    }
  }
}
