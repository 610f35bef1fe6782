package io.tether.isolation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * An operating-system account as the password database has it.
 *
 * @param home its home directory, which its shells see and keep
 */
public record Account(String name, int uid, int gid, Path home, String shell) {
  private static final Path PASSWD = Path.of("/etc/passwd");
  private static final Path GROUP = Path.of("/etc/group");

  /**
   * Looks {@code name} up: in {@code /etc/passwd} (no process to start), else through {@code
   * getent} (NSS: LDAP, SSSD and the like).
   */
  public static Optional<Account> lookup(String name) throws IOException {
    if (Files.isReadable(PASSWD)) {
      for (String line : Files.readAllLines(PASSWD, StandardCharsets.UTF_8)) {
        if (line.startsWith(name + ":")) {
          return Optional.of(parse(line));
        }
      }
    }
    return command("getent", "passwd", name)
        .filter(out -> !out.isBlank())
        .map(out -> parse(out.strip()));
  }

  /**
   * The gids of the account's groups, its own first: the groups {@code /etc/group} lists it in, or
   * where that file does not know it, what {@code id -G} says (NSS).
   */
  public List<Integer> groups() throws IOException {
    TreeSet<Integer> others = new TreeSet<>();
    boolean known = false;
    if (Files.isReadable(GROUP)) {
      for (String line : Files.readAllLines(GROUP, StandardCharsets.UTF_8)) {
        String[] fields = line.split(":", -1);
        if (fields.length < 4) {
          continue;
        }
        int gid = Integer.parseInt(fields[2]);
        known |= gid == gid();
        if (List.of(fields[3].split(",")).contains(name)) {
          others.add(gid);
        }
      }
    }
    if (!known) {
      others.clear();
      for (String gid : command("id", "-G", name).orElse("").trim().split("\\s+")) {
        if (!gid.isEmpty()) {
          others.add(Integer.parseInt(gid));
        }
      }
    }
    others.remove(gid());
    List<Integer> all = new ArrayList<>(List.of(gid()));
    all.addAll(others);
    return all;
  }

  /** The gid of group {@code name}: from {@code /etc/group}, else through {@code getent}. */
  public static OptionalInt groupId(String name) throws IOException {
    if (Files.isReadable(GROUP)) {
      for (String line : Files.readAllLines(GROUP, StandardCharsets.UTF_8)) {
        if (line.startsWith(name + ":")) {
          return OptionalInt.of(Integer.parseInt(line.split(":", -1)[2]));
        }
      }
    }
    return command("getent", "group", name)
        .filter(out -> !out.isBlank())
        .map(out -> OptionalInt.of(Integer.parseInt(out.strip().split(":", -1)[2])))
        .orElse(OptionalInt.empty());
  }

  /** What {@code command} prints, if it succeeds. */
  private static Optional<String> command(String... command) throws IOException {
    Process process = new ProcessBuilder(command).start();
    try {
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(5, TimeUnit.SECONDS) || process.exitValue() != 0) {
        return Optional.empty();
      }
      return Optional.of(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command[0], e);
    } finally {
      process.destroy();
    }
  }

  /** One {@code passwd} line: {@code name:x:uid:gid:gecos:home:shell}. */
  static Account parse(String line) {
    List<String> fields = List.of(line.split(":", -1));
    if (fields.size() < 7) {
      throw new IllegalArgumentException("not a passwd entry: " + line);
    }
    return new Account(
        fields.get(0),
        Integer.parseInt(fields.get(2)),
        Integer.parseInt(fields.get(3)),
        Path.of(fields.get(5)),
        fields.get(6));
  }
}
