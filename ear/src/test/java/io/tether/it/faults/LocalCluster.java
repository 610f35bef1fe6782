package io.tether.it.faults;

import io.tether.it.support.TetherServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A local cluster of real WildFly nodes behind nginx, started and stopped with the scripts an
 * operator uses ({@code server-config/start-cluster.sh}, {@code stop-cluster.sh}), so the fault
 * tests break what ships. Its nodes are processes this test may freeze, thaw and kill.
 *
 * <p>The failsafe execution {@code faults} sets {@code tether.it.faults.repo} (the repository's
 * root), {@code tether.it.faults.port-offset} and {@code tether.it.faults.lb-port}.
 */
final class LocalCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(8);

  private final Path repo = Path.of(required("tether.it.faults.repo"));
  private final int offset = Integer.parseInt(required("tether.it.faults.port-offset"));
  private final int lbPort = Integer.parseInt(required("tether.it.faults.lb-port"));
  private final int size;

  private LocalCluster(int size) {
    this.size = size;
  }

  /** Starts {@code size} nodes and the load balancer, and waits until every node serves. */
  static LocalCluster start(int size) throws Exception {
    LocalCluster cluster = new LocalCluster(size);
    cluster.run(START_TIMEOUT, "server-config/start-cluster.sh", Integer.toString(size));
    return cluster;
  }

  /** Node {@code k} (1-based): its name, application root and server process. */
  Node node(int k) {
    int port = 8080 + offset + (k - 1) * 100;
    return new Node(
        "node" + k,
        URI.create("http://127.0.0.1:" + port + "/tether/"),
        repo.resolve("server-config/target/cluster/node" + k + "/server.pid"));
  }

  List<Node> nodes() {
    List<Node> nodes = new ArrayList<>();
    for (int k = 1; k <= size; k++) {
      nodes.add(node(k));
    }
    return nodes;
  }

  /** The load balancer's application root. */
  URI balancer() {
    return URI.create("http://127.0.0.1:" + lbPort + "/tether/");
  }

  @Override
  public void close() throws Exception {
    for (Node node : nodes()) {
      node.thaw(); // a frozen node would only stop when killed
    }
    run(Duration.ofMinutes(3), "server-config/stop-cluster.sh");
  }

  private void run(Duration timeout, String... command) throws Exception {
    List<String> line = new ArrayList<>(List.of(command));
    line.set(0, repo.resolve(command[0]).toString());
    ProcessBuilder builder = new ProcessBuilder(line).directory(repo.toFile()).inheritIO();
    Map<String, String> env = builder.environment();
    env.put("TETHER_SKIP_BUILD", "1");
    env.put("TETHER_PORT_OFFSET", Integer.toString(offset));
    env.put("TETHER_LB_PORT", Integer.toString(lbPort));
    env.put("JBOSS_JAVA_SIZING", "-Xms64m -Xmx512m");
    Process process = builder.start();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
    }
    if (process.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed: exit " + process.exitValue());
    }
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(
          property + " is not set: run the fault tests with the failsafe execution 'faults'");
    }
    return value;
  }

  /**
   * One node.
   *
   * @param name its node name, as {@code attached} and the records say
   * @param baseUri its application root
   * @param pidFile where start-cluster.sh wrote its JVM's pid
   */
  record Node(String name, URI baseUri, Path pidFile) {
    long pid() {
      try {
        return Long.parseLong(Files.readString(pidFile).trim());
      } catch (IOException e) {
        throw new AssertionError("no pid file for " + name, e);
      }
    }

    /** {@code kill -STOP}: the JVM stops as a frozen VM or a long GC pause would stop it. */
    void freeze() {
      signal("STOP");
    }

    /** {@code kill -CONT}. */
    void thaw() {
      if (Files.exists(pidFile)) {
        signal("CONT");
      }
    }

    /** {@code kill -9}: the JVM dies at once, without leaving the cluster. */
    void crash() throws InterruptedException {
      ProcessHandle jvm = ProcessHandle.of(pid()).orElseThrow();
      signal("KILL");
      jvm.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }

    private void signal(String name) {
      try {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
          throw new AssertionError("kill -" + name + " " + pid() + " failed");
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /** {@code GET health/ready}: its status code (200 ready, 503 not), or -1 if no answer. */
    int readiness() {
      try {
        return TetherServer.httpClient()
            .send(
                HttpRequest.newBuilder(baseUri.resolve("health/ready"))
                    .timeout(Duration.ofSeconds(3))
                    .build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();
      } catch (IOException e) {
        return -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }
  }
}
