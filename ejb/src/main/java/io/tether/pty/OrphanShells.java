package io.tether.pty;

import java.util.List;
import java.util.function.Predicate;

/**
 * Processes of this machine that belong to no live session of this node: every shell is started
 * with its session's id in {@link PtyShell#SESSION_VARIABLE}, so a sweep can tell them apart from
 * anything else, even after they were re-parented.
 */
public final class OrphanShells {
  private OrphanShells() {}

  /**
   * Processes marked by this server ({@code TETHER_SERVER}) whose session is not {@code live}.
   *
   * @param server this server's identity, so a sweep never touches another server's shells
   * @param live asked per session id as each process is looked at, so a session that starts during
   *     the scan is not missed
   */
  public static List<ProcessHandle> find(String server, Predicate<String> live) {
    String nodeEntry = PtyShell.SERVER_VARIABLE + "=" + server;
    String prefix = PtyShell.SESSION_VARIABLE + "=";
    return ProcessHandle.allProcesses()
        .filter(
            process -> {
              List<String> env = SessionProcesses.environment(process.pid());
              if (!env.contains(nodeEntry)) {
                return false;
              }
              return env.stream()
                  .filter(e -> e.startsWith(prefix))
                  .map(e -> e.substring(prefix.length()))
                  .anyMatch(session -> !live.test(session));
            })
        .toList();
  }

  /** SIGKILL to the orphan and its process group. */
  public static void kill(ProcessHandle orphan) {
    new SessionProcesses(orphan.pid(), "\0").signal(SessionProcesses.SIGKILL);
  }
}
