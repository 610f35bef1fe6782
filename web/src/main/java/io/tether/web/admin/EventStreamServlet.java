package io.tether.web.admin;

import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * {@code GET /api/admin/events/stream}: this node's session events as server-sent events, one named
 * {@code session} per event the lifecycle consumer takes in from now on, or after the position in
 * {@code Last-Event-ID} (or the {@code after} parameter when there is no such header); see {@link
 * EventSubscriber} for the {@code ready} and {@code reset} events that open it.
 *
 * <p>A servlet rather than a JAX-RS {@code SseEventSink}: on this WildFly (RESTEasy 6.2, Undertow
 * 2.3) the sink's non-blocking writes from another thread left events unflushed until a later
 * write, up to a keep-alive (15 s) late. Here every event is a blocking write and flush on an
 * asynchronous request, so it leaves at once; no thread is held while the stream is idle. The path
 * is inside the JAX-RS application's {@code /api/*} and wins over it as an exact match; {@code
 * web.xml} keeps {@code /api/admin/*} for the admin role.
 */
@WebServlet(
    name = "admin-event-stream",
    urlPatterns = "/api/admin/events/stream",
    asyncSupported = true)
public class EventStreamServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(EventStreamServlet.class.getName());

  @Inject transient EventStreams streams;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!request.isUserInRole("admin")) {
      LOG.fine(() -> request.getRemoteUser() + " refused the event stream: not an admin");
      ApiError.FORBIDDEN.writeTo(response, Response.Status.FORBIDDEN);
      return;
    }
    String lastEventId = request.getHeader("Last-Event-ID");
    String resumeFrom =
        lastEventId != null && !lastEventId.isBlank() ? lastEventId : request.getParameter("after");

    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("text/event-stream");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
    AsyncContext async = request.startAsync();
    async.setTimeout(0); // the stream lasts until either side closes it

    // The listener first: the stream may close while it opens, which completes the request.
    AtomicReference<EventSubscriber> subscriber = new AtomicReference<>();
    async.addListener(
        new AsyncListener() {
          @Override
          public void onComplete(AsyncEvent event) {
            closeSubscriber();
          }

          @Override
          public void onTimeout(AsyncEvent event) {
            closeSubscriber();
          }

          @Override
          public void onError(AsyncEvent event) {
            closeSubscriber();
          }

          @Override
          public void onStartAsync(AsyncEvent event) {}

          private void closeSubscriber() {
            EventSubscriber s = subscriber.get();
            if (s != null) {
              s.close();
            }
          }
        });
    subscriber.set(streams.open(new ServletSink(async), resumeFrom, request.getRemoteUser()));
  }
}
