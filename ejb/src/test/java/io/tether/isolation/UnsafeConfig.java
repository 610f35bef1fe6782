package io.tether.isolation;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The explicit unsafe single-user mode, for tests that are about something else than isolation. */
public final class UnsafeConfig {
  private UnsafeConfig() {}

  /** Shells as the server's own account, with this cgroup parent named for the test. */
  public static IsolationConfig of(String cgroupParent) {
    return new IsolationConfig(
        true,
        AccountMapping.of("prefix", "tether-", Map.of()),
        1000,
        List.of("/usr"),
        true,
        "/usr/bin:/bin",
        Map.of(),
        Path.of("/sys/fs/cgroup"),
        cgroupParent,
        new IsolationConfig.Limits(64, 128),
        new IsolationConfig.Limits(64, 128));
  }
}
