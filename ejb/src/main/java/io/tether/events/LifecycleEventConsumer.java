package io.tether.events;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.inject.Inject;
import jakarta.jms.JMSDestinationDefinition;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import java.util.logging.Logger;

/**
 * Takes every session event of the cluster off the lifecycle topic into this node's {@link
 * RecentEvents}, which feeds the admin consoles connected to this node. The subscription is
 * non-durable, so every node gets every event; one session at a time keeps them in order.
 */
@JMSDestinationDefinition(
    name = JmsLifecycleEvents.TOPIC,
    interfaceName = "jakarta.jms.Topic",
    destinationName = "tether_lifecycle")
@MessageDriven(
    messageListenerInterface = MessageListener.class, // implemented by TopicConsumer
    activationConfig = {
      @ActivationConfigProperty(
          propertyName = "destinationLookup",
          propertyValue = JmsLifecycleEvents.TOPIC),
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
public class LifecycleEventConsumer extends TopicConsumer {
  private static final Logger LOG = Logger.getLogger(LifecycleEventConsumer.class.getName());

  @Inject RecentEvents recent;
  @Inject EventCodec codec;

  public LifecycleEventConsumer() {
    super("lifecycle message");
  }

  @Override
  protected void receive(String text, Message message) {
    SessionEvent event = codec.event(text);
    recent.add(event);
    LOG.fine(() -> "event " + event);
  }
}
