package io.tether.web.terminal;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a terminal connection gets permessage-deflate (RFC 7692), decided per handshake from the
 * setting {@code tether.web.compression} (docs/configuration.md):
 *
 * <ul>
 *   <li>{@code never}: no connection does;
 *   <li>{@code always}: every client that offers it does;
 *   <li>{@code remote} (the default): a client that offers it does unless the connection never left
 *       this machine: its peer is a loopback address and so is every address a proxy on the way
 *       names in {@code X-Forwarded-For}. Over loopback the link is never the bottleneck and
 *       compressing only costs the server's CPU (and bulk throughput on a small machine); over any
 *       network it may be, and terminal output compresses three to seven times.
 * </ul>
 *
 * <p>An offer that asks for {@code client_no_context_takeover} or {@code
 * server_no_context_takeover} is never taken: Undertow's permessage-deflate handshake is one object
 * per deployment and keeps such a parameter for every connection negotiated after it, so one client
 * asking for it would make the server drop its decompression context for every later client, whose
 * compressed input then no longer inflates. Browsers do not ask for either.
 *
 * <p>{@code X-Forwarded-For} is believed as it stands: it can only make the server compress for a
 * client that offered compression itself, which costs that client nothing it did not ask for.
 */
public final class CompressionRule {
  private static final Pattern IPV4 =
      Pattern.compile("(\\d{1,3})\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  private final String mode;

  /**
   * @param mode {@code never}, {@code remote} or {@code always} (as {@link
   *     io.tether.config.TetherSettings#compression()} checked it)
   */
  public CompressionRule(String mode) {
    if (!List.of("never", "remote", "always").contains(mode)) {
      throw new IllegalArgumentException("not a compression mode: " + mode);
    }
    this.mode = mode;
  }

  /**
   * Whether to negotiate the client's offer.
   *
   * @param offer the {@code Sec-WebSocket-Extensions} header (null: none)
   * @param peer the address the connection comes from
   * @param forwardedFor the {@code X-Forwarded-For} headers (none: empty)
   */
  public boolean negotiates(String offer, String peer, List<String> forwardedFor) {
    if (offer == null || !offersDeflate(offer) || asksServerNoContextTakeover(offer)) {
      return false;
    }
    return switch (mode) {
      case "always" -> true;
      case "remote" -> !onThisMachine(peer, forwardedFor);
      default -> false;
    };
  }

  private static boolean offersDeflate(String offer) {
    for (String extension : offer.split(",")) {
      String name = extension.split(";")[0].trim();
      if (name.equalsIgnoreCase("permessage-deflate")) {
        return true;
      }
    }
    return false;
  }

  private static boolean asksServerNoContextTakeover(String offer) {
    return offer.toLowerCase(Locale.ROOT).contains("server_no_context_takeover");
  }

  private static boolean onThisMachine(String peer, List<String> forwardedFor) {
    if (!isLoopback(peer)) {
      return false;
    }
    for (String header : forwardedFor) {
      for (String hop : header.split(",")) {
        if (!isLoopback(hop)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether an address literal is a loopback address: {@code 127.0.0.0/8}, {@code ::1} (also
   * bracketed, with a port, or IPv4-mapped). Anything else, names and {@code unknown} included,
   * counts as elsewhere. Never looks a name up.
   */
  static boolean isLoopback(String address) {
    if (address == null) {
      return false;
    }
    String a = address.trim().toLowerCase(Locale.ROOT);
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      a = close < 0 ? a : a.substring(1, close);
    } else if (a.indexOf(':') == a.lastIndexOf(':') && a.indexOf(':') > 0) {
      a = a.substring(0, a.indexOf(':')); // IPv4 with a port
    }
    if (a.startsWith("::ffff:")) {
      a = a.substring("::ffff:".length());
    }
    var ipv4 = IPV4.matcher(a);
    if (ipv4.matches()) {
      return ipv4.group(1).equals("127");
    }
    return a.equals("::1") || a.equals("0:0:0:0:0:0:0:1");
  }
}
