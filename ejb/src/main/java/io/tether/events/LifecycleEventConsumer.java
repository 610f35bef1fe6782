package io.tether.events;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.jms.JMSDestinationDefinition;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes every session event of the cluster off the lifecycle topic into this node's {@link
 * RecentEvents}, which feeds the admin consoles connected to this node. The subscription is
 * non-durable, so every node gets every event; one session at a time keeps them in order.
 */
@JMSDestinationDefinition(
    name = JmsLifecycleEvents.TOPIC,
    interfaceName = "jakarta.jms.Topic",
    destinationName = "tether.lifecycle")
@MessageDriven(
    activationConfig = {
      @ActivationConfigProperty(
          propertyName = "destinationLookup",
          propertyValue = JmsLifecycleEvents.TOPIC),
      @ActivationConfigProperty(
          propertyName = "destinationType",
          propertyValue = "jakarta.jms.Topic"),
      @ActivationConfigProperty(
          propertyName = "subscriptionDurability",
          propertyValue = "NonDurable"),
      @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "1")
    })
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class LifecycleEventConsumer implements MessageListener {
  private static final Logger LOG = Logger.getLogger(LifecycleEventConsumer.class.getName());

  @Inject RecentEvents recent;
  @Inject EventCodec codec;

  @Override
  public void onMessage(Message message) {
    try {
      if (!(message instanceof TextMessage text)) {
        LOG.warning(() -> "ignoring a lifecycle message that is not text: " + message);
        return;
      }
      SessionEvent event = codec.event(text.getText());
      recent.add(event);
      LOG.fine(() -> "event " + event);
    } catch (JMSException | RuntimeException e) {
      // Never thrown back: a bad message must not be redelivered forever.
      LOG.log(Level.WARNING, "ignoring a lifecycle message that could not be read", e);
    }
  }
}
