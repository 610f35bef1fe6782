package io.tether.session;

import io.tether.protocol.CloseCode;
import java.io.Serializable;
import java.time.Instant;

/**
 * Why and when a session ended.
 *
 * @param exitCode the shell's exit code when it exited by itself, otherwise null
 */
public record SessionEnd(CloseCode code, String reason, Integer exitCode, Instant at)
    implements Serializable {
  public static SessionEnd exited(int exitCode) {
    return new SessionEnd(
        CloseCode.SHELL_EXITED,
        "The shell exited with code " + exitCode + ".",
        exitCode,
        Instant.now());
  }

  public static SessionEnd of(CloseCode code, String reason) {
    return new SessionEnd(code, code.reason(reason), null, Instant.now());
  }
}
