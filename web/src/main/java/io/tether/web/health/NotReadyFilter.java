package io.tether.web.health;

import io.tether.node.NodeReadiness;
import io.tether.web.admin.ApiError;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Optional;

/**
 * Sends the load balancer's new requests elsewhere while this node is not ready: a request the
 * shipped nginx configuration marks as balanced ({@value #BALANCED}) gets {@code 503}, on which
 * nginx tries the next node and leaves this one out for a while. Requests that reach the node
 * directly (relays between nodes, a client that chose this node) are served as ever, so a draining
 * node keeps serving its own sessions.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class NotReadyFilter extends HttpFilter {
  /** The header the shipped load balancer adds to every request it passes on. */
  public static final String BALANCED = "X-Tether-Balanced";

  @Inject NodeReadiness readiness;

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    boolean probe = request.getServletPath().startsWith("/health/");
    Optional<String> why =
        request.getHeader(BALANCED) == null || probe
            ? Optional.empty()
            : readiness.notReadyBecause();
    if (why.isPresent()) {
      response.setHeader("Retry-After", "5");
      new ApiError("not-ready", "This server is " + why.get() + "; try another.")
          .writeTo(response, Response.Status.SERVICE_UNAVAILABLE);
      return;
    }
    chain.doFilter(request, response);
  }
}
