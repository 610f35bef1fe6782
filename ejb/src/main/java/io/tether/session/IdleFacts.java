package io.tether.session;

import java.time.Instant;

/**
 * What a session knows about its own idleness, for the idle rules.
 *
 * @param lastActivity the last input or resize (or output, when configured to count)
 * @param detachedSince when the last client left, or null while clients are attached
 * @param warned whether clients have been warned since the last activity
 */
public record IdleFacts(Instant lastActivity, Instant detachedSince, boolean warned) {
  public boolean attached() {
    return detachedSince == null;
  }
}
