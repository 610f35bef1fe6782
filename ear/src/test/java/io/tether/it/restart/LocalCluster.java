package io.tether.it.restart;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A local cluster driven through the operator's own scripts, {@code server-config/start-cluster.sh}
 * and {@code stop-cluster.sh}, at a port offset of its own and in a cluster directory of its own:
 * the whole cluster, one node started again, one node stopped or killed with {@code SIGKILL}.
 *
 * <p>The failsafe execution {@code restart} sets {@code tether.it.restart.server-config.dir},
 * {@code tether.it.restart.dir} (the cluster directory), {@code tether.it.restart.port-offset} and
 * {@code tether.it.restart.lb-port}.
 */
final class LocalCluster {
  private static final long SCRIPT_TIMEOUT_SECONDS = 300;

  private final Path serverConfig;
  private final Path dir;
  private final int portOffset;
  private final int lbPort;
  private final int nodes;

  private LocalCluster(Path serverConfig, Path dir, int portOffset, int lbPort, int nodes) {
    this.serverConfig = serverConfig;
    this.dir = dir;
    this.portOffset = portOffset;
    this.lbPort = lbPort;
    this.nodes = nodes;
  }

  /** The cluster the failsafe execution describes, not started yet. */
  static LocalCluster configured(int nodes) {
    String serverConfig = System.getProperty("tether.it.restart.server-config.dir");
    String dir = System.getProperty("tether.it.restart.dir");
    if (serverConfig == null || dir == null) {
      throw new IllegalStateException(
          "run this test with the failsafe execution 'restart' (it sets tether.it.restart.*)");
    }
    return new LocalCluster(
        Path.of(serverConfig),
        Path.of(dir),
        Integer.getInteger("tether.it.restart.port-offset", 1500),
        Integer.getInteger("tether.it.restart.lb-port", 8500),
        nodes);
  }

  int size() {
    return nodes;
  }

  /** Node {@code k}'s application root, e.g. {@code http://127.0.0.1:9580/tether/}. */
  URI node(int k) {
    return URI.create("http://127.0.0.1:" + (8080 + portOffset + (k - 1) * 100) + "/tether/");
  }

  /**
   * Starts every node (node 1 first) and nginx, and returns once all serve the application. With
   * {@code -Dtether.it.restart.reuse=true} a cluster already running in the directory is used as it
   * is, and left running (to run the test again while working on it).
   */
  void start() {
    if (reused()) {
      return;
    }
    run("start-cluster.sh", String.valueOf(nodes));
  }

  private boolean reused() {
    return Boolean.getBoolean("tether.it.restart.reuse")
        && Files.exists(dir.resolve("cluster.env"));
  }

  /** Starts node {@code k} again into the running cluster; returns once it serves. */
  void start(int k) {
    run("start-cluster.sh", "--node", String.valueOf(k));
  }

  /** Stops node {@code k} in order (SIGTERM) and waits until its process has exited. */
  void stop(int k) {
    run("stop-cluster.sh", "--node", String.valueOf(k));
  }

  /** Kills node {@code k} with {@code SIGKILL}, as a crash would, and waits until it is gone. */
  void kill(int k) {
    run("stop-cluster.sh", "--node", String.valueOf(k), "--kill");
  }

  /** Freezes node {@code k}'s JVM ({@code SIGSTOP}), as a long pause or a stopped VM would. */
  void freeze(int k) {
    signal(k, "STOP");
  }

  /** Lets a frozen node go on ({@code SIGCONT}). */
  void thaw(int k) {
    signal(k, "CONT");
  }

  private void signal(int k, String signal) {
    try {
      String pid = Files.readString(dir.resolve("node" + k).resolve("server.pid")).trim();
      Process kill = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new AssertionError("no pid of node " + k, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Stops nginx and every node. */
  void stopAll() {
    if (reused()) {
      return;
    }
    run("stop-cluster.sh");
  }

  private void run(String script, String... args) {
    List<String> command = new ArrayList<>();
    command.add(serverConfig.resolve(script).toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("TETHER_SKIP_BUILD", "1");
    env.put("TETHER_PORT_OFFSET", String.valueOf(portOffset));
    env.put("TETHER_LB_PORT", String.valueOf(lbPort));
    env.put("TETHER_CLUSTER_DIR", dir.toString());
    Path output = dir.getParent().resolve(dir.getFileName() + "-scripts.log");
    try {
      Files.createDirectories(dir.getParent());
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
      Process process = builder.start();
      if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            String.join(" ", command) + " did not finish in time; see " + output);
      }
      if (process.exitValue() != 0) {
        throw new AssertionError(
            String.join(" ", command) + " exited with " + process.exitValue() + "; see " + output);
      }
    } catch (IOException e) {
      throw new AssertionError("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
