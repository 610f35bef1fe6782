package io.tether.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
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

  @Inject
  @ConfigProperty(name = "tether.shell.command", defaultValue = "/bin/bash")
  String shellCommand;

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
  @ConfigProperty(name = "tether.heartbeat.interval-millis", defaultValue = "10000")
  long heartbeatMillis;

  @Inject
  @ConfigProperty(name = "tether.ticket.ttl-seconds", defaultValue = "30")
  long ticketTtlSeconds;

  @Inject
  @ConfigProperty(name = "tether.web.allowed-origins", defaultValue = " ")
  String allowedOrigins;

  /** The name this node reports in {@code attached} and in logs. */
  public String nodeName() {
    return nodeName
        .filter(s -> !s.isBlank())
        .or(() -> Optional.ofNullable(System.getProperty("jboss.node.name")))
        .orElseGet(TetherSettings::hostName);
  }

  public List<String> shellCommand() {
    return Arrays.stream(shellCommand.trim().split("\\s+")).toList();
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
    values.put("tether.ticket.ttl-seconds", ticketTtlSeconds);
    values.put("tether.web.allowed-origins", allowedOrigins());
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
