package io.tether.pty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The foreground command of a real shell on a real PTY. */
class ForegroundCommandTest {
  private static final ShellSpec BASH = PtyShellTest.BASH;

  @Test
  void followsWhatRunsInTheForegroundAndComesBackToTheShell() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    try {
      awaitCommand(shell, c -> c.startsWith("/bin/bash --norc"));
      type(shell, "sleep 31.5 | cat\r");
      awaitCommand(shell, c -> c.equals("sleep 31.5"));
      type(shell, "\u0003"); // Ctrl-C ends the pipeline; the shell is in the foreground again
      awaitCommand(shell, c -> c.startsWith("/bin/bash --norc"));
    } finally {
      shell.kill();
      shell.close();
    }
  }

  @Test
  void aProcessThatIsNotThereGivesAnEmptyCommand() {
    assertEquals(-1, ForegroundCommand.foregroundGroup(Long.MAX_VALUE));
    assertEquals("", ForegroundCommand.of(Long.MAX_VALUE));
  }

  @Test
  void aLongCommandIsCut() throws Exception {
    PtyShell shell = PtyShell.start(BASH, "test-session", "test-node", 80, 24);
    try {
      type(shell, "sleep 32." + "0".repeat(300) + "\r");
      awaitCommand(shell, c -> c.startsWith("sleep 32.000"));
      assertEquals(ForegroundCommand.MAX_LENGTH, ForegroundCommand.of(shell.pid()).length());
    } finally {
      shell.kill();
      shell.close();
    }
  }

  private static void type(PtyShell shell, String text) throws Exception {
    shell.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
  }

  /** Waits for the foreground command to satisfy {@code wanted}: the shell takes a moment. */
  private static void awaitCommand(PtyShell shell, Predicate<String> wanted) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    String command = ForegroundCommand.of(shell.pid());
    while (!wanted.test(command) && Instant.now().isBefore(deadline)) {
      Thread.sleep(20); // re-reading /proc: there is no event for a process group change
      command = ForegroundCommand.of(shell.pid());
    }
    assertTrue(wanted.test(command), "foreground command: " + command);
  }
}
