package io.tether.session;

import io.tether.pty.Shell;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** A shell for unit tests of the session logic: records input, writes nothing by itself. */
public final class QuietShell implements Shell {
  public QuietShell() {}

  public final ByteArrayOutputStream input = new ByteArrayOutputStream();
  boolean hungUp;

  /** When set, hanging up fails with it: a session whose close throws. */
  public RuntimeException hangUpFailure;

  /** How many more bytes {@link #writeNow} takes: a terminal's room. */
  public int room = Integer.MAX_VALUE;

  int cols;
  int rows;

  @Override
  public InputStream output() {
    return InputStream.nullInputStream();
  }

  @Override
  public boolean outputPending() {
    return false;
  }

  @Override
  public synchronized void write(ByteBuffer bytes) {
    byte[] copy = new byte[bytes.remaining()];
    bytes.get(copy);
    input.writeBytes(copy);
  }

  @Override
  public synchronized int writeNow(ByteBuffer bytes) {
    int n = Math.min(room, bytes.remaining());
    byte[] copy = new byte[n];
    bytes.duplicate().get(copy);
    input.writeBytes(copy);
    room -= n;
    return n;
  }

  @Override
  public void resize(int cols, int rows) {
    this.cols = cols;
    this.rows = rows;
  }

  @Override
  public long pid() {
    return -1;
  }

  @Override
  public int waitFor() {
    return 0;
  }

  @Override
  public void hangUp() {
    if (hangUpFailure != null) {
      throw hangUpFailure;
    }
    hungUp = true;
  }

  @Override
  public void kill() {}

  @Override
  public void releaseTerminal() {}

  @Override
  public boolean shellAlive() {
    return !hungUp;
  }

  @Override
  public void close() {}

  @Override
  public boolean anyAlive() {
    return !hungUp;
  }
}
