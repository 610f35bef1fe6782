package io.tether.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The nodes of the cluster ITs (failsafe execution {@code cluster}, arquillian.xml group {@code
 * cluster}): where each serves the application and where its server lives on disk, so a test can
 * talk to a chosen node and kill its process.
 *
 * <p>The failsafe execution sets {@code tether.it.cluster.nodeK.uri} (the node's application root)
 * and {@code tether.it.cluster.dir} (whose {@code nodeK/} is the node's server base dir).
 */
public final class ClusterNodes {
  /** The names of the Arquillian containers, which are also the nodes' names. */
  public static final String NODE1 = "node1";

  public static final String NODE2 = "node2";

  private ClusterNodes() {}

  public static Node node1() {
    return node(NODE1);
  }

  public static Node node2() {
    return node(NODE2);
  }

  /**
   * The node {@code name} ({@code node1}, {@code node2}) as the failsafe execution describes it.
   */
  public static Node node(String name) {
    String uri = System.getProperty("tether.it.cluster." + name + ".uri");
    String dir = System.getProperty("tether.it.cluster.dir");
    if (uri == null || dir == null) {
      throw new IllegalStateException(
          "no cluster node "
              + name
              + ": run the cluster ITs with the failsafe execution 'cluster' (it sets"
              + " tether.it.cluster.*)");
    }
    return new Node(name, URI.create(uri.endsWith("/") ? uri : uri + "/"), Path.of(dir, name));
  }

  /**
   * One node of the test cluster.
   *
   * @param name the node's name ({@code jboss.node.name}), as {@code attached} reports it
   * @param baseUri the application root on this node, e.g. {@code http://127.0.0.1:9080/tether/}
   * @param baseDir the server's base dir ({@code jboss.server.base.dir}), or its Payara domain
   */
  public record Node(String name, URI baseUri, Path baseDir) {

    /** A path relative to the application's root on this node. */
    public URI uri(String relativePath) {
      return baseUri.resolve(
          relativePath.startsWith("/") ? relativePath.substring(1) : relativePath);
    }

    /** The same with the {@code ws} scheme. */
    public URI webSocketUri(String relativePath) {
      return URI.create(uri(relativePath).toString().replaceFirst("^http", "ws"));
    }

    /** {@code GET} as {@code user} with HTTP Basic, asking for JSON. */
    public HttpResponse<String> get(String relativePath, TetherServer.Credentials user) {
      return send(request(relativePath, user).GET().build());
    }

    /** {@code POST} of no body as {@code user} with HTTP Basic, asking for JSON. */
    public HttpResponse<String> post(String relativePath, TetherServer.Credentials user) {
      return send(request(relativePath, user).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private HttpRequest.Builder request(String relativePath, TetherServer.Credentials user) {
      return HttpRequest.newBuilder(uri(relativePath))
          .header("Authorization", user.basicAuthorization())
          .header("Accept", "application/json")
          .timeout(Duration.ofSeconds(10));
    }

    private static HttpResponse<String> send(HttpRequest request) {
      try {
        return TetherServer.httpClient().send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new AssertionError(request.method() + " " + request.uri() + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /** The node's server JVM, found by its base dir on the command line. */
    public ProcessHandle jvm() {
      String dir = baseDir.toString();
      return ProcessHandle.allProcesses()
          .filter(
              p -> {
                String line = p.info().commandLine().orElse("");
                return line.contains("jboss-modules.jar")
                        && line.contains("-Djboss.server.base.dir=" + dir)
                    || line.contains("com.sun.enterprise.glassfish.bootstrap") // a Payara domain
                        && line.contains("-Dcom.sun.aas.instanceRoot=" + dir + " ");
              })
          .findFirst()
          .orElseThrow(() -> new AssertionError("no server process with base dir " + dir));
    }

    /**
     * Kills the node's JVM with SIGKILL, as a crash or an OOM killer would (no shutdown hook, no
     * goodbye to the cluster), and waits until the process is gone.
     */
    public void kill() {
      ProcessHandle jvm = jvm();
      jvm.destroyForcibly();
      try {
        jvm.onExit().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      } catch (ExecutionException | TimeoutException e) {
        throw new AssertionError("node " + name + " (pid " + jvm.pid() + ") did not die", e);
      }
    }
  }
}
