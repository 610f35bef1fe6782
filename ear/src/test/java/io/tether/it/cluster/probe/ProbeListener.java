package io.tether.it.cluster.probe;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.jms.JMSDestinationDefinition;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A topic subscriber on every node that deploys the probe: it keeps the text of every message it
 * receives, which {@link ProbeServlet} lists. Declares the topic the way Tether declares its own
 * (in the application), so the probe exercises the same broker clustering Tether's events rely on.
 */
@JMSDestinationDefinition(
    name = ProbeListener.TOPIC,
    interfaceName = "jakarta.jms.Topic",
    destinationName = "tetherItProbe")
@MessageDriven(
    activationConfig = {
      @ActivationConfigProperty(
          propertyName = "destinationLookup",
          propertyValue = ProbeListener.TOPIC),
      @ActivationConfigProperty(
          propertyName = "destinationType",
          propertyValue = "jakarta.jms.Topic")
    })
public class ProbeListener implements MessageListener {
  public static final String TOPIC = "java:app/jms/it/probe";

  /** What this node received, in order; the probe WAR's own class, so one list per node. */
  static final List<String> RECEIVED = new CopyOnWriteArrayList<>();

  @Override
  public void onMessage(Message message) {
    try {
      if (message instanceof TextMessage text) {
        RECEIVED.add(text.getText());
      }
    } catch (JMSException e) {
      throw new IllegalStateException("unreadable probe message", e);
    }
  }
}
