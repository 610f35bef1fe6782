package io.tether.bench;

import io.tether.pty.CpuLatencyRequest;
import io.tether.pty.PtyShell;
import io.tether.pty.ShellSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A shell on a PTY in the benchmark's own JVM, through the same {@link PtyShell} the server uses,
 * read by one platform thread: the baseline that Tether's figures stand beside. By default a plain
 * read loop; after {@link #readLikeTheServer}, in batches with the node's CPU latency request, as
 * the server's session reader does.
 */
final class BareTerm implements Term {
  private static final AtomicLong COUNT = new AtomicLong();

  private final PtyShell shell;
  private final Thread reader;
  private final CountDownLatch outputEnded = new CountDownLatch(1);
  private volatile Sink sink;
  private volatile CpuLatencyRequest cpuLatency; // null: a plain read loop
  private volatile long chunks;
  private boolean ended;

  private BareTerm(PtyShell shell, Sink sink) {
    this.shell = shell;
    this.sink = sink;
    this.reader = new Thread(this::read, "bare-pty-reader-" + shell.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts a shell; output goes to {@code sink} from its first byte. */
  static BareTerm start(ShellSpec spec, int cols, int rows, Sink sink) throws BenchException {
    try {
      return new BareTerm(
          PtyShell.start(spec, "bench-" + COUNT.incrementAndGet(), "bench", cols, rows), sink);
    } catch (IOException e) {
      throw new BenchException("could not start " + spec.command(), e);
    }
  }

  private void read() {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream output = shell.output();
      for (int n; ; ) {
        CpuLatencyRequest request = cpuLatency;
        n = request == null ? output.read(buffer) : shell.readBatch(buffer);
        if (n <= 0) {
          break;
        }
        if (request != null) {
          request.outputBatch(n);
        }
        long now = System.nanoTime();
        chunks++;
        Sink s = sink;
        if (s != null) {
          try {
            s.accept(buffer, 0, n, now);
          } catch (RuntimeException e) {
            e.printStackTrace(); // a bug in the benchmark's own check; the reader goes on
          }
        }
      }
    } catch (IOException e) {
      // EIO: the terminal is gone.
    } finally {
      outputEnded.countDown();
    }
  }

  /**
   * From the next read on, reads as the server's session reader does: {@link PtyShell#readBatch}
   * batches, each reported to {@code request}; null goes back to the plain read loop.
   */
  void readLikeTheServer(CpuLatencyRequest request) {
    this.cpuLatency = request;
  }

  @Override
  public void sink(Sink sink) {
    this.sink = sink;
  }

  @Override
  public void type(byte[] bytes) throws BenchException {
    try {
      shell.write(ByteBuffer.wrap(bytes));
    } catch (IOException e) {
      throw new BenchException("could not write to the PTY", e);
    }
  }

  @Override
  public long chunks() {
    return chunks;
  }

  @Override
  public void exit() throws BenchException {
    type("exit\r");
    CompletableFuture<Integer> exited =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return shell.waitFor();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
              }
            });
    try {
      exited.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      close();
      throw new BenchException("the bare shell did not exit", e);
    }
    release();
  }

  /** As the server does: let go of the terminal once the shell is gone, then close it. */
  private void release() {
    if (ended) {
      return;
    }
    ended = true;
    shell.releaseTerminal();
    try {
      outputEnded.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    shell.close();
  }

  @Override
  public void close() {
    if (ended) {
      return;
    }
    shell.hangUp();
    shell.kill();
    release();
  }
}
