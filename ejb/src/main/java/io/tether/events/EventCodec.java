package io.tether.events;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;

/**
 * The JSON (JSON-B) form of what travels over JMS: {@link SessionEvent}s, {@link SessionCommand}s
 * and {@link CommandReply}s are text messages, so any client (a test, a broker console, another
 * language) can read them, and no Java deserialization happens on receipt.
 */
@ApplicationScoped
public class EventCodec {
  private Jsonb jsonb;

  /** A codec outside the container (tests). Close it with {@link #close()}. */
  public static EventCodec open() {
    EventCodec codec = new EventCodec();
    codec.start();
    return codec;
  }

  @PostConstruct
  void start() {
    jsonb = JsonbBuilder.create();
  }

  public String toJson(Object value) {
    return jsonb.toJson(value);
  }

  /**
   * @throws JsonbException if {@code json} is not a session event
   */
  public SessionEvent event(String json) {
    SessionEvent event = jsonb.fromJson(json, SessionEvent.class);
    if (event == null || event.type() == null || event.sessionId() == null) {
      throw new JsonbException("not a session event: " + json);
    }
    return event;
  }

  /**
   * @throws JsonbException if {@code json} is not a session command
   * @throws IllegalArgumentException if it is one with a bad kind or missing members
   */
  public SessionCommand command(String json) {
    SessionCommand command = jsonb.fromJson(json, SessionCommand.class);
    if (command == null) {
      throw new JsonbException("not a session command: " + json);
    }
    return command;
  }

  /**
   * @throws JsonbException if {@code json} is not an answer to a command
   */
  public CommandReply reply(String json) {
    CommandReply reply = jsonb.fromJson(json, CommandReply.class);
    if (reply == null || reply.commandId() == null || reply.node() == null) {
      throw new JsonbException("not a command reply: " + json);
    }
    return reply;
  }

  @PreDestroy
  public void close() {
    try {
      jsonb.close();
    } catch (Exception e) {
      // Nothing to do: the codec is going away.
    }
  }
}
