package io.tether.isolation;

import io.tether.config.TetherSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How shells are isolated, from configuration (see {@code docs/isolation.md}).
 *
 * @param unsafe every shell runs as the server's own account, unsandboxed ({@code
 *     unsafe-single-user})
 * @param mapping which account a Tether user's shell runs as
 * @param minUid the lowest uid a shell may run as
 * @param readOnlyPaths what of the machine a shell sees, read-only
 * @param sharedNetwork whether a shell uses the machine's network (or a loopback of its own)
 * @param path the shell's {@code PATH}
 * @param environment variables added to every shell's clean environment
 * @param cgroupRoot where the cgroup hierarchies are mounted
 * @param cgroupParent the group under which this server's sessions go
 * @param userLimits a user's session's limits
 * @param adminLimits an administrator's session's limits
 * @param shellsGroup the group every shell carries, which the firewall keeps off the server's
 *     internal ports
 * @param refuseWithoutLimits whether shells are refused where a limit's cgroup controller is
 *     missing (or run without that limit, with a warning)
 */
public record IsolationConfig(
    boolean unsafe,
    AccountMapping mapping,
    int minUid,
    List<String> readOnlyPaths,
    boolean sharedNetwork,
    String path,
    Map<String, String> environment,
    Path cgroupRoot,
    String cgroupParent,
    Limits userLimits,
    Limits adminLimits,
    String shellsGroup,
    boolean refuseWithoutLimits) {

  /**
   * What one session may use.
   *
   * @param pidsMax processes (and threads) at once
   * @param memoryMib memory, without swap
   */
  public record Limits(int pidsMax, long memoryMib) {
    public long memoryBytes() {
      return memoryMib * 1024 * 1024;
    }
  }

  public IsolationConfig {
    readOnlyPaths = List.copyOf(readOnlyPaths);
    environment = Map.copyOf(environment);
  }

  /** With the group {@code tether-shells}, refusing shells where a limit cannot be applied. */
  public IsolationConfig(
      boolean unsafe,
      AccountMapping mapping,
      int minUid,
      List<String> readOnlyPaths,
      boolean sharedNetwork,
      String path,
      Map<String, String> environment,
      Path cgroupRoot,
      String cgroupParent,
      Limits userLimits,
      Limits adminLimits) {
    this(
        unsafe,
        mapping,
        minUid,
        readOnlyPaths,
        sharedNetwork,
        path,
        environment,
        cgroupRoot,
        cgroupParent,
        userLimits,
        adminLimits,
        "tether-shells",
        true);
  }

  /** The same with the cgroup hierarchy at {@code root}, and this policy for missing limits. */
  public IsolationConfig withCgroups(Path root, String parent, boolean refuse) {
    return new IsolationConfig(
        unsafe,
        mapping,
        minUid,
        readOnlyPaths,
        sharedNetwork,
        path,
        environment,
        root,
        parent,
        userLimits,
        adminLimits,
        shellsGroup,
        refuse);
  }

  public static IsolationConfig from(TetherSettings settings) {
    String network = settings.isolationNetwork();
    if (!network.equals("shared") && !network.equals("none")) {
      throw new IllegalArgumentException(
          "tether.isolation.network is shared or none, not " + network);
    }
    String withoutLimits = settings.withoutLimits();
    if (!withoutLimits.equals("refuse") && !withoutLimits.equals("warn")) {
      throw new IllegalArgumentException(
          "tether.isolation.without-limits is refuse or warn, not " + withoutLimits);
    }
    String mode = settings.isolationMode();
    if (!mode.equals("accounts") && !mode.equals("unsafe-single-user")) {
      throw new IllegalArgumentException(
          "tether.isolation.mode is accounts or unsafe-single-user, not " + mode);
    }
    return new IsolationConfig(
        settings.isolationUnsafe(),
        AccountMapping.of(
            settings.accountMapping(), settings.accountPrefix(), settings.accountTable()),
        settings.minUid(),
        settings.readOnlyPaths(),
        network.equals("shared"),
        settings.isolationPath(),
        settings.isolationEnvironment(),
        settings.cgroupRoot(),
        settings.cgroupParent(),
        new Limits(settings.pidsMax(false), settings.memoryMaxMib(false)),
        new Limits(settings.pidsMax(true), settings.memoryMaxMib(true)),
        settings.shellsGroup(),
        withoutLimits.equals("refuse"));
  }

  public Limits limits(boolean admin) {
    return admin ? adminLimits : userLimits;
  }
}
