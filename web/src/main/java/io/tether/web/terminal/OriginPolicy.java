package io.tether.web.terminal;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may open terminals: the server's own (the Origin's host and port equal the
 * Host header's) and those configured. A request without Origin comes from no browser, so it cannot
 * be a cross-site request; its ticket still has to authenticate it.
 */
public final class OriginPolicy {
  private final List<String> allowed;

  public OriginPolicy(List<String> allowed) {
    this.allowed = allowed.stream().map(OriginPolicy::normalise).toList();
  }

  public boolean allows(String origin, String host) {
    if (origin == null) {
      return true;
    }
    String normalised = normalise(origin);
    if (normalised == null) {
      return false;
    }
    if (allowed.contains(normalised)) {
      return true;
    }
    if (host == null || host.isBlank()) {
      return false;
    }
    URI uri = URI.create(normalised);
    String authority = uri.getHost() + ":" + uri.getPort();
    String hostWithPort =
        host.contains(":") && !host.endsWith("]") ? host : host + ":" + uri.getPort();
    return authority.equalsIgnoreCase(hostWithPort.toLowerCase(Locale.ROOT));
  }

  /** {@code scheme://host:port} with the default port made explicit, or null if malformed. */
  static String normalise(String origin) {
    try {
      URI uri = new URI(origin.trim());
      String scheme = uri.getScheme();
      if (scheme == null || uri.getHost() == null) {
        return null;
      }
      scheme = scheme.toLowerCase(Locale.ROOT);
      int port = uri.getPort();
      if (port == -1) {
        port = scheme.equals("https") ? 443 : 80;
      }
      return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (Exception e) {
      return null;
    }
  }
}
