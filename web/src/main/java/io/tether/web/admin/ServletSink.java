package io.tether.web.admin;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An event stream written to an asynchronous servlet response with plain blocking writes, each
 * flushed at once, from whichever thread sends (one at a time: {@link EventSubscriber} sees to
 * that). No write listener is set, so the container never switches the response to non-blocking
 * output, whose flushes were seen to leave events in its buffer until the next write.
 */
final class ServletSink implements EventSubscriber.Sink {
  private static final long RECONNECT_DELAY_MILLIS = 1000;

  private final AsyncContext async;

  ServletSink(AsyncContext async) {
    this.async = async;
  }

  @Override
  public CompletionStage<?> event(String name, String id, String data) {
    // Control events (ready, reset) also tell EventSource how soon to reconnect.
    Long retry = "session".equals(name) ? null : RECONNECT_DELAY_MILLIS;
    return write(SseFormat.event(name, id, retry, data));
  }

  @Override
  public CompletionStage<?> comment(String text) {
    return write(SseFormat.comment(text));
  }

  private CompletionStage<?> write(String text) {
    try {
      ServletOutputStream out = async.getResponse().getOutputStream();
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
      return CompletableFuture.completedFuture(null);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void close() {
    try {
      async.complete();
    } catch (IllegalStateException e) {
      // Already completed (the client went away, or the container ended the request).
    }
  }
}
