package io.tether.isolation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Whether a shell that shares the machine's network can reach this server's internal ports
 * (Hazelcast's member port, JGroups, management, AJP, ...): the ports this JVM listens on, but the
 * public ones, tried from a process with the shells' group, as a shell would try them. A listening
 * port that refuses that process is closed to shells by the firewall (the rules of {@code
 * setup-shell-accounts.sh}, or the operator's own); one it can connect to is open to every shell.
 */
final class ShellNetwork {
  /** The account the probe runs as: nobody, with the shells' group as its only group. */
  private static final int NOBODY = 65534;

  /**
   * Tries each {@code host:port} argument, each connect bounded by {@code timeout}, and prints the
   * ones it could connect to.
   */
  private static final String PROBE =
      "for t; do if timeout 3 bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' \"${t%:*}\" \"${t##*:}\""
          + " 2>/dev/null; then echo \"$t\"; fi; done";

  private ShellNetwork() {}

  /** Where a shell would connect to reach a listening socket. */
  record Target(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * The TCP ports this process listens on, except {@code publicPorts}, as the addresses a shell
   * would connect to (a wildcard address as the loopback).
   */
  static List<Target> internalPorts(Set<Integer> publicPorts) throws IOException {
    Set<String> sockets = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          String link = Files.readSymbolicLink(fd).toString();
          if (link.startsWith("socket:[")) {
            sockets.add(link.substring("socket:[".length(), link.length() - 1));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    Set<Target> targets = new LinkedHashSet<>();
    for (String table : List.of("tcp", "tcp6")) {
      Path file = Path.of("/proc/self/net", table);
      if (!Files.isReadable(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        if (f.length < 10 || !f[3].equals("0A") || !sockets.contains(f[9])) {
          continue;
        }
        String[] local = f[1].split(":");
        int port = Integer.parseInt(local[1], 16);
        if (!publicPorts.contains(port)) {
          for (String host : hostsFor(address(local[0]))) {
            targets.add(new Target(host, port));
          }
        }
      }
    }
    return List.copyOf(targets);
  }

  /** An address of {@code /proc/net/tcp*}: 32-bit words in the machine's byte order. */
  static InetAddress address(String hex) throws UnknownHostException {
    byte[] raw = HexFormat.of().parseHex(hex);
    ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
    ByteBuffer out = ByteBuffer.allocate(raw.length).order(ByteOrder.BIG_ENDIAN);
    while (in.hasRemaining()) {
      out.putInt(in.getInt());
    }
    return InetAddress.getByAddress(out.array());
  }

  private static List<String> hostsFor(InetAddress address) {
    if (address.isAnyLocalAddress()) {
      // A wildcard: the loopback reaches it (an IPv6 wildcard takes IPv4 as well).
      return address.getAddress().length == 4 ? List.of("127.0.0.1") : List.of("127.0.0.1", "::1");
    }
    return List.of(address.getHostAddress().replaceFirst("%.*$", ""));
  }

  /**
   * The {@code targets} a process with group {@code gid} (as a shell has it) can connect to.
   *
   * @throws IOException if the probe could not run (no setpriv, or no privilege to use it)
   */
  static List<Target> reachable(int gid, List<Target> targets) throws IOException {
    if (targets.isEmpty()) {
      return List.of();
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                Sandbox.SETPRIV,
                "--reuid=" + NOBODY,
                "--regid=" + NOBODY,
                "--groups=" + gid,
                "--no-new-privs",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--",
                "/bin/bash",
                "-c",
                PROBE,
                "probe"));
    targets.forEach(t -> command.add(t.host() + ":" + t.port()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("/").toFile());
    builder.environment().clear();
    builder.environment().put("PATH", "/usr/bin:/bin");
    builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process probe = builder.start();
    try {
      String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
        throw new IOException("the probe " + command.subList(0, 8) + " failed");
      }
      Set<String> open = Set.of(out.split("\n"));
      return targets.stream().filter(t -> open.contains(t.host() + ":" + t.port())).toList();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while probing the shells' network", e);
    } finally {
      probe.destroyForcibly();
    }
  }
}
