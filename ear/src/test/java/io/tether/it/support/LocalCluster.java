package io.tether.it.support;

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
 * <p>The failsafe execution that runs a test of it ({@code restart}, {@code faults}) sets {@code
 * tether.it.<execution>.server-config.dir}, {@code .dir} (the cluster directory), {@code
 * .port-offset} and {@code .lb-port}.
 */
public final class LocalCluster {
  private static final long SCRIPT_TIMEOUT_SECONDS = 300;

  private final Path serverConfig;
  private final Path dir;
  private final int portOffset;
  private final int lbPort;
  private final int nodes;
  private final boolean reuse;

  private LocalCluster(
      Path serverConfig, Path dir, int portOffset, int lbPort, int nodes, boolean reuse) {
    this.serverConfig = serverConfig;
    this.dir = dir;
    this.portOffset = portOffset;
    this.lbPort = lbPort;
    this.nodes = nodes;
    this.reuse = reuse;
  }

  /** The cluster the failsafe execution {@code execution} describes, not started yet. */
  public static LocalCluster configured(String execution, int nodes) {
    String prefix = "tether.it." + execution + ".";
    String serverConfig = System.getProperty(prefix + "server-config.dir");
    String dir = System.getProperty(prefix + "dir");
    String portOffset = System.getProperty(prefix + "port-offset");
    String lbPort = System.getProperty(prefix + "lb-port");
    if (serverConfig == null || dir == null || portOffset == null || lbPort == null) {
      throw new IllegalStateException(
          "run this test with the failsafe execution '"
              + execution
              + "' (it sets "
              + prefix
              + "*)");
    }
    return new LocalCluster(
        Path.of(serverConfig),
        Path.of(dir),
        Integer.parseInt(portOffset),
        Integer.parseInt(lbPort),
        nodes,
        Boolean.getBoolean(prefix + "reuse"));
  }

  public int size() {
    return nodes;
  }

  /** Node {@code k}'s application root, e.g. {@code http://127.0.0.1:9580/tether/}. */
  public URI node(int k) {
    return URI.create("http://127.0.0.1:" + (8080 + portOffset + (k - 1) * 100) + "/tether/");
  }

  /**
   * Starts every node (node 1 first) and nginx, and returns once all serve the application. With
   * {@code -Dtether.it.<execution>.reuse=true} a cluster already running in the directory is used
   * as it is, and left running (to run the test again while working on it).
   */
  public void start() {
    if (reused()) {
      return;
    }
    run("start-cluster.sh", String.valueOf(nodes));
  }

  private boolean reused() {
    return reuse && Files.exists(dir.resolve("cluster.env"));
  }

  /** Starts node {@code k} again into the running cluster; returns once it serves. */
  public void start(int k) {
    run("start-cluster.sh", "--node", String.valueOf(k));
  }

  /** Stops node {@code k} in order (SIGTERM) and waits until its process has exited. */
  public void stop(int k) {
    run("stop-cluster.sh", "--node", String.valueOf(k));
  }

  /** Kills node {@code k} with {@code SIGKILL}, as a crash would, and waits until it is gone. */
  public void kill(int k) {
    run("stop-cluster.sh", "--node", String.valueOf(k), "--kill");
  }

  /** The load balancer's application root. */
  public URI balancer() {
    return URI.create("http://127.0.0.1:" + lbPort + "/tether/");
  }

  /** Freezes node {@code k}'s JVM ({@code SIGSTOP}), as a long pause or a stopped VM would. */
  public void freeze(int k) {
    signal(k, "STOP");
  }

  /** Lets a frozen node go on ({@code SIGCONT}). */
  public void thaw(int k) {
    if (Files.exists(dir.resolve("node" + k).resolve("server.pid"))) {
      signal(k, "CONT");
    }
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
  public void stopAll() {
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
