package io.tether.node;

import io.tether.pty.OrphanShells;
import io.tether.registry.SessionRecord;
import io.tether.registry.SessionRegistry;
import io.tether.session.TerminalSession;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Makes one node's PTYs and its registry records agree: a record without a live session is removed,
 * a live session whose record is gone gets it back (the cluster declared it lost while this node
 * was cut off or frozen, or a split lost the record: {@code returned} tells the consoles, see
 * {@link RecordMirror#returned}), and a shell process no session knows is killed. No session ends
 * because its record is missing.
 *
 * <p>A session being started has its shell before it is live, and is live before its record is
 * written; until its start is over it counts as live and its missing record as not yet written, so
 * a sweep that runs meanwhile leaves it alone.
 *
 * @param node this node's name (whose records are checked)
 * @param server this server's identity, as its shells carry it ({@link OrphanShells})
 * @param lookForShells whether to look through the machine's processes for shells of this server
 *     that no session knows: a shell started unsandboxed can only be found so; isolated shells are
 *     found by their session's group (see {@code ShellStarter#reapOrphans}), and this look, which
 *     reads every process's environment, takes seconds beside thousands of sessions
 * @param sessions the node's live sessions by id
 * @param starting ids of sessions whose start is under way
 * @param recordAgain writes the record of a live session that has none; false if it has one by now
 */
record NodeReconciliation(
    String node,
    String server,
    boolean lookForShells,
    Map<String, TerminalSession> sessions,
    Set<String> starting,
    SessionRegistry registry,
    Predicate<TerminalSession> recordAgain) {
  private static final Logger LOG = Logger.getLogger(NodeReconciliation.class.getName());

  /**
   * @return how many things were cleaned up
   */
  int run() {
    // Taken before the records are read: a session whose start was over by now has its record.
    List<TerminalSession> started =
        sessions.values().stream().filter(s -> !starting.contains(s.id())).toList();
    Set<String> recorded = new HashSet<>();
    int cleaned = 0;
    for (SessionRecord record : registry.ownedBy(node)) {
      recorded.add(record.id());
      if (!isLiveOrStarting(record.id()) && registry.remove(record)) {
        LOG.warning(() -> "session " + record.id() + ": removed a record with no live PTY");
        cleaned++;
      }
    }
    for (TerminalSession session : started) {
      if (!recorded.contains(session.id())
          && session.ended() == null
          && recordAgain.test(session)) {
        cleaned++;
      }
    }
    Predicate<String> known = this::isLiveOrStarting;
    for (ProcessHandle orphan : lookForShells ? OrphanShells.find(server, known) : noShells()) {
      LOG.warning(
          () -> "killing shell process " + orphan.pid() + ": it belongs to no live session");
      OrphanShells.kill(orphan);
      cleaned++;
    }
    return cleaned;
  }

  private static List<ProcessHandle> noShells() {
    return List.of();
  }

  /**
   * Starting is asked before live: a start puts the session among the live ones before it leaves
   * the starting ones, so one of the two answers yes throughout.
   */
  private boolean isLiveOrStarting(String id) {
    return starting.contains(id) || sessions.containsKey(id);
  }
}
