package io.tether.pty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The control groups this server puts its sessions in, detected once at start: one group per
 * session at {@code <root>/<parent>/<server>/<session>} in the cgroup v2 hierarchy, or in each v1
 * hierarchy used ({@code pids} and {@code memory}, and {@code cpu} where mounted, so that one
 * session's processes share the CPU with other sessions as one). {@code <server>} is derived from
 * the server's identity, so servers sharing a machine never touch each other's groups.
 */
public final class Cgroups {
  /** Which kernel interface: v1 (one hierarchy per controller) or v2 (one unified hierarchy). */
  public enum Version {
    V1,
    V2
  }

  /** The controllers that limit a session: processes and memory. */
  private static final List<String> LIMITS = List.of("pids", "memory");

  private final Version version;
  // v2: one base; v1: pids first, then memory, then cpu if mounted.
  private final List<Path> bases;
  private final List<String> missing; // v2: limit controllers the hierarchy does not offer

  private Cgroups(Version version, List<Path> bases, List<String> missing) {
    this.version = version;
    this.bases = List.copyOf(bases);
    this.missing = List.copyOf(missing);
  }

  /** Where cgroup v2 lacks the controllers of both limits: refused, as with {@code refuse}. */
  public static Cgroups detect(Path root, String parent, String server) throws IOException {
    return detect(root, parent, server, true);
  }

  /**
   * Finds the cgroup hierarchy under {@code root} (normally {@code /sys/fs/cgroup}): v2 where it is
   * mounted there with the {@code pids} and {@code memory} controllers, otherwise v1 with a {@code
   * pids} and a {@code memory} hierarchy. Creates this server's parent groups.
   *
   * @param parent the group under which this server's sessions go ({@code tether}), relative to the
   *     hierarchy's root
   * @param server the server's identity
   * @param refuseWithoutLimits whether a v2 hierarchy without the {@code pids} or {@code memory}
   *     controller is refused (otherwise sessions get groups without that limit; see {@link
   *     #missing()})
   * @throws IOException if neither is usable (not mounted, not writable by this process, or v2
   *     without a limit's controller when {@code refuseWithoutLimits})
   */
  public static Cgroups detect(Path root, String parent, String server, boolean refuseWithoutLimits)
      throws IOException {
    String key = serverKey(server);
    Path controllers = root.resolve("cgroup.controllers");
    if (Files.isRegularFile(controllers)) {
      List<String> available = List.of(Files.readString(controllers).trim().split("\\s+"));
      List<String> missing = LIMITS.stream().filter(c -> !available.contains(c)).toList();
      if (!missing.isEmpty() && refuseWithoutLimits) {
        throw new IOException(
            "cgroup v2 at "
                + root
                + " offers no "
                + String.join(" and no ", missing)
                + " controller (it offers "
                + available
                + "; a controller still bound to a v1 hierarchy is not offered in v2), so"
                + " sessions could not be limited (tether.isolation.without-limits=refuse)");
      }
      Path base = root;
      List<String> enable = new ArrayList<>();
      for (String controller : List.of("pids", "memory", "cpu")) {
        if (available.contains(controller)) {
          enable.add(controller);
        }
      }
      for (String part : (parent + "/" + key).split("/")) {
        if (part.isEmpty()) {
          continue;
        }
        enableControllers(base, enable);
        base = base.resolve(part);
        Files.createDirectories(base);
      }
      enableControllers(base, enable);
      return new Cgroups(Version.V2, List.of(base), missing);
    }
    List<Path> bases = new ArrayList<>();
    for (String controller : List.of("pids", "memory", "cpu")) {
      Path hierarchy = root.resolve(controller);
      if (!Files.isRegularFile(hierarchy.resolve("cgroup.procs"))) {
        if (controller.equals("cpu")) {
          continue; // optional
        }
        throw new IOException("no cgroup v1 hierarchy for " + controller + " at " + hierarchy);
      }
      Path base = hierarchy.resolve(parent).resolve(key);
      Files.createDirectories(base);
      bases.add(base);
    }
    return new Cgroups(Version.V1, bases, List.of());
  }

  private static void enableControllers(Path group, List<String> controllers) throws IOException {
    Path control = group.resolve("cgroup.subtree_control");
    String enabled = Files.readString(control);
    for (String controller : controllers) {
      if (!List.of(enabled.trim().split("\\s+")).contains(controller)) {
        Files.writeString(control, "+" + controller);
      }
    }
  }

  /** A short, stable, path-safe name for the server's identity (which may hold slashes). */
  static String serverKey(String server) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(server.getBytes(StandardCharsets.UTF_8));
      return "server-" + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Version version() {
    return version;
  }

  /**
   * The limit controllers ({@code pids}, {@code memory}) this hierarchy does not offer, whose
   * limits sessions therefore run without; empty where every limit applies.
   */
  public List<String> missing() {
    return missing;
  }

  /** Where this server's session groups are made (one per hierarchy). */
  public List<Path> bases() {
    return bases;
  }

  /**
   * Makes the group of session {@code sessionId} with its limits.
   *
   * @param pidsMax how many processes (and threads) the session may have at once
   * @param memoryBytes how much memory the session may use (without swap)
   */
  public SessionCgroup create(String sessionId, int pidsMax, long memoryBytes) throws IOException {
    if (!sessionId.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("not a session id: " + sessionId);
    }
    List<Path> dirs = bases.stream().map(base -> base.resolve(sessionId)).toList();
    SessionCgroup group =
        new SessionCgroup(version, dirs, sessionId, pidsMax, memoryBytes, missing);
    List<Path> made = new ArrayList<>();
    try {
      for (Path dir : dirs) {
        Files.createDirectory(dir); // refused if the group exists: it is not this session's
        made.add(dir);
      }
      group.applyLimits();
    } catch (IOException | RuntimeException e) {
      for (Path dir : made) {
        Files.deleteIfExists(dir);
      }
      throw e;
    }
    return group;
  }

  /**
   * Groups of this server whose session is not {@code live}: left behind by a session whose
   * processes could not all be killed, or by an earlier run of this server that crashed.
   */
  public List<SessionCgroup> orphans(Predicate<String> live) throws IOException {
    List<SessionCgroup> orphans = new ArrayList<>();
    try (Stream<Path> groups = Files.list(bases.get(0))) {
      for (Path dir : groups.filter(Files::isDirectory).toList()) {
        String session = dir.getFileName().toString();
        if (!live.test(session)) {
          List<Path> dirs = bases.stream().map(base -> base.resolve(session)).toList();
          orphans.add(new SessionCgroup(version, dirs, session, 0, 0, missing));
        }
      }
    }
    return orphans;
  }
}
