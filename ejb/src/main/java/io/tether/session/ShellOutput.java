package io.tether.session;

import io.tether.pty.Shell;
import java.io.IOException;

/** A shell's PTY output as the source its session's reader appends to the log from. */
record ShellOutput(Shell shell) implements OutputLog.Source {
  @Override
  public int read(byte[] into, int from, int length) throws IOException {
    return shell.readBatch(into, from, length);
  }

  @Override
  public boolean pending() {
    return shell.outputPending();
  }
}
