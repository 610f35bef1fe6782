package io.tether.events;

import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The shape of every message-driven bean of Tether: one small consumer per topic, each a subclass
 * with its own {@code @JMSDestinationDefinition} and a {@code @MessageDriven} built from the values
 * below (a non-durable subscription, so every node takes every message; one session, so they come
 * in order). Each message is handled on its own: one this node does not take is left before its
 * body is read, one that is not text is logged and skipped before any cast, and a failure is
 * logged, never thrown back, so the broker does not redeliver it and run it again.
 *
 * <p>Topic names (the {@code destinationName}s) hold letters, digits and underscores only: Payara's
 * OpenMQ refuses a '-' or a '.' in a physical destination's name; Artemis takes any.
 */
// Here rather than on the subclasses: it applies to the methods this class declares (onMessage).
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public abstract class TopicConsumer implements MessageListener {
  /** The {@code destinationType} of every consumer. */
  static final String TOPIC = "jakarta.jms.Topic";

  /** The {@code subscriptionDurability} of every consumer: each node its own, while it runs. */
  static final String NON_DURABLE = "NonDurable";

  /** The {@code maxSession} of every consumer: one at a time keeps a topic's messages in order. */
  static final String ONE_SESSION = "1";

  private final Logger log = Logger.getLogger(getClass().getName());
  private final String kind;

  /**
   * @param kind what a message is, for the log ("lifecycle message", ...)
   */
  protected TopicConsumer(String kind) {
    this.kind = kind;
  }

  @Override
  public void onMessage(Message message) {
    try {
      if (!takes(message)) {
        return;
      }
      if (!(message instanceof TextMessage text)) {
        log.warning(() -> "ignoring a " + kind + " that is not text: " + message);
        return;
      }
      receive(text.getText(), message);
    } catch (JMSException | RuntimeException e) {
      log.log(Level.WARNING, "a " + kind + " could not be handled", e);
    }
  }

  /** Whether this node takes {@code message}, from its properties only. Every one by default. */
  protected boolean takes(Message message) throws JMSException {
    return true;
  }

  /** Handles the text of one message this node takes; a failure is logged by the caller. */
  protected abstract void receive(String text, Message message) throws JMSException;
}
