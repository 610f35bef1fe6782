package io.tether.web.terminal;

import io.tether.node.NodeSessions;
import jakarta.inject.Inject;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import java.io.IOException;

/**
 * The web application stops (undeploy, or the server shutting down): this node's sessions end
 * before the container closes their connections, so every client, relayed ones included, hears
 * {@code 4014} and its sentence at once rather than a bare {@code 1001}.
 *
 * <p>Why a filter: the container closes the WebSocket sessions as the servlet context is destroyed,
 * before the application's own context listeners hear of it, but it destroys filters earlier still.
 * This filter passes every handshake through unchanged; its {@link #destroy()} is the hook.
 */
@WebFilter(urlPatterns = "/ws/*", asyncSupported = true)
public class NodeStopping implements Filter {
  @Inject NodeSessions sessions;

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    chain.doFilter(request, response);
  }

  @Override
  public void destroy() {
    sessions.stopping();
  }
}
