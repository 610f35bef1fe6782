package io.tether.isolation;

import io.tether.config.TetherSettings;
import io.tether.pty.Cgroups;
import io.tether.pty.PtyShell;
import io.tether.pty.SessionCgroup;
import io.tether.pty.ShellSpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import java.util.function.Supplier;
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
  private final OptionalInt shellsGid; // the group every shell carries, if it exists
  private volatile Network network;
  private volatile Spares spares; // null unless kept
  private volatile Duration spareDelay;

  /**
   * How long after a session's start its user's next sandbox is made: once the session's own shell
   * has had the CPU to start.
   */
  public static final Duration SPARE_DELAY = Duration.ofMillis(500);

  /** A spare's terminal size until it is taken and sized for its session. */
  private static final int SPARE_COLUMNS = 80;

  private static final int SPARE_ROWS = 24;

  /** How shells reach the network, as the admin console shows it. */
  public enum Network {
    /** The server's own account, unsandboxed (the unsafe single-user mode). */
    SERVER,
    /** A loopback of the session's own ({@code tether.isolation.network=none}). */
    NONE,
    /** The machine's network, not yet checked. */
    UNCHECKED,
    /** The machine's network, with the server's internal ports closed to shells. */
    GUARDED,
    /** The machine's network, with some of the server's internal ports open to shells. */
    UNGUARDED
  }

  private ShellIsolation(
      IsolationConfig config,
      String server,
      Cgroups cgroups,
      String unusable,
      OptionalInt shellsGid,
      Network network) {
    this.config = config;
    this.server = server;
    this.cgroups = cgroups;
    this.unusable = unusable;
    this.shellsGid = shellsGid;
    this.network = network;
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
      return new ShellIsolation(config, server, null, null, OptionalInt.empty(), Network.SERVER);
    }
    String unusable = null;
    Cgroups cgroups = null;
    for (String tool : List.of(Sandbox.SETPRIV, Sandbox.BWRAP)) {
      if (!Files.isExecutable(Path.of(tool))) {
        unusable = tool + " is missing (install util-linux and bubblewrap)";
      }
    }
    try {
      cgroups =
          Cgroups.detect(
              config.cgroupRoot(), config.cgroupParent(), server, config.refuseWithoutLimits());
    } catch (IOException | RuntimeException e) {
      unusable = "no usable cgroup hierarchy: " + e.getMessage();
    }
    if (unusable != null) {
      LOG.severe("shells cannot be isolated, so none will start: " + unusable);
    } else if (!cgroups.missing().isEmpty()) {
      LOG.warning(
          "shells run without their "
              + String.join(" and ", cgroups.missing())
              + " limits: the cgroup v2 hierarchy at "
              + config.cgroupRoot()
              + " offers no such controller (tether.isolation.without-limits=warn). Each session"
              + " still has its group, and its end still reaches everything it started, but a"
              + " fork bomb or a memory hog is not held. Enable the controllers (a controller"
              + " bound to a v1 hierarchy is not offered in v2), or set"
              + " tether.isolation.without-limits=refuse.");
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
    OptionalInt gid = OptionalInt.empty();
    try {
      gid = Account.groupId(config.shellsGroup());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "cannot look up group " + config.shellsGroup(), e);
    }
    Network network = config.sharedNetwork() ? Network.UNCHECKED : Network.NONE;
    if (gid.isEmpty() && config.sharedNetwork()) {
      network = Network.UNGUARDED;
      LOG.warning(
          "group "
              + config.shellsGroup()
              + " does not exist, so no firewall rule can keep shells off this server's internal"
              + " ports (Hazelcast, JGroups, management): any user can reach them from a shell."
              + " Run server-config/setup-shell-accounts.sh, or set tether.isolation.network=none"
              + " (docs/isolation.md).");
    }
    return new ShellIsolation(config, server, cgroups, unusable, gid, network);
  }

  /** The limits ({@code pids}, {@code memory}) sessions run without, where the policy allows. */
  public List<String> missingLimits() {
    return cgroups == null ? List.of() : cgroups.missing();
  }

  /** How shells reach the network; see {@link #checkNetwork}. */
  public Network network() {
    return network;
  }

  /**
   * Checks, once the server listens on all its ports, that shells sharing the machine's network
   * cannot reach any port this server listens on but {@code publicPorts}: a process with the
   * shells' group tries each one. Logs a warning naming the ports that are open to shells.
   *
   * @return the outcome, also what {@link #network()} says from now on
   */
  public Network checkNetwork(Set<Integer> publicPorts) {
    if (config.unsafe() || !config.sharedNetwork() || shellsGid.isEmpty()) {
      return network; // nothing to check: no network, or no group a rule could match
    }
    try {
      List<ShellNetwork.Target> internal = ShellNetwork.internalPorts(publicPorts);
      List<ShellNetwork.Target> open = ShellNetwork.reachable(shellsGid.getAsInt(), internal);
      if (open.isEmpty()) {
        network = Network.GUARDED;
        LOG.info(
            () ->
                "shells share the machine's network; this server's internal ports "
                    + internal
                    + " are closed to them (group "
                    + config.shellsGroup()
                    + "), its public ports "
                    + publicPorts
                    + " open");
      } else {
        network = Network.UNGUARDED;
        LOG.warning(
            () ->
                "shells share the machine's network and can reach this server's internal ports "
                    + open
                    + " (of "
                    + internal
                    + "): any user can talk to the Hazelcast member, JGroups or the management"
                    + " interface from a shell. Install the firewall rules for group "
                    + config.shellsGroup()
                    + " (server-config/setup-shell-accounts.sh, with TETHER_PORT_OFFSETS or"
                    + " TETHER_INTERNAL_PORTS for these ports), or set"
                    + " tether.isolation.network=none (docs/isolation.md).");
      }
    } catch (IOException | RuntimeException e) {
      network = Network.UNCHECKED;
      LOG.log(
          Level.WARNING,
          "could not check whether shells can reach this server's internal ports; assume they"
              + " can (docs/isolation.md)",
          e);
    }
    return network;
  }

  /** Whether shells run as the server's own account. */
  public boolean unsafe() {
    return config.unsafe();
  }

  /**
   * The shell of session {@code sessionId} for {@code user}: from the spare made for this session
   * if there is one (see {@link #spareSessionId}), otherwise started here; then, with spares kept,
   * the user's next spare is made in the background.
   */
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
    List<Integer> groups = groupsOf(account);
    Spares kept = spares;
    PtyShell shell =
        kept == null ? null : kept.take(sessionId, user, admin, spec, account, groups, cols, rows);
    if (shell == null) {
      shell = sandboxed(spec, sessionId, account, groups, admin, null, cols, rows);
    }
    if (kept != null) {
      kept.replenish(user, admin, spec, spareDelay);
    }
    return shell;
  }

  /**
   * The sandboxed shell of session {@code sessionId}, the first member of the session's new group;
   * with {@code go}, a spare whose sandbox waits for a byte on that pipe before it starts the
   * shell.
   */
  private PtyShell sandboxed(
      ShellSpec spec,
      String sessionId,
      Account account,
      List<Integer> groups,
      boolean admin,
      Path go,
      int cols,
      int rows)
      throws IOException {
    IsolationConfig.Limits limits = config.limits(admin);
    SessionCgroup cgroup = cgroups.create(sessionId, limits.pidsMax(), limits.memoryBytes());
    try {
      List<String> command =
          Sandbox.command(
              config,
              account,
              groups,
              spec.command(),
              spec.environment(),
              go == null ? -1 : PtyShell.HELD_FD);
      // What runs before the sandbox (sh, setpriv) gets a bare PATH and nothing of the server's.
      Map<String, String> outside = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
      return PtyShell.startInCgroup(command, outside, account.home(), cgroup, go, cols, rows);
    } catch (IOException | RuntimeException e) {
      cgroup.killAll();
      throw e;
    }
  }

  /** The account's groups, and the shells' group, which every shell carries. */
  private List<Integer> groupsOf(Account account) throws IOException {
    List<Integer> groups = new ArrayList<>(account.groups());
    shellsGid.ifPresent(
        gid -> {
          if (!groups.contains(gid)) {
            groups.add(gid);
          }
        });
    return groups;
  }

  /**
   * A spare for session {@code sessionId} of {@code user}, waiting on the new pipe {@code pipe}.
   */
  private Spares.Spare spare(
      String sessionId, String user, boolean admin, ShellSpec spec, Path pipe) throws IOException {
    Account account = accountOf(user);
    List<Integer> groups = groupsOf(account);
    FileChannel go = Spares.pipe(pipe);
    try {
      PtyShell shell =
          sandboxed(
              spec,
              sessionId,
              account,
              groups,
              admin,
              pipe,
              SPARE_COLUMNS,
              SPARE_ROWS); // sized when taken, before the shell starts
      return new Spares.Spare(sessionId, spec, account, groups, shell, go, System.nanoTime());
    } catch (IOException | RuntimeException e) {
      go.close();
      throw e;
    } finally {
      Files.deleteIfExists(pipe); // the sandbox has it open from its start: its name is not needed
    }
  }

  /**
   * From now on, after each session's start its user's next sandbox is made ahead, {@code delay}
   * later ({@link #SPARE_DELAY} on a node), so that the user's next session finds it ready, and
   * {@link #prepare} makes one at once (see {@link Spares}). Not in the unsafe mode, nor where
   * shells cannot be isolated.
   *
   * @param max how many spares the node keeps at most (0: none)
   * @param lifetime how long a spare waits at most before it is killed
   * @param delay how long after a session's start its user's next spare is made
   * @param executor where spares are made
   * @param ids new session ids
   * @param maySession whether a user may start a session on this node (has one, or a ticket issued
   *     here): only such a user gets a spare, and keeps it (see {@link #sessionEnded})
   */
  public void keepSpares(
      int max,
      Duration lifetime,
      Duration delay,
      ScheduledExecutorService executor,
      Supplier<String> ids,
      Predicate<String> maySession)
      throws IOException {
    if (config.unsafe() || unusable != null || max <= 0 || spares != null) {
      return;
    }
    spareDelay = delay;
    spares = new Spares(this::spare, max, lifetime, executor, ids, maySession);
    LOG.info(
        () ->
            "each user's next shell sandbox is made ahead, after a session of theirs starts (at"
                + " most "
                + max
                + " waiting, each for at most "
                + lifetime.toSeconds()
                + " s)");
  }

  /**
   * A session of {@code user} in this role is about to start here: their sandbox is made now,
   * unless one waits or is being made. A session that asks meanwhile waits for it.
   */
  public void prepare(String user, boolean admin, ShellSpec spec) {
    Spares kept = spares;
    if (kept != null) {
      kept.replenish(user, admin, spec, Duration.ZERO);
    }
  }

  /**
   * The session id to give {@code user}'s next session in this role: the one its spare sandbox was
   * made for, if one waits or is being made now.
   */
  public Optional<String> spareSessionId(String user, boolean admin) {
    Spares kept = spares;
    return kept == null ? Optional.empty() : kept.sessionIdFor(user, admin);
  }

  /** How many sessions have started from a spare sandbox. */
  public long spareStarts() {
    Spares kept = spares;
    return kept == null ? 0 : kept.taken();
  }

  /** The session ids of the spare sandboxes waiting now. */
  List<String> waitingSpares() {
    Spares kept = spares;
    return kept == null ? List.of() : kept.waiting();
  }

  /** A session of {@code user} has ended: their spares go unless they have another session. */
  public void sessionEnded(String user) {
    Spares kept = spares;
    if (kept != null) {
      kept.sessionEnded(user);
    }
  }

  /** Kills the spare sandboxes (undeploy): none is made any more. */
  public void close() {
    Spares kept = spares;
    if (kept != null) {
      kept.close();
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
   * groups (an end whose kill did not finish, or a previous run of this server that crashed); the
   * groups of spare sandboxes are left alone, but spares past their lifetime are killed.
   *
   * @return how many groups were cleaned up
   */
  public int reapOrphans(Predicate<String> live) {
    if (cgroups == null) {
      return 0;
    }
    Spares kept = spares;
    if (kept != null) {
      kept.expire();
    }
    int reaped = 0;
    Predicate<String> notOrphan = kept == null ? live : live.or(kept::holds);
    try {
      for (SessionCgroup orphan : cgroups.orphans(notOrphan)) {
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
