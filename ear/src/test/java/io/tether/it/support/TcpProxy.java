package io.tether.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain TCP forwarder between a test client (the browser) and the server, so a test can cut every
 * connection abruptly, the way a dropped network or a dead NAT entry would.
 *
 * <p>It listens on {@code 127.0.0.1} on an ephemeral port and forwards each accepted connection to
 * the target. {@link #cutAll()} resets every open connection on both sides (RST, no FIN) and keeps
 * accepting new ones, so the client can reconnect through it. {@link #close()} stops it for good.
 */
public final class TcpProxy implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final int BUFFER_BYTES = 16 * 1024;

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger threadNumber = new AtomicInteger();
  private final ExecutorService threads;
  private volatile boolean closed;

  private TcpProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "tcp-proxy-" + threadNumber.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    threads.execute(this::acceptLoop);
  }

  /** Starts a proxy on 127.0.0.1 (ephemeral port) forwarding to {@code host:port}. */
  public static TcpProxy start(String host, int port) {
    try {
      return new TcpProxy(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the TCP proxy", e);
    }
  }

  /** The port it listens on (on 127.0.0.1). */
  public int port() {
    return server.getLocalPort();
  }

  /** How many client connections it has accepted since it started. */
  public int acceptedConnections() {
    return accepted.get();
  }

  /** How many forwarded connections are open now. */
  public int openConnections() {
    return links.size();
  }

  /**
   * Resets every open connection, client side and server side, at once. New connections are still
   * accepted afterwards.
   *
   * @return how many connections were cut
   */
  public int cutAll() {
    List<Link> snapshot = List.copyOf(links);
    for (Link link : snapshot) {
      link.reset();
    }
    return snapshot.size();
  }

  /** Stops accepting, resets every open connection and stops its threads. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    cutAll();
    threads.shutdownNow();
    try {
      if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("TCP proxy threads did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      accepted.incrementAndGet();
      Socket upstream = new Socket();
      try {
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        resetQuietly(client);
        resetQuietly(upstream);
        continue;
      }
      Link link = new Link(client, upstream);
      links.add(link);
      if (closed) {
        link.reset();
        return;
      }
      threads.execute(() -> link.pump(client, upstream));
      threads.execute(() -> link.pump(upstream, client));
    }
  }

  /** One forwarded connection: the client's socket and the one to the target. */
  private final class Link {
    private final Socket client;
    private final Socket upstream;
    private final AtomicInteger directionsDone = new AtomicInteger();

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    /** Copies {@code from} to {@code to} until EOF, then half-closes {@code to}. */
    void pump(Socket from, Socket to) {
      byte[] buffer = new byte[BUFFER_BYTES];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
        to.shutdownOutput();
        if (directionsDone.incrementAndGet() == 2) {
          closeGracefully();
        }
      } catch (IOException e) {
        // A reset on either side, or our own cut: the other side learns of it the same way.
        reset();
      }
    }

    /** RST on both sides: SO_LINGER 0 makes close() discard unsent data and send a reset. */
    void reset() {
      links.remove(this);
      resetQuietly(client);
      resetQuietly(upstream);
    }

    private void closeGracefully() {
      links.remove(this);
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private static void resetQuietly(Socket socket) {
    try {
      if (!socket.isClosed()) {
        socket.setSoLinger(true, 0);
      }
    } catch (SocketException ignored) {
      // closed concurrently: nothing left to reset
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing more to do
    }
  }
}
