package io.tether.pty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A running shell on a PTY, as a session sees it. */
public interface Shell {
  /** The PTY master's output: what the shell and its programs write. */
  InputStream output();

  /** Whether more output can be read right now without waiting. */
  boolean outputPending();

  /**
   * Reads the next batch of output into {@code buffer}: waits for the first bytes, then takes what
   * is already pending (bulk output) without waiting again, so a lone keystroke's echo comes back
   * at once and bulk output comes in large batches. No timer on the echo path.
   *
   * @return how many bytes were read, or -1 once the output has ended
   */
  default int readBatch(byte[] buffer) throws IOException {
    return readBatch(buffer, 0, buffer.length);
  }

  /**
   * {@link #readBatch(byte[])} into {@code buffer[from, from + length)}.
   *
   * @return how many bytes were read, or -1 once the output has ended
   */
  default int readBatch(byte[] buffer, int from, int length) throws IOException {
    InputStream output = output();
    int n = output.read(buffer, from, length);
    while (n > 0 && n < length && outputPending()) {
      int more = output.read(buffer, from + n, length - n);
      if (more <= 0) {
        break;
      }
      n += more;
    }
    return n;
  }

  /**
   * Writes input to the PTY (keystrokes, pastes), waiting for room while the shell does not read.
   */
  void write(ByteBuffer bytes) throws IOException;

  /**
   * Writes as much of {@code bytes} as the PTY takes at once, never waiting. A shell that cannot
   * tell takes nothing this way, and all goes through {@link #write}.
   *
   * @return how many bytes were written, from the first (the buffer's position does not move)
   */
  default int writeNow(ByteBuffer bytes) throws IOException {
    return 0;
  }

  void resize(int cols, int rows);

  long pid();

  /** Waits for the shell to end and returns its exit code. */
  int waitFor() throws InterruptedException;

  /**
   * Completes with the exit code once the shell has ended, without a thread of the caller's waiting
   * for it. This default waits on a thread of its own; {@link PtyShell} needs none.
   */
  default CompletableFuture<Integer> onExit() {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread waiter =
        new Thread(
            () -> {
              try {
                exit.complete(waitFor());
              } catch (InterruptedException | RuntimeException e) {
                exit.completeExceptionally(e);
              }
            },
            "shell-exit-" + pid());
    waiter.setDaemon(true);
    waiter.start();
    return exit;
  }

  /**
   * Why the session's processes were killed for a limit (a sentence for its user), once that has
   * happened; the shell then exits as killed.
   */
  default Optional<String> limitReached() {
    return Optional.empty();
  }

  /** SIGHUP to the shell's process group and every descendant, as a closing terminal would. */
  void hangUp();

  /** SIGKILL to everything {@link #hangUp()} reached and whatever has been started since. */
  void kill();

  /**
   * Lets go of the terminal once the shell has exited, so the output ends (EIO) after its last byte
   * as soon as no process the shell left behind holds the terminal.
   */
  void releaseTerminal();

  /** Whether the shell itself (the session leader) is still running. */
  boolean shellAlive();

  /** Releases the PTY once its output has been read to the end. */
  void close();

  /** Whether the shell or any process it started is still running. */
  boolean anyAlive();
}
