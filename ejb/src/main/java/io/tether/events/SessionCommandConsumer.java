package io.tether.events;

import io.tether.config.TetherSettings;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.jms.JMSDestinationDefinition;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes admin commands off the commands topic and hands those for this node (property {@code node}
 * equal to this node's name, or {@code *}) to the node's {@link SessionCommandHandler}. Every node
 * receives every command (non-durable subscription); the others are ignored here rather than by a
 * selector, because the node name comes from configuration.
 */
@JMSDestinationDefinition(
    name = SessionCommands.TOPIC,
    interfaceName = "jakarta.jms.Topic",
    destinationName = "tether.commands")
@MessageDriven(
    activationConfig = {
      @ActivationConfigProperty(
          propertyName = "destinationLookup",
          propertyValue = SessionCommands.TOPIC),
      @ActivationConfigProperty(
          propertyName = "destinationType",
          propertyValue = "jakarta.jms.Topic"),
      @ActivationConfigProperty(
          propertyName = "subscriptionDurability",
          propertyValue = "NonDurable"),
      @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "1")
    })
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class SessionCommandConsumer implements MessageListener {
  private static final Logger LOG = Logger.getLogger(SessionCommandConsumer.class.getName());

  @Inject TetherSettings settings;
  @Inject EventCodec codec;
  @Inject Instance<SessionCommandHandler> handlers;

  @Override
  public void onMessage(Message message) {
    try {
      String node = message.getStringProperty("node");
      String self = settings.nodeName();
      if (!SessionCommand.ALL.equals(node) && !self.equals(node)) {
        LOG.finer(() -> "ignoring a command for node " + node);
        return;
      }
      if (!(message instanceof TextMessage text)) {
        LOG.warning(() -> "ignoring a command message that is not text: " + message);
        return;
      }
      SessionCommand command = codec.command(text.getText());
      if (!command.isFor(self)) {
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
                  "%s of session %s by %s",
                  command.kind(), command.sessionId(), command.issuedBy()));
      command.applyTo(handlers.get());
    } catch (JMSException | RuntimeException e) {
      // Never thrown back: a command that fails must not be redelivered and run again.
      LOG.log(Level.WARNING, "a session command failed", e);
    }
  }
}
