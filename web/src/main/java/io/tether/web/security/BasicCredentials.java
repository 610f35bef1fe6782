package io.tether.web.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/** A user name and password sent as {@code Authorization: Basic base64(name:password)}. */
record BasicCredentials(String user, String password) {

  private static final String SCHEME = "basic";

  /** Whether an {@code Authorization} header names the Basic scheme, whatever it carries. */
  static boolean isBasic(String authorization) {
    String value = authorization.strip();
    return value.length() >= SCHEME.length()
        && value.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)
        && (value.length() == SCHEME.length() || value.charAt(SCHEME.length()) == ' ');
  }

  /**
   * The credentials of a Basic {@code Authorization} header (RFC 7617, UTF-8), or empty when it is
   * not one or is malformed: not Base64, no colon, or an empty user name.
   */
  static Optional<BasicCredentials> parse(String authorization) {
    if (authorization == null || !isBasic(authorization)) {
      return Optional.empty();
    }
    String token = authorization.strip().substring(SCHEME.length()).strip();
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
  }

  @Override
  public String toString() {
    return "BasicCredentials[" + user + "]"; // never the password
  }
}
