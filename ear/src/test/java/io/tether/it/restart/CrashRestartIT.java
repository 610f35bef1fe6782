package io.tether.it.restart;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.LocalCluster;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Crashes and restarts of the nodes of a three-node cluster that the operator's scripts run ({@link
 * LocalCluster}): after each, lifecycle events and admin commands must flow in every direction
 * between all nodes. A restarted node comes back with a new identity (its start wipes {@code
 * data/}, so its embedded broker has a new node id at the same address).
 *
 * <p>In every direction means: a session is opened on each node, each node's admin event list shows
 * every session's {@code opened}, an admin notice is sent through each node to each session and
 * reaches the session's page, and each session is killed through another node: its page is closed
 * with {@code 4009} and every node shows the {@code closed} event. Commands must be answered {@code
 * 2xx} only when they were carried out: a notice that is answered so must reach its page.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashRestartIT {
  private static final Logger LOG = Logger.getLogger(CrashRestartIT.class.getName());

  /** How long an event or a command may take to cross the cluster. */
  private static final Duration CROSSING = Duration.ofSeconds(20);

  private static LocalCluster cluster;

  /** One client for the whole class: its pool drops a connection as soon as a node closes it. */
  private static final HttpClient HTTP = TetherServer.httpClient();

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.configured("restart", 3);
    cluster.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.stopAll();
    }
  }

  @Test
  @Order(1)
  void eventsAndCommandsFlowEveryWayOnAFreshCluster() {
    checkEveryWay(List.of(1, 2, 3));
  }

  /**
   * A command whose node does not carry it out in time (here: its JVM frozen for a few seconds,
   * well under the 10 s in which the cluster would declare it lost) is answered with an error, not
   * as done. A drain is used because it needs no registry read, which would wait for the frozen
   * member if it owns the record's partition.
   */
  @Test
  @Order(2)
  void aCommandItsNodeDoesNotConfirmIsAnsweredWithAnError() {
    HttpResponse<String> answer;
    Duration took;
    cluster.freeze(3);
    try {
      Instant sent = Instant.now();
      answer = post(1, "api/admin/nodes/node3/drain", null);
      took = Duration.between(sent, Instant.now());
    } finally {
      cluster.thaw(3);
    }
    assertEquals(504, answer.statusCode(), answer.body());
    JsonObject error = Json.createReader(new StringReader(answer.body())).readObject();
    assertEquals("command-unconfirmed", error.getString("error"));
    assertTrue(error.getString("message").contains("node3"), error.toString());
    LOG.info(() -> "an unconfirmed command was answered 504 after " + took.toMillis() + " ms");
    // Thawed, the node carries out what reached it, in order, and confirms the next command.
    HttpResponse<String> undrain = post(1, "api/admin/nodes/node3/undrain", null);
    assertEquals(200, undrain.statusCode(), undrain.body());
    try (Terminal onNode3 = Terminal.open(cluster.node(3), ALICE)) { // refused if still draining
      awaitEvent(1, onNode3.sessionId(), "opened");
    }
  }

  /**
   * The reported failure: node 3 killed with {@code SIGKILL} and started again, then node 2
   * restarted: node 2's events never reached node 3 again, and a kill sent through node 2 answered
   * 202 and did nothing.
   */
  @Test
  @Order(3)
  void aNodeKilledAndStartedAgainWithANewIdentityTakesPartAgain() {
    try (Terminal onNode3 = Terminal.open(cluster.node(3), ALICE)) {
      awaitEvent(1, onNode3.sessionId(), "opened");
      cluster.kill(3);
      awaitEvent(1, onNode3.sessionId(), "closed");
      awaitEvent(2, onNode3.sessionId(), "closed");
    }
    Instant started = Instant.now();
    cluster.start(3);
    Instant up = Instant.now();
    LOG.info(() -> "node 3 started again in " + Duration.between(started, up).toMillis() + " ms");
    // The first event each way, timed from the moment the node serves.
    try (Terminal fromNode3 = Terminal.open(cluster.node(3), ALICE);
        Terminal toNode3 = Terminal.open(cluster.node(1), ALICE)) {
      Duration out = awaitEvent(1, fromNode3.sessionId(), "opened");
      Duration in = awaitEvent(3, toNode3.sessionId(), "opened");
      LOG.info(
          () ->
              String.format(
                  "restarted node 3 up %d ms after its start; its first event reached node 1 %d ms"
                      + " after its session opened; node 1's reached it after %d ms",
                  Duration.between(started, up).toMillis(), out.toMillis(), in.toMillis()));
    }
    cluster.stop(2);
    cluster.start(2);
    checkEveryWay(List.of(1, 2, 3));
  }

  /**
   * The Hazelcast master (node 1, the oldest member after the restarts above) killed: the
   * survivors' consoles get the {@code closed} events of its sessions, and events and commands flow
   * between them; once it is started again, between all three.
   */
  @Test
  @Order(4)
  void theHazelcastMasterKilledLeavesEventsAndCommandsWorking() {
    try (Terminal onNode1 = Terminal.open(cluster.node(1), ALICE)) {
      awaitEvent(2, onNode1.sessionId(), "opened");
      awaitEvent(3, onNode1.sessionId(), "opened");
      cluster.kill(1);
      awaitEvent(2, onNode1.sessionId(), "closed");
      awaitEvent(3, onNode1.sessionId(), "closed");
    }
    checkEveryWay(List.of(2, 3));
    cluster.start(1);
    checkEveryWay(List.of(1, 2, 3));
  }

  /** A session on each node; events, notices and kills between every pair of them. */
  private static void checkEveryWay(List<Integer> nodes) {
    Map<Integer, Terminal> sessions = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    try {
      for (int k : nodes) {
        Terminal t = Terminal.open(cluster.node(k), ALICE);
        sessions.put(k, t);
        assertEquals("node" + k, owner(t), "a session opened on node " + k + " lives there");
      }
      for (int observer : nodes) {
        for (var owned : sessions.entrySet()) {
          try {
            awaitEvent(observer, owned.getValue().sessionId(), "opened");
          } catch (AssertionError e) {
            problems.add("node" + owned.getKey() + " -> node" + observer + ": " + e.getMessage());
          }
        }
      }
      for (int sender : nodes) {
        for (var owned : sessions.entrySet()) {
          String text = "notice from node" + sender + " to node" + owned.getKey();
          HttpResponse<String> answer =
              post(
                  sender,
                  "api/admin/sessions/" + owned.getValue().sessionId() + "/notice",
                  Json.createObjectBuilder().add("message", text).build().toString());
          if (answer.statusCode() / 100 != 2) {
            problems.add(text + ": HTTP " + answer.statusCode() + " " + answer.body());
            continue;
          }
          if (!hasNotice(owned.getValue(), text)) {
            problems.add(text + ": answered " + answer.statusCode() + " but never arrived");
          }
        }
      }
      for (var owned : sessions.entrySet()) {
        int sender = nodes.get((nodes.indexOf(owned.getKey()) + 1) % nodes.size());
        String id = owned.getValue().sessionId();
        HttpResponse<String> answer = post(sender, "api/admin/sessions/" + id + "/kill", null);
        String what = "kill from node" + sender + " of a session on node" + owned.getKey();
        if (answer.statusCode() / 100 != 2) {
          problems.add(what + ": HTTP " + answer.statusCode() + " " + answer.body());
          continue;
        }
        Terminal.Closed closed = closedWithin(owned.getValue(), CROSSING);
        if (closed == null || closed.code() != 4009) {
          problems.add(what + ": answered " + answer.statusCode() + ", the page got " + closed);
          continue;
        }
        for (int observer : nodes) {
          try {
            awaitEvent(observer, id, "closed");
          } catch (AssertionError e) {
            problems.add(what + ": node" + observer + ": " + e.getMessage());
          }
        }
      }
    } finally {
      sessions.values().forEach(Terminal::close);
    }
    assertTrue(problems.isEmpty(), "between nodes " + nodes + ":\n" + String.join("\n", problems));
  }

  private static String owner(Terminal t) {
    return t.messages().stream()
        .filter(m -> "attached".equals(m.getString("type")))
        .reduce((a, b) -> b)
        .map(m -> m.getString("node"))
        .orElse(null);
  }

  private static boolean hasNotice(Terminal t, String text) {
    Instant deadline = Instant.now().plus(CROSSING);
    for (int count = 1; ; count++) {
      Duration left = Duration.between(Instant.now(), deadline);
      if (left.isNegative()) {
        return false;
      }
      try {
        if (text.equals(t.awaitMessage("notice", "broadcast", count, left).getString("message"))) {
          return true;
        }
      } catch (AssertionError timedOut) {
        return false;
      }
    }
  }

  private static Terminal.Closed closedWithin(Terminal t, Duration timeout) {
    try {
      return t.connection()
          .closed
          .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Waits until node {@code k}'s admin event list ({@code GET api/admin/events}: what its consoles
   * are fed) holds an event of {@code type} for {@code sessionId}; returns how long it took.
   */
  private static Duration awaitEvent(int k, String sessionId, String type) {
    Instant start = Instant.now();
    Instant deadline = start.plus(CROSSING);
    int polls = 0;
    List<String> failures = new ArrayList<>();
    for (; ; ) {
      polls++;
      HttpResponse<String> response;
      try {
        response = get(k, "api/admin/events");
      } catch (AssertionError failed) {
        // A poll that failed (e.g. a kept-alive connection the node closed as it was reused) is
        // polled again; only the deadline ends the wait, whose message lists the failures.
        failures.add(
            Duration.between(start, Instant.now()).toMillis() + " ms: " + failed.getMessage());
        response = null;
      }
      if (response != null && response.statusCode() == 200) {
        JsonArray events = Json.createReader(new StringReader(response.body())).readArray();
        for (JsonObject event : events.getValuesAs(JsonObject.class)) {
          if (sessionId.equals(event.getString("sessionId", null))
              && type.equals(event.getString("type", null))) {
            return Duration.between(start, Instant.now());
          }
        }
      } else if (response != null) {
        failures.add(
            Duration.between(start, Instant.now()).toMillis()
                + " ms: HTTP "
                + response.statusCode()
                + " "
                + response.body());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            String.format(
                "node%d shows no %s event of %s within %s (%d polls, %d failed%s)",
                k,
                type,
                sessionId,
                CROSSING,
                polls,
                failures.size(),
                failures.isEmpty()
                    ? ""
                    : ": first at "
                        + failures.get(0)
                        + "; last at "
                        + failures.get(failures.size() - 1)));
      }
      try {
        Thread.sleep(100); // polling another process: there is no event to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static HttpResponse<String> get(int k, String path) {
    return send(HttpRequest.newBuilder(cluster.node(k).resolve(path)).GET());
  }

  private static HttpResponse<String> post(int k, String path, String json) {
    HttpRequest.Builder request = HttpRequest.newBuilder(cluster.node(k).resolve(path));
    if (json == null) {
      request.POST(HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json));
    }
    return send(request);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    request
        .header("Authorization", ADMIN.basicAuthorization())
        .header("Accept", "application/json")
        .timeout(Duration.ofSeconds(15));
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request failed: " + request.build().uri() + ": " + e, e);
    }
  }
}
