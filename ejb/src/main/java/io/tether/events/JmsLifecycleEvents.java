package io.tether.events;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.Topic;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes session events on the lifecycle topic ({@value #TOPIC}) as JSON text messages with a
 * {@code type} property.
 *
 * <p>Callers are PTY reader threads, WebSocket worker threads and timer threads, none of which may
 * wait for a broker or have a request scope for an injected {@code JMSContext}. So {@link #publish}
 * only queues the event; one managed thread sends the queue in order, on a context of its own from
 * the default connection factory. A full queue drops events (logged), never blocks.
 */
@ApplicationScoped
public class JmsLifecycleEvents implements LifecycleEvents {
  /** The lifecycle topic, defined by {@link LifecycleEventConsumer}. */
  public static final String TOPIC = "java:app/jms/tether/lifecycle";

  static final int QUEUE_CAPACITY = 10_000;
  private static final Duration DRAIN_ON_STOP = Duration.ofSeconds(2);
  private static final Logger LOG = Logger.getLogger(JmsLifecycleEvents.class.getName());

  @Resource(lookup = "java:comp/DefaultJMSConnectionFactory")
  ConnectionFactory connectionFactory;

  @Resource(lookup = TOPIC)
  Topic topic;

  @Resource ManagedThreadFactory threads;

  /**
   * Made as the application starts ({@link LifecycleEventsAtStart}), on a deployment thread that
   * sees {@code java:app}, not at its first event: that may come on an executor's thread (a
   * departed node's sessions), where the topic's lookup can fail. Calling it through the bean's
   * proxy is what makes the bean.
   */
  public void made() {
    // nothing more to do
  }

  @Inject EventCodec codec;

  private SendQueue<SessionEvent> queue;
  private JMSContext context; // the drain thread's only

  @PostConstruct
  void start() {
    try {
      queue = new SendQueue<>("tether-events-publisher", QUEUE_CAPACITY, threads, this::send);
    } catch (RuntimeException e) {
      // No thread (the application is stopping): publish() drops and logs instead of failing.
      LOG.log(Level.WARNING, "no publisher thread; session events will not be published", e);
    }
  }

  @Override
  public void publish(SessionEvent event) {
    SendQueue<SessionEvent> q = queue;
    if (q == null) {
      LOG.fine(() -> "not published (no publisher): " + event);
      return;
    }
    try {
      q.offer(event);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not queue " + event, e);
    }
  }

  /** On the drain thread: one event, in order. */
  private void send(SessionEvent event) {
    try {
      if (context == null) {
        context = connectionFactory.createContext(JMSContext.AUTO_ACKNOWLEDGE);
      }
      JMSProducer producer = context.createProducer().setProperty("type", event.type());
      if (event.node() != null) {
        producer.setProperty("node", event.node());
      }
      producer.send(topic, codec.toJson(event));
    } catch (RuntimeException e) {
      closeContext(); // a fresh one for the retry: the broker may have restarted
      throw e;
    }
  }

  private void closeContext() {
    JMSContext c = context;
    context = null;
    if (c != null) {
      try {
        c.close();
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "closing the publisher's JMS context", e);
      }
    }
  }

  @PreDestroy
  void stop() {
    if (queue == null) {
      return;
    }
    queue.stop(DRAIN_ON_STOP);
    // The drain thread has ended (or been interrupted): nobody else uses the context.
    closeContext();
  }
}
