package io.tether.isolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line that runs a shell as its account, in a sandbox: {@code setpriv} (util-linux)
 * takes the account's uid, gid and groups (and the shells' group, which the firewall keeps off the
 * server's internal ports, and which no process of the sandbox can drop), sets no_new_privs and
 * drops every capability, and only then {@code bwrap} (bubblewrap), unprivileged, builds the
 * sandbox in namespaces of its own: its own processes (the server's and other users' cannot be seen
 * or signalled), its own mounts (only the read-only system paths, the account's home and an empty
 * {@code /tmp}; nothing of the server's installation, configuration, logs or temp files), its own
 * IPC, host name and cgroup view, and no user namespace of its own to make. The environment is
 * built from nothing.
 *
 * <p>Not {@code --new-session}: the shell keeps the PTY as its controlling terminal, so job control
 * works. The escape that flag guards against (TIOCSTI pushing keys into a terminal read outside the
 * sandbox) does not apply: nothing outside the sandbox reads this terminal's input.
 */
final class Sandbox {
  static final String SETPRIV = "/usr/bin/setpriv";
  static final String BWRAP = "/usr/bin/bwrap";

  private Sandbox() {}

  /**
   * @param groups the process's groups: the account's own first, then its supplementary ones
   * @param shell the shell and its arguments
   * @param terminal the terminal's variables (TERM, COLORTERM, LANG)
   * @param blockFd if not negative, the sandbox, once made, waits for a byte on this descriptor
   *     before it starts the shell (a spare, see {@link Spares})
   */
  static List<String> command(
      IsolationConfig config,
      Account account,
      List<Integer> groups,
      List<String> shell,
      Map<String, String> terminal,
      int blockFd)
      throws IOException {
    List<String> line = new ArrayList<>();
    line.addAll(
        List.of(
            SETPRIV,
            "--reuid=" + account.uid(),
            "--regid=" + account.gid(),
            "--groups=" + String.join(",", groups.stream().map(String::valueOf).toList()),
            "--no-new-privs",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--",
            BWRAP,
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent"));
    if (config.sharedNetwork()) {
      line.add("--share-net");
    }
    for (String entry : config.readOnlyPaths()) {
      Path path = Path.of(entry);
      if (Files.isSymbolicLink(path)) {
        line.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), entry));
      } else if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        line.addAll(List.of("--ro-bind", entry, entry));
      }
    }
    String home = account.home().toString();
    line.addAll(
        List.of(
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--tmpfs",
            "/tmp",
            "--tmpfs",
            "/var/tmp",
            "--bind",
            home,
            home,
            "--chdir",
            home,
            "--clearenv"));
    environment(config, account, shell, terminal)
        .forEach((name, value) -> line.addAll(List.of("--setenv", name, value)));
    if (blockFd >= 0) {
      line.addAll(List.of("--block-fd", Integer.toString(blockFd)));
    }
    line.add("--");
    line.addAll(shell);
    return line;
  }

  /**
   * The shell's whole environment: the account's, the terminal's, then the configured additions.
   */
  static Map<String, String> environment(
      IsolationConfig config, Account account, List<String> shell, Map<String, String> terminal) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", config.path());
    env.put("HOME", account.home().toString());
    env.put("USER", account.name());
    env.put("LOGNAME", account.name());
    env.put("SHELL", shell.get(0));
    env.putAll(terminal);
    env.putAll(config.environment());
    return env;
  }
}
