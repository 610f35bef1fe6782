package io.tether.isolation;

import io.tether.config.TetherSettings;
import io.tether.pty.Cgroups;
import io.tether.pty.PtyShell;
import io.tether.pty.SessionCgroup;
import io.tether.pty.ShellSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts a session's shell as its user's own account, sandboxed, in a control group with the
 * session's limits (see {@code docs/isolation.md}); or, in the explicit {@code unsafe-single-user}
 * mode, as the server's own account, with a warning at every start.
 */
public final class ShellIsolation {
  private static final Logger LOG = Logger.getLogger(ShellIsolation.class.getName());
  static final String UNSAFE_WARNING =
      "tether.isolation.mode=unsafe-single-user: every shell runs as the server's own account,"
          + " unsandboxed and without limits; any user can read the server's files and secrets and"
          + " end the server. Only for a machine with a single user.";

  private final IsolationConfig config;
  private final String server;
  private final Cgroups cgroups; // null in the unsafe mode, or when none could be set up
  private final String unusable; // why no isolated shell can start; null if they can

  private ShellIsolation(IsolationConfig config, String server, Cgroups cgroups, String unusable) {
    this.config = config;
    this.server = server;
    this.cgroups = cgroups;
    this.unusable = unusable;
  }

  /** From the node's settings; logs how shells will run (a warning in the unsafe mode). */
  public static ShellIsolation start(TetherSettings settings) {
    return start(IsolationConfig.from(settings), settings.serverIdentity());
  }

  /**
   * Checks what isolated shells need (the server's privileges, setpriv, bwrap, the cgroup
   * hierarchy) once; without it every session's start is refused, never run unisolated.
   */
  public static ShellIsolation start(IsolationConfig config, String server) {
    if (config.unsafe()) {
      LOG.warning(UNSAFE_WARNING);
      return new ShellIsolation(config, server, null, null);
    }
    String unusable = null;
    Cgroups cgroups = null;
    for (String tool : List.of(Sandbox.SETPRIV, Sandbox.BWRAP)) {
      if (!Files.isExecutable(Path.of(tool))) {
        unusable = tool + " is missing (install util-linux and bubblewrap)";
      }
    }
    try {
      cgroups = Cgroups.detect(config.cgroupRoot(), config.cgroupParent(), server);
    } catch (IOException | RuntimeException e) {
      unusable = "no usable cgroup hierarchy: " + e.getMessage();
    }
    if (unusable != null) {
      LOG.severe("shells cannot be isolated, so none will start: " + unusable);
    } else {
      Cgroups found = cgroups;
      LOG.info(
          () ->
              String.format(
                  "shells run as each user's own account (%s), sandboxed (bwrap), in cgroup %s"
                      + " groups under %s; per session: %d processes, %d MiB (admins: %d, %d MiB)",
                  config.mapping().mode(),
                  found.version(),
                  found.bases(),
                  config.userLimits().pidsMax(),
                  config.userLimits().memoryMib(),
                  config.adminLimits().pidsMax(),
                  config.adminLimits().memoryMib()));
    }
    return new ShellIsolation(config, server, cgroups, unusable);
  }

  /** Whether shells run as the server's own account. */
  public boolean unsafe() {
    return config.unsafe();
  }

  /** The shell of session {@code sessionId} for {@code user}. */
  public PtyShell start(
      ShellSpec spec, String sessionId, String user, boolean admin, int cols, int rows)
      throws IOException {
    if (config.unsafe()) {
      return PtyShell.start(spec, sessionId, server, cols, rows);
    }
    if (unusable != null) {
      throw new IOException("shells cannot be isolated: " + unusable);
    }
    Account account = accountOf(user);
    IsolationConfig.Limits limits = config.limits(admin);
    SessionCgroup cgroup = cgroups.create(sessionId, limits.pidsMax(), limits.memoryBytes());
    try {
      List<String> command = Sandbox.command(config, account, spec.command(), spec.environment());
      // What runs before the sandbox (sh, setpriv) gets a bare PATH and nothing of the server's.
      Map<String, String> outside = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
      return PtyShell.startInCgroup(command, outside, account.home(), cgroup, cols, rows);
    } catch (IOException | RuntimeException e) {
      cgroup.killAll();
      throw e;
    }
  }

  /** The account {@code user}'s shells run as; refused if it is missing or privileged. */
  Account accountOf(String user) throws IOException {
    String name =
        config
            .mapping()
            .accountFor(user)
            .orElseThrow(() -> new IOException("no account is mapped for user " + user));
    Account account =
        Account.lookup(name)
            .orElseThrow(
                () ->
                    new IOException(
                        "user " + user + " has no operating-system account " + name + " here"));
    if (account.uid() < config.minUid() || account.uid() == 0) {
      throw new IOException(
          "account "
              + name
              + " has uid "
              + account.uid()
              + ", below tether.isolation.min-uid "
              + config.minUid());
    }
    if (!Files.isDirectory(account.home())) {
      throw new IOException("account " + name + " has no home directory " + account.home());
    }
    return account;
  }

  /**
   * Kills whatever is left in the groups of sessions that are not {@code live} and removes the
   * groups (an end whose kill did not finish, or a previous run of this server that crashed).
   *
   * @return how many groups were cleaned up
   */
  public int reapOrphans(Predicate<String> live) {
    if (cgroups == null) {
      return 0;
    }
    int reaped = 0;
    try {
      for (SessionCgroup orphan : cgroups.orphans(live)) {
        List<Long> members = orphan.members();
        if (!members.isEmpty()) {
          LOG.warning(
              () ->
                  "session "
                      + orphan.sessionId()
                      + ": killing processes "
                      + members
                      + " of no live session");
        }
        if (orphan.killAll()) {
          reaped++;
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "could not look for orphaned session groups", e);
    }
    return reaped;
  }
}
