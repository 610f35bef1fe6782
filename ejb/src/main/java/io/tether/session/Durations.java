package io.tether.session;

import java.time.Duration;

/** Durations as people read them in logs: {@code 850 ms}, {@code 12.4 s}, {@code 3 min 20 s}. */
public final class Durations {
  private Durations() {}

  public static String format(Duration d) {
    long millis = d.toMillis();
    if (millis < 1000) {
      return millis + " ms";
    }
    if (millis < 60_000) {
      return String.format("%.1f s", millis / 1000.0);
    }
    long seconds = d.toSeconds();
    if (seconds < 3600) {
      return (seconds / 60) + " min " + (seconds % 60) + " s";
    }
    return (seconds / 3600) + " h " + (seconds % 3600 / 60) + " min";
  }
}
