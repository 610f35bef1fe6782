package io.tether.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How every consumer handles a message: filter first, then check the type, never throw back. */
class TopicConsumerTest {
  /** Takes messages whose property {@code node} is "here"; records what it receives. */
  private static final class Recording extends TopicConsumer {
    final List<String> received = new ArrayList<>();
    RuntimeException failure;

    Recording() {
      super("test message");
    }

    @Override
    protected boolean takes(Message message) throws JMSException {
      return "here".equals(message.getStringProperty("node"));
    }

    @Override
    protected void receive(String text, Message message) {
      if (failure != null) {
        throw failure;
      }
      received.add(text);
    }
  }

  private final Recording consumer = new Recording();
  private final List<String> calls = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final Logger log = Logger.getLogger(Recording.class.getName());
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(record.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void listen() {
    log.addHandler(handler);
  }

  @AfterEach
  void stopListening() {
    log.removeHandler(handler);
  }

  /** A message of {@code type} whose every method call is recorded in {@link #calls}. */
  private <T extends Message> T message(Class<T> type, String node, String text) {
    Map<String, Object> answers = Map.of("getStringProperty", node, "getText", text);
    return type.cast(
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              calls.add(method.getName());
              if (method.getName().equals("toString")) {
                return type.getSimpleName();
              }
              return answers.get(method.getName());
            }));
  }

  @Test
  void theTextOfATakenMessageIsReceived() {
    consumer.onMessage(message(TextMessage.class, "here", "{\"a\":1}"));

    assertEquals(List.of("{\"a\":1}"), consumer.received);
    assertEquals(List.of(), warnings);
  }

  @Test
  void aMessageThisNodeDoesNotTakeIsLeftBeforeItsBodyIsRead() {
    consumer.onMessage(message(TextMessage.class, "elsewhere", "{}"));

    assertEquals(List.of(), consumer.received);
    assertFalse(calls.contains("getText"), calls.toString());
  }

  @Test
  void aMessageThatIsNotTextIsSkipped() {
    consumer.onMessage(message(BytesMessage.class, "here", ""));

    assertEquals(List.of(), consumer.received);
    assertFalse(calls.contains("getText"), calls.toString());
    assertEquals(List.of("ignoring a test message that is not text: BytesMessage"), warnings);
  }

  @Test
  void aFailureIsLoggedNeverThrownBackToTheBroker() {
    consumer.failure = new IllegalArgumentException("not a command");

    consumer.onMessage(message(TextMessage.class, "here", "{}")); // returns normally

    assertEquals(List.of(), consumer.received);
    assertEquals(List.of("a test message could not be handled"), warnings);
  }
}
