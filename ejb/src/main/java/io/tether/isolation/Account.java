package io.tether.isolation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An operating-system account as the password database has it.
 *
 * @param home its home directory, which its shells see and keep
 */
public record Account(String name, int uid, int gid, Path home, String shell) {
  private static final Path PASSWD = Path.of("/etc/passwd");

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
    Process getent =
        new ProcessBuilder("getent", "passwd", name).redirectErrorStream(false).start();
    try {
      String out = new String(getent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!getent.waitFor(5, TimeUnit.SECONDS) || getent.exitValue() != 0 || out.isBlank()) {
        return Optional.empty();
      }
      return Optional.of(parse(out.strip()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while looking up " + name, e);
    } finally {
      getent.destroy();
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
