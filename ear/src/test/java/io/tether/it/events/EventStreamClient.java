package io.tether.it.events;

import io.tether.it.support.TetherServer;
import io.tether.it.support.TetherServer.Credentials;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A server-sent event client on {@code java.net.http}, as an {@code EventSource} would be: it
 * parses the stream as it arrives (id, event, data, comments) and remembers the last event id, so a
 * test can close it and reconnect with {@code Last-Event-ID}.
 */
public final class EventStreamClient implements AutoCloseable {
  /** One event as received. */
  public record Event(String name, String id, String data) {
    public JsonObject json() {
      return Json.createReader(new StringReader(data)).readObject();
    }

    /** The number in the id ({@code <seq>@<epoch>}). */
    long seq() {
      return Long.parseLong(id.substring(0, id.indexOf('@')));
    }

    public boolean is(String type, String sessionId) {
      return "session".equals(name)
          && type.equals(json().getString("type"))
          && sessionId.equals(json().getString("sessionId"));
    }

    @Override
    public String toString() {
      return name + "#" + id + " " + data;
    }
  }

  private final CompletableFuture<Integer> status = new CompletableFuture<>();
  private final List<Event> events = new ArrayList<>();
  private volatile Flow.Subscription subscription;
  private String lastId;
  private boolean ended;
  private String eventName;
  private String eventId;
  private final StringBuilder data = new StringBuilder();

  private EventStreamClient() {}

  /**
   * Opens {@code api/admin/events/stream} as {@code who}, with {@code Last-Event-ID} if given, and
   * waits for the response status.
   */
  static EventStreamClient open(Credentials who, String lastEventId) {
    return open(TetherServer.baseUri(), who, lastEventId);
  }

  /** {@link #open(Credentials, String)} on the node whose application root is {@code base}. */
  public static EventStreamClient open(URI base, Credentials who, String lastEventId) {
    EventStreamClient client = new EventStreamClient();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve("api/admin/events/stream"))
            .header("Authorization", who.basicAuthorization())
            .header("Accept", "text/event-stream")
            .GET();
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    TetherServer.httpClient()
        .sendAsync(
            request.build(),
            info -> {
              client.status.complete(info.statusCode());
              return HttpResponse.BodySubscribers.fromLineSubscriber(client.new Lines());
            })
        .whenComplete((response, error) -> client.end());
    try {
      client.status.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no answer from the event stream", e);
    }
    return client;
  }

  int status() {
    return status.join();
  }

  /** Waits for the first event (from the start of the stream) that matches. */
  public Event await(Predicate<Event> condition, Duration timeout, String what) {
    Instant deadline = Instant.now().plus(timeout);
    synchronized (this) {
      for (; ; ) {
        for (Event e : events) {
          if (condition.test(e)) {
            return e;
          }
        }
        long left = Duration.between(Instant.now(), deadline).toMillis();
        if (left <= 0 || ended) {
          throw new AssertionError(
              (ended ? "the stream ended" : "timed out")
                  + " waiting for "
                  + what
                  + "; got "
                  + events);
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  Event await(String name, Duration timeout) {
    return await(e -> name.equals(e.name()), timeout, "a " + name + " event");
  }

  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  public synchronized List<Event> sessionEvents() {
    return events.stream().filter(e -> "session".equals(e.name())).toList();
  }

  /** The id of the last event received, as {@code EventSource} would send it on reconnecting. */
  synchronized String lastEventId() {
    return lastId;
  }

  @Override
  public void close() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    end();
  }

  private synchronized void end() {
    ended = true;
    notifyAll();
  }

  /** Parses the event stream line by line (text/event-stream). */
  private synchronized void line(String line) {
    if (line.isEmpty()) {
      if (data.length() > 0 || eventName != null) {
        String name = eventName == null ? "message" : eventName;
        String text = data.length() > 0 ? data.substring(0, data.length() - 1) : "";
        events.add(new Event(name, eventId != null ? eventId : lastId, text));
        if (eventId != null) {
          lastId = eventId;
        }
        notifyAll();
      }
      eventName = null;
      eventId = null;
      data.setLength(0);
      return;
    }
    if (line.startsWith(":")) {
      return; // a comment: keep-alive
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> eventName = value;
      case "id" -> eventId = value;
      case "data" -> data.append(value).append('\n');
      default -> {} // retry, unknown fields
    }
  }

  private final class Lines implements Flow.Subscriber<String> {
    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String item) {
      line(item);
    }

    @Override
    public void onError(Throwable throwable) {
      end();
    }

    @Override
    public void onComplete() {
      end();
    }
  }
}
