package io.tether.web.terminal;

import jakarta.websocket.Session;
import java.lang.reflect.Method;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Whether a connection has begun closing: the server sent a close frame that was not the answer to
 * the client's own close (a fault the container found, a refusal), or the session was closed, which
 * Undertow does in stream order, after the frames a client sent before its own close frame and
 * before any it sent after (RFC 6455 forbids data after a close; they must not act).
 *
 * <p>Undertow answers a protocol fault in a frame (invalid UTF-8 in a text frame, a bad close code)
 * at once on its I/O thread by sending a close ({@code 1007}, {@code 1002}) and breaking reads, but
 * it may tell the endpoint through {@code @OnError} only after a hop through the connection's
 * executor (with {@code dispatch-to-worker} on), behind any message that was already read after the
 * faulty one; and the endpoint acts on frames on its own workers ({@link io.tether.work.InOrder}).
 * A frame pipelined right behind the fault would thus reach the session before the endpoint hears
 * of it. The WebSocket API has no way to ask "has the close begun" (a client's close reaches
 * {@code @OnClose} by the same second hop), so this asks Undertow's own session and channel ({@code
 * UndertowSession.isSessionClosed()}, {@code
 * getWebSocketChannel().isCloseFrameSent()/isCloseInitiatedByRemotePeer()}), by reflection: the WAR
 * compiles against the Jakarta API only. On another container it answers false (and says so once),
 * and only {@code @OnError}/{@code @OnClose} close the gate.
 */
final class ContainerClosing implements BooleanSupplier {
  private static final Logger LOG = Logger.getLogger(ContainerClosing.class.getName());
  private static volatile Probe probe;

  private final Session ws;

  ContainerClosing(Session ws) {
    this.ws = ws;
  }

  @Override
  public boolean getAsBoolean() {
    Probe p = probe;
    if (p == null) {
      p = probe = Probe.of(ws.getClass());
    }
    return p.closing(ws);
  }

  /** The reflective calls, looked up once per container. */
  private record Probe(
      Method channelOf, Method closeSent, Method peerClosedFirst, Method sessionClosed) {
    private static final Probe NONE = new Probe(null, null, null, null);

    static Probe of(Class<?> sessionClass) {
      try {
        Method channelOf = sessionClass.getMethod("getWebSocketChannel");
        Class<?> channel = channelOf.getReturnType(); // Undertow's public WebSocketChannel
        Method sessionClosed = sessionClass.getDeclaredMethod("isSessionClosed");
        sessionClosed.setAccessible(true); // package-private in Undertow
        return new Probe(
            channelOf,
            channel.getMethod("isCloseFrameSent"),
            channel.getMethod("isCloseInitiatedByRemotePeer"),
            sessionClosed);
      } catch (NoSuchMethodException | RuntimeException e) {
        LOG.log(
            Level.WARNING,
            e,
            () ->
                sessionClass.getName()
                    + " is not Undertow's session: frames pipelined behind a fault the container"
                    + " detected are refused only once the endpoint hears of the fault");
        return NONE;
      }
    }

    boolean closing(Session ws) {
      if (channelOf == null) {
        return false;
      }
      try {
        Object channel = channelOf.invoke(ws);
        return channel == null
            || (Boolean.TRUE.equals(closeSent.invoke(channel))
                && !Boolean.TRUE.equals(peerClosedFirst.invoke(channel)))
            || Boolean.TRUE.equals(sessionClosed.invoke(ws));
      } catch (ReflectiveOperationException | RuntimeException e) {
        return true; // the session cannot say it is open: act on nothing more
      }
    }
  }
}
