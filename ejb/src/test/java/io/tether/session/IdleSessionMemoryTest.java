package io.tether.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pty.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What idle sessions cost: 200 sessions with the default 4 MiB logs, each with its reader running
 * as on a node and a screenful of output, then waiting. The logs' own memory is asserted (it is
 * exact: chunks held); the heap per session, measured after full collections, is printed only,
 * since a collector's figure is no test.
 */
class IdleSessionMemoryTest {
  private static final int SESSIONS = 200;
  private static final int SCREENFUL = 2048;

  /** A shell that writes a screenful, then nothing until it is hung up. */
  private static final class ScreenfulShell implements Shell {
    private final QuietShell quiet = new QuietShell();
    private final CountDownLatch hungUp = new CountDownLatch(1);
    final CountDownLatch idle = new CountDownLatch(1);
    private int written;

    @Override
    public InputStream output() {
      return new InputStream() {
        @Override
        public int read() {
          throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] into, int from, int length) throws IOException {
          if (written < SCREENFUL) {
            int n = Math.min(length, SCREENFUL - written);
            Arrays.fill(into, from, from + n, (byte) 'x');
            written += n;
            return n;
          }
          idle.countDown(); // the screenful is in the log: the reader waits for more
          try {
            hungUp.await();
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
          return -1;
        }
      };
    }

    @Override
    public boolean outputPending() {
      return written < SCREENFUL;
    }

    @Override
    public void write(ByteBuffer bytes) {
      quiet.write(bytes);
    }

    @Override
    public void resize(int cols, int rows) {}

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
      hungUp.countDown();
    }

    @Override
    public void kill() {}

    @Override
    public void releaseTerminal() {}

    @Override
    public boolean shellAlive() {
      return hungUp.getCount() > 0;
    }

    @Override
    public void close() {}

    @Override
    public boolean anyAlive() {
      return shellAlive();
    }
  }

  private static long heapAfterCollection() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void anIdleSessionsLogHoldsItsOutputNotItsConfiguredSize() throws Exception {
    TerminalSession.Settings defaults =
        new TerminalSession.Settings(4 << 20, 1 << 20, 10_000, 16, false, 5_000);
    long before = heapAfterCollection();
    List<TerminalSession> sessions = new ArrayList<>();
    List<ScreenfulShell> shells = new ArrayList<>();
    List<Thread> readers = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      ScreenfulShell shell = new ScreenfulShell();
      TerminalSession session =
          TestSessions.session("s" + i, shell, defaults, new TerminalSession.Listener() {});
      Thread reader = new Thread(session::readOutput, "reader-" + i);
      reader.start();
      sessions.add(session);
      shells.add(shell);
      readers.add(reader);
    }
    long logs = 0;
    for (int i = 0; i < SESSIONS; i++) {
      assertTrue(shells.get(i).idle.await(10, TimeUnit.SECONDS));
      assertEquals(SCREENFUL, sessions.get(i).head());
      logs += sessions.get(i).logHeldBytes();
    }
    long idle = heapAfterCollection();
    System.out.printf(
        "%d idle sessions (4 MiB logs, %d bytes of output each): heap %.1f KiB per session"
            + " after full collections, of which the logs hold %.1f KiB%n",
        SESSIONS, SCREENFUL, (idle - before) / 1024.0 / SESSIONS, logs / 1024.0 / SESSIONS);
    assertEquals(SESSIONS * (long) ChunkPool.CHUNK_BYTES, logs, "one chunk each");

    for (ScreenfulShell shell : shells) {
      shell.hangUp();
    }
    for (Thread reader : readers) {
      reader.join(10_000);
      assertFalse(reader.isAlive());
    }
    for (TerminalSession session : sessions) {
      assertEquals(0, session.logHeldBytes(), "an ended session gives its chunks back");
    }
    sessions.clear();
    System.out.printf(
        "after they ended: heap %.1f KiB per session above the start (%d free chunks wait in the"
            + " pool for reuse)%n",
        (heapAfterCollection() - before) / 1024.0 / SESSIONS, ChunkPool.SHARED.freeChunks());
  }
}
