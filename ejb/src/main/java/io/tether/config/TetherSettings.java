package io.tether.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every knob of Tether, from MicroProfile Config (system properties, environment variables such as
 * {@code TETHER_HEARTBEAT_INTERVAL_MILLIS}, {@code microprofile-config.properties}). The reference
 * with defaults and meanings is {@code docs/configuration.md}.
 */
@ApplicationScoped
public class TetherSettings {
  @Inject
  @ConfigProperty(name = "tether.node.name")
  Optional<String> nodeName;

  /** The program and its arguments, comma-separated (MicroProfile Config's list form). */
  @Inject
  @ConfigProperty(name = "tether.shell.command", defaultValue = "/bin/bash")
  List<String> shellCommand;

  @Inject
  @ConfigProperty(name = "tether.shell.directory")
  Optional<String> shellDirectory;

  @Inject
  @ConfigProperty(name = "tether.shell.term", defaultValue = "xterm-256color")
  String shellTerm;

  @Inject
  @ConfigProperty(name = "tether.session.log-bytes", defaultValue = "4194304")
  int logBytes;

  @Inject
  @ConfigProperty(name = "tether.session.window-bytes", defaultValue = "1048576")
  long windowBytes;

  @Inject
  @ConfigProperty(name = "tether.session.kill-grace-millis", defaultValue = "2000")
  long killGraceMillis;

  @Inject
  @ConfigProperty(name = "tether.session.ended-memory-minutes", defaultValue = "10")
  long endedMemoryMinutes;

  @Inject
  @ConfigProperty(name = "tether.heartbeat.interval-millis", defaultValue = "5000")
  long heartbeatMillis;

  @Inject
  @ConfigProperty(name = "tether.session.reconnect-grace-millis", defaultValue = "5000")
  long reconnectGraceMillis;

  @Inject
  @ConfigProperty(name = "tether.ticket.ttl-seconds", defaultValue = "30")
  long ticketTtlSeconds;

  @Inject
  @ConfigProperty(name = "tether.web.allowed-origins", defaultValue = " ")
  String allowedOrigins;

  @Inject
  @ConfigProperty(name = "tether.web.compression", defaultValue = "remote")
  String compression = "remote"; // as injected; plain instances (tests) get the default

  @Inject
  @ConfigProperty(name = "tether.session.max-per-user", defaultValue = "10")
  int maxSessionsPerUser;

  @Inject
  @ConfigProperty(name = "tether.session.admin.max-per-user")
  Optional<Integer> adminMaxSessionsPerUser;

  @Inject
  @ConfigProperty(name = "tether.idle.sweep-interval-seconds", defaultValue = "30")
  long sweepIntervalSeconds;

  @Inject
  @ConfigProperty(name = "tether.idle.attached-timeout-seconds", defaultValue = "7200")
  long attachedTimeoutSeconds;

  @Inject
  @ConfigProperty(name = "tether.idle.detached-timeout-seconds", defaultValue = "1800")
  long detachedTimeoutSeconds;

  @Inject
  @ConfigProperty(name = "tether.idle.warning-seconds", defaultValue = "120")
  long warningSeconds;

  @Inject
  @ConfigProperty(name = "tether.idle.admin.attached-timeout-seconds")
  Optional<Long> adminAttachedTimeoutSeconds;

  @Inject
  @ConfigProperty(name = "tether.idle.admin.detached-timeout-seconds")
  Optional<Long> adminDetachedTimeoutSeconds;

  @Inject
  @ConfigProperty(name = "tether.idle.output-is-activity", defaultValue = "false")
  boolean outputIsActivity;

  @Inject
  @ConfigProperty(name = "tether.observe.policy", defaultValue = "notify")
  String observePolicy = "notify"; // as injected; plain instances (tests) get the default

  @Inject
  @ConfigProperty(name = "tether.observe.consent-timeout-seconds", defaultValue = "30")
  long consentTimeoutSeconds = 30;

  @Inject
  @ConfigProperty(name = "tether.pty.keep-cpus-awake", defaultValue = "true")
  boolean keepCpusAwake;

  @Inject
  @ConfigProperty(name = "tether.cluster.name", defaultValue = "tether")
  String clusterName;

  @Inject
  @ConfigProperty(name = "tether.cluster.bind-address", defaultValue = "127.0.0.1")
  String clusterBindAddress;

  @Inject
  @ConfigProperty(name = "tether.cluster.port")
  Optional<Integer> clusterPort;

  @Inject
  @ConfigProperty(name = "tether.cluster.members")
  Optional<String> clusterMembers; // a list; read as text: Payara cannot inject Optional<List<..>>

  @Inject
  @ConfigProperty(name = "tether.cluster.max-no-heartbeat-seconds", defaultValue = "10")
  int clusterMaxNoHeartbeatSeconds;

  @Inject
  @ConfigProperty(name = "tether.cluster.url")
  Optional<String> clusterUrl;

  @Inject
  @ConfigProperty(name = "tether.cluster.secret")
  Optional<String> clusterSecret;

  @Inject
  @ConfigProperty(name = "tether.isolation.mode", defaultValue = "accounts")
  String isolationMode;

  @Inject
  @ConfigProperty(name = "tether.isolation.account-mapping", defaultValue = "prefix")
  String accountMapping;

  @Inject
  @ConfigProperty(name = "tether.isolation.account-prefix", defaultValue = "tether-")
  String accountPrefix;

  @Inject
  @ConfigProperty(name = "tether.isolation.accounts", defaultValue = " ")
  String accountTable;

  @Inject
  @ConfigProperty(name = "tether.isolation.min-uid", defaultValue = "1000")
  int minUid;

  @Inject
  @ConfigProperty(
      name = "tether.isolation.read-only-paths",
      defaultValue = "/usr,/etc,/bin,/sbin,/lib,/lib32,/lib64")
  List<String> readOnlyPaths;

  @Inject
  @ConfigProperty(name = "tether.isolation.network", defaultValue = "shared")
  String isolationNetwork;

  @Inject
  @ConfigProperty(name = "tether.isolation.shells-group", defaultValue = "tether-shells")
  String shellsGroup;

  @Inject
  @ConfigProperty(name = "tether.isolation.public-ports")
  Optional<String> publicPorts; // a list, as tether.cluster.members

  @Inject
  @ConfigProperty(name = "tether.isolation.without-limits", defaultValue = "refuse")
  String withoutLimits;

  @Inject
  @ConfigProperty(name = "tether.isolation.path", defaultValue = "/usr/local/bin:/usr/bin:/bin")
  String isolationPath;

  @Inject
  @ConfigProperty(name = "tether.isolation.environment", defaultValue = " ")
  String isolationEnvironment;

  @Inject
  @ConfigProperty(name = "tether.isolation.cgroup-root", defaultValue = "/sys/fs/cgroup")
  String cgroupRoot;

  @Inject
  @ConfigProperty(name = "tether.isolation.cgroup-parent", defaultValue = "tether")
  String cgroupParent;

  @Inject
  @ConfigProperty(name = "tether.isolation.pids-max", defaultValue = "512")
  int pidsMax;

  @Inject
  @ConfigProperty(name = "tether.isolation.admin.pids-max")
  Optional<Integer> adminPidsMax;

  @Inject
  @ConfigProperty(name = "tether.isolation.memory-max-mib", defaultValue = "1024")
  long memoryMaxMib;

  @Inject
  @ConfigProperty(name = "tether.isolation.admin.memory-max-mib")
  Optional<Long> adminMemoryMaxMib;

  @Inject
  @ConfigProperty(name = "tether.isolation.spares", defaultValue = "16")
  int spares;

  @Inject
  @ConfigProperty(name = "tether.isolation.spare-lifetime-seconds", defaultValue = "600")
  long spareLifetimeSeconds;

  /** The name this node reports in {@code attached} and in logs. */
  public String nodeName() {
    return nodeName
        .filter(s -> !s.isBlank())
        .or(() -> Optional.ofNullable(System.getProperty("jboss.node.name")))
        .orElseGet(TetherSettings::hostName);
  }

  public List<String> shellCommand() {
    return List.copyOf(shellCommand);
  }

  public Path shellDirectory() {
    return Path.of(
        shellDirectory.filter(s -> !s.isBlank()).orElse(System.getProperty("user.home")));
  }

  public Map<String, String> shellEnvironment() {
    return Map.of("TERM", shellTerm, "COLORTERM", "truecolor", "LANG", "C.UTF-8");
  }

  public int logBytes() {
    return logBytes;
  }

  public long windowBytes() {
    return windowBytes;
  }

  public long killGraceMillis() {
    return killGraceMillis;
  }

  public long endedMemoryMinutes() {
    return endedMemoryMinutes;
  }

  public long heartbeatMillis() {
    return heartbeatMillis;
  }

  /**
   * How long a client that vanished while keeping up holds its session's output back for its
   * reconnect; never longer than a dead link takes to be detected (three heartbeat intervals).
   */
  public long reconnectGraceMillis() {
    return Math.max(0, Math.min(reconnectGraceMillis, 3 * heartbeatMillis()));
  }

  public long ticketTtlSeconds() {
    return ticketTtlSeconds;
  }

  /** Extra origins (scheme://host:port) allowed to open terminals besides the server's own. */
  public List<String> allowedOrigins() {
    return Arrays.stream(allowedOrigins.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /**
   * When a terminal connection gets permessage-deflate (if its client offers it): {@code never},
   * {@code remote} (the default: a client that is not on this machine) or {@code always}.
   *
   * @throws IllegalArgumentException for any other value
   */
  public String compression() {
    String value = compression.trim();
    return switch (value) {
      case "never", "remote", "always" -> value;
      default ->
          throw new IllegalArgumentException(
              "tether.web.compression must be never, remote or always, not '" + value + "'");
    };
  }

  /** How many sessions one user may have at once; admins may have their own limit. */
  public int maxSessionsPerUser(boolean admin) {
    return admin ? adminMaxSessionsPerUser.orElse(maxSessionsPerUser) : maxSessionsPerUser;
  }

  public Duration sweepInterval() {
    return Duration.ofSeconds(sweepIntervalSeconds);
  }

  /** The idle limits for users, or for admins (each admin limit defaults to the user one). */
  public IdleLimits idleLimits(boolean admin) {
    long attached = attachedTimeoutSeconds;
    long detached = detachedTimeoutSeconds;
    if (admin) {
      attached = adminAttachedTimeoutSeconds.orElse(attached);
      detached = adminDetachedTimeoutSeconds.orElse(detached);
    }
    return new IdleLimits(
        Duration.ofSeconds(attached),
        Duration.ofSeconds(detached),
        Duration.ofSeconds(Math.min(warningSeconds, attached - 1)));
  }

  public boolean outputIsActivity() {
    return outputIsActivity;
  }

  /**
   * Whether an administrator's observing waits for the session's user to agree ({@code
   * tether.observe.policy=consent}), or the user is only told who watches ({@code notify}, the
   * default).
   *
   * @throws IllegalArgumentException for any other value
   */
  public boolean observeNeedsConsent() {
    String policy = observePolicy.trim();
    return switch (policy) {
      case "notify" -> false;
      case "consent" -> true;
      default ->
          throw new IllegalArgumentException(
              "tether.observe.policy must be notify or consent, not '" + policy + "'");
    };
  }

  /** How long a user has to answer an observe request before it is refused (consent policy). */
  public Duration consentTimeout() {
    if (consentTimeoutSeconds < 1) {
      throw new IllegalArgumentException(
          "tether.observe.consent-timeout-seconds must be at least 1");
    }
    return Duration.ofSeconds(consentTimeoutSeconds);
  }

  /**
   * Whether the node keeps idle CPUs out of deep sleep while a terminal streams output (see {@link
   * io.tether.pty.CpuLatencyRequest}).
   */
  public boolean keepCpusAwake() {
    return keepCpusAwake;
  }

  /**
   * Who started a shell: this node's name and the server's base directory (WildFly's {@code
   * jboss.server.base.dir}, Payara's domain directory {@code com.sun.aas.instanceRoot}). Several
   * servers on one machine differ in it even when their node names clash, and a server restarted
   * after a crash has the same one, so its sweep reaps the shells its previous run left behind.
   */
  public String serverIdentity() {
    String baseDir = System.getProperty("jboss.server.base.dir");
    if (baseDir == null) {
      baseDir = System.getProperty("com.sun.aas.instanceRoot", System.getProperty("user.dir"));
    }
    return nodeName() + "@" + baseDir;
  }

  /** The server's port offset, which shifts every default port of this node. */
  public int portOffset() {
    return Integer.getInteger("jboss.socket.binding.port-offset", 0);
  }

  public String clusterName() {
    return clusterName;
  }

  public String clusterBindAddress() {
    return clusterBindAddress;
  }

  /** The Hazelcast member's port: 5701 plus the port offset unless set. */
  public int clusterPort() {
    return clusterPort.orElse(5701 + portOffset());
  }

  /** A comma-separated list, as MicroProfile Config splits one, without empty items. */
  private static List<String> listOf(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** Every member as {@code host:port}; by default this node alone. */
  public List<String> clusterMembers() {
    return clusterMembers
        .map(TetherSettings::listOf)
        .filter(members -> !members.isEmpty())
        .orElse(List.of(clusterBindAddress + ":" + clusterPort()));
  }

  public int clusterMaxNoHeartbeatSeconds() {
    return clusterMaxNoHeartbeatSeconds;
  }

  /** This node's base URL as the other nodes reach it, ending in a slash. */
  public String clusterUrl() {
    String url =
        clusterUrl.orElse(
            "http://" + clusterBindAddress + ":" + (8080 + portOffset()) + "/tether/");
    return url.endsWith("/") ? url : url + "/";
  }

  /** The shared secret that authenticates relays; empty if not configured. */
  public Optional<String> clusterSecret() {
    return clusterSecret.filter(s -> !s.isBlank());
  }

  /**
   * {@code accounts}: each user's shell runs under an operating-system account of its own, in a
   * sandbox with limits (the default); {@code unsafe-single-user}: every shell runs as the server's
   * own account, for a machine with one user only.
   */
  public String isolationMode() {
    return isolationMode.trim();
  }

  /** Whether shells run as the server's own account ({@code unsafe-single-user}). */
  public boolean isolationUnsafe() {
    return isolationMode().equals("unsafe-single-user");
  }

  /** {@code prefix}, {@code same-name} or {@code table}. */
  public String accountMapping() {
    return accountMapping.trim();
  }

  public String accountPrefix() {
    return accountPrefix.trim();
  }

  /** The explicit table, Tether user to account ({@code alice=alice,bob=robert}). */
  public Map<String, String> accountTable() {
    return pairs(accountTable);
  }

  /** The lowest uid a shell may run as: no system account, never root. */
  public int minUid() {
    return minUid;
  }

  public List<String> readOnlyPaths() {
    return readOnlyPaths.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** {@code shared} (the host's network) or {@code none} (a loopback of the session's own). */
  public String isolationNetwork() {
    return isolationNetwork.trim();
  }

  /**
   * The group every isolated shell carries besides its account's own, which the firewall rules of
   * {@code setup-shell-accounts.sh} keep off the server's internal ports.
   */
  public String shellsGroup() {
    return shellsGroup.trim();
  }

  /**
   * The ports a shell may reach on this server: by default the HTTP and HTTPS ports ({@code
   * jboss.http.port}, 8080, and {@code jboss.https.port}, 8443, plus the port offset). Every other
   * port the server listens on must be closed to shells.
   */
  public List<Integer> publicPorts() {
    return publicPorts
        .map(TetherSettings::listOf)
        .map(ports -> ports.stream().map(Integer::valueOf).toList())
        .filter(ports -> !ports.isEmpty())
        .orElseGet(
            () ->
                List.of(
                    Integer.getInteger("jboss.http.port", 8080) + portOffset(),
                    Integer.getInteger("jboss.https.port", 8443) + portOffset()));
  }

  /**
   * What to do where the cgroup hierarchy lacks a limit's controller: {@code refuse} every shell
   * (the default) or {@code warn} and run shells in their groups without that limit.
   */
  public String withoutLimits() {
    return withoutLimits.trim();
  }

  public String isolationPath() {
    return isolationPath.trim();
  }

  /** Variables added to a shell's clean environment ({@code NAME=value,NAME=value}). */
  public Map<String, String> isolationEnvironment() {
    return pairs(isolationEnvironment);
  }

  public Path cgroupRoot() {
    return Path.of(cgroupRoot.trim());
  }

  public String cgroupParent() {
    return cgroupParent.trim();
  }

  /** How many processes one session may have at once; admins may have their own limit. */
  public int pidsMax(boolean admin) {
    return admin ? adminPidsMax.orElse(pidsMax) : pidsMax;
  }

  /** How much memory one session may use, in MiB; admins may have their own limit. */
  public long memoryMaxMib(boolean admin) {
    return admin ? adminMemoryMaxMib.orElse(memoryMaxMib) : memoryMaxMib;
  }

  /** How many sandboxes made ahead for users' next sessions the node keeps at most (0: none). */
  public int spares() {
    return spares;
  }

  /** How long a sandbox made ahead waits for its session at most. */
  public Duration spareLifetime() {
    return Duration.ofSeconds(spareLifetimeSeconds);
  }

  private static Map<String, String> pairs(String list) {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (String entry : list.split(",")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        pairs.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
      } else if (!entry.isBlank()) {
        throw new IllegalArgumentException("not NAME=value: " + entry.trim());
      }
    }
    return pairs;
  }

  /** The effective values, for the one log line at start-up. */
  public Map<String, Object> effective() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("tether.node.name", nodeName());
    values.put("tether.shell.command", shellCommand());
    values.put("tether.shell.directory", shellDirectory());
    values.put("tether.shell.term", shellTerm);
    values.put("tether.session.log-bytes", logBytes);
    values.put("tether.session.window-bytes", windowBytes);
    values.put("tether.session.kill-grace-millis", killGraceMillis);
    values.put("tether.session.ended-memory-minutes", endedMemoryMinutes);
    values.put("tether.heartbeat.interval-millis", heartbeatMillis);
    values.put("tether.session.reconnect-grace-millis", reconnectGraceMillis());
    values.put("tether.ticket.ttl-seconds", ticketTtlSeconds);
    values.put("tether.web.allowed-origins", allowedOrigins());
    values.put("tether.web.compression", compression());
    values.put("tether.session.max-per-user", maxSessionsPerUser);
    values.put("tether.session.admin.max-per-user", maxSessionsPerUser(true));
    values.put("tether.idle.sweep-interval-seconds", sweepIntervalSeconds);
    values.put("tether.idle.attached-timeout-seconds", attachedTimeoutSeconds);
    values.put("tether.idle.detached-timeout-seconds", detachedTimeoutSeconds);
    values.put("tether.idle.warning-seconds", warningSeconds);
    values.put(
        "tether.idle.admin.attached-timeout-seconds", idleLimits(true).attached().toSeconds());
    values.put(
        "tether.idle.admin.detached-timeout-seconds", idleLimits(true).detached().toSeconds());
    values.put("tether.idle.output-is-activity", outputIsActivity);
    values.put("tether.observe.policy", observeNeedsConsent() ? "consent" : "notify");
    values.put("tether.observe.consent-timeout-seconds", consentTimeout().toSeconds());
    values.put("tether.pty.keep-cpus-awake", keepCpusAwake);
    values.put("tether.isolation.mode", isolationMode());
    values.put("tether.isolation.account-mapping", accountMapping());
    values.put("tether.isolation.account-prefix", accountPrefix());
    values.put("tether.isolation.accounts", accountTable());
    values.put("tether.isolation.min-uid", minUid);
    values.put("tether.isolation.read-only-paths", readOnlyPaths());
    values.put("tether.isolation.network", isolationNetwork());
    values.put("tether.isolation.shells-group", shellsGroup());
    values.put("tether.isolation.public-ports", publicPorts());
    values.put("tether.isolation.without-limits", withoutLimits());
    values.put("tether.isolation.path", isolationPath());
    values.put("tether.isolation.environment", isolationEnvironment().keySet());
    values.put("tether.isolation.cgroup-root", cgroupRoot());
    values.put("tether.isolation.cgroup-parent", cgroupParent());
    values.put("tether.isolation.pids-max", pidsMax);
    values.put("tether.isolation.admin.pids-max", pidsMax(true));
    values.put("tether.isolation.memory-max-mib", memoryMaxMib);
    values.put("tether.isolation.admin.memory-max-mib", memoryMaxMib(true));
    values.put("tether.isolation.spares", spares);
    values.put("tether.isolation.spare-lifetime-seconds", spareLifetimeSeconds);
    values.put("tether.cluster.name", clusterName);
    values.put("tether.cluster.bind-address", clusterBindAddress);
    values.put("tether.cluster.port", clusterPort());
    values.put("tether.cluster.members", clusterMembers());
    values.put("tether.cluster.max-no-heartbeat-seconds", clusterMaxNoHeartbeatSeconds);
    values.put("tether.cluster.url", clusterUrl());
    values.put("tether.cluster.secret", clusterSecret().isPresent() ? "(set)" : "(random)");
    return values;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
