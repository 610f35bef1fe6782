package io.tether.session;

import io.tether.pty.Shell;
import io.tether.pty.ShellSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Sessions for unit tests: alice's, on node1, 80x24. */
public final class TestSessions {
  /** bash without rc files, for tests on real PTYs. */
  public static final ShellSpec BASH =
      new ShellSpec(
          List.of("/bin/bash", "--norc", "--noprofile"),
          Path.of(System.getProperty("java.io.tmpdir")),
          Map.of("TERM", "xterm-256color", "PS1", "$ "));

  /** A small log and window, and a listener that does nothing. */
  public static final TerminalSession.Settings SMALL =
      new TerminalSession.Settings(1024, 1024, 10_000, 4, false, 0);

  private TestSessions() {}

  public static TerminalSession session(String id, Shell shell) {
    return session(id, shell, SMALL, new TerminalSession.Listener() {});
  }

  /** Output of {@code bytes} bytes, as if the shell had written it (appended to the log). */
  public static void output(TerminalSession session, int bytes) {
    byte[] output = new byte[bytes];
    java.util.Arrays.fill(output, (byte) 'x');
    session.log().append(output, 0, bytes);
  }

  public static TerminalSession session(
      String id,
      Shell shell,
      TerminalSession.Settings settings,
      TerminalSession.Listener listener) {
    return new TerminalSession(
        id, "alice", Set.of("user"), "node1", shell, 80, 24, settings, listener);
  }
}
