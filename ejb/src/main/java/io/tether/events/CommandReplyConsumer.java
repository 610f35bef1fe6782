package io.tether.events;

import io.tether.config.TetherSettings;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.inject.Inject;
import jakarta.jms.JMSDestinationDefinition;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * Takes the answers to commands off the replies topic ({@value SessionCommands#REPLY_TOPIC}) and
 * hands those addressed to this node (property {@code node}) to {@link CommandReplies}, where the
 * sender waits for them.
 */
@JMSDestinationDefinition(
    name = SessionCommands.REPLY_TOPIC,
    interfaceName = "jakarta.jms.Topic",
    destinationName = "tether_command_replies")
@MessageDriven(
    messageListenerInterface = MessageListener.class, // implemented by TopicConsumer
    activationConfig = {
      @ActivationConfigProperty(
          propertyName = "destinationLookup",
          propertyValue = SessionCommands.REPLY_TOPIC),
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
public class CommandReplyConsumer extends TopicConsumer {
  @Inject TetherSettings settings;
  @Inject EventCodec codec;
  @Inject CommandReplies replies;

  public CommandReplyConsumer() {
    super("command reply");
  }

  @Override
  protected boolean takes(Message message) throws JMSException {
    return settings.nodeName().equals(message.getStringProperty("node"));
  }

  @Override
  protected void receive(String text, Message message) {
    replies.arrived(codec.reply(text));
  }
}
