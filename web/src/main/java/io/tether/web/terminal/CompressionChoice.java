package io.tether.web.terminal;

import io.tether.config.TetherSettings;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Applies the {@link CompressionRule} to each terminal handshake: a client whose offer of
 * permessage-deflate the rule does not take is handed to the WebSocket container as if it had
 * offered no extension, so the container, which negotiates every offer it supports (Undertow's
 * {@code per-message-deflate} setting), negotiates none for it.
 *
 * <p>Why a filter and not the endpoint's configurator: the configurator's {@code
 * getNegotiatedExtensions} sees the offers but not the connection, and Jakarta WebSocket's
 * handshake request has no peer address; the rule needs both. Containers run the application's
 * filters before their own WebSocket upgrade.
 */
@WebFilter(urlPatterns = "/ws/terminal", asyncSupported = true)
public class CompressionChoice extends HttpFilter {
  static final String EXTENSIONS = "Sec-WebSocket-Extensions";

  @Inject TetherSettings settings;

  private volatile CompressionRule rule;

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String offer = request.getHeader(EXTENSIONS);
    if (offer == null
        || rule()
            .negotiates(
                offer,
                request.getRemoteAddr(),
                Collections.list(request.getHeaders("X-Forwarded-For")))) {
      chain.doFilter(request, response);
    } else {
      chain.doFilter(new WithoutExtensions(request), response);
    }
  }

  private CompressionRule rule() {
    CompressionRule current = rule;
    if (current == null) {
      current = new CompressionRule(settings.compression());
      rule = current;
    }
    return current;
  }

  /** The request without its {@code Sec-WebSocket-Extensions} header. */
  static final class WithoutExtensions extends HttpServletRequestWrapper {
    WithoutExtensions(HttpServletRequest request) {
      super(request);
    }

    @Override
    public String getHeader(String name) {
      return EXTENSIONS.equalsIgnoreCase(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return EXTENSIONS.equalsIgnoreCase(name)
          ? Collections.emptyEnumeration()
          : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      List<String> names = Collections.list(super.getHeaderNames());
      names.removeIf(EXTENSIONS::equalsIgnoreCase);
      return Collections.enumeration(names);
    }
  }
}
