package io.tether.it.events;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin listings: every session of the cluster from the registry (filtered, paged) and the
 * nodes with their sessions and whether they drain. One node here; the registry is the cluster's.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminListingIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration POLL = Duration.ofMillis(50);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void sessionsOfEveryUserAreListedWithTheirFieldsAndCanBeFilteredByUser() {
    List<Terminal> opened = new ArrayList<>();
    try {
      Terminal a1 = open(opened, ALICE);
      Terminal a2 = open(opened, ALICE);
      Terminal b = open(opened, BOB);
      String node = a1.messages().get(0).getString("node");

      JsonObject item = awaitItem("", a1.sessionId(), i -> i.getInt("attachedClients") == 1);
      assertEquals("alice", item.getString("user"), item.toString());
      assertEquals(node, item.getString("node"), item.toString());
      assertEquals("attached", item.getString("state"), item.toString());
      Instant created = Instant.parse(item.getString("created"));
      assertFalse(Instant.parse(item.getString("lastActivity")).isBefore(created), item.toString());
      assertTrue(item.getInt("cols") > 0 && item.getInt("rows") > 0, item.toString());

      JsonObject all = list("limit=1000");
      Map<String, JsonObject> byId = byId(all);
      assertTrue(
          byId.keySet().containsAll(List.of(a1.sessionId(), a2.sessionId(), b.sessionId())),
          all.toString());
      assertEquals("bob", byId.get(b.sessionId()).getString("user"));

      JsonObject alices = list("user=alice&limit=1000");
      assertTrue(
          alices.getJsonArray("items").stream()
              .allMatch(i -> "alice".equals(i.asJsonObject().getString("user"))),
          alices.toString());
      assertTrue(byId(alices).keySet().containsAll(List.of(a1.sessionId(), a2.sessionId())));
      assertFalse(byId(alices).containsKey(b.sessionId()));
      assertEquals(alices.getJsonArray("items").size(), alices.getJsonNumber("total").longValue());

      JsonObject onNode = list("user=bob&node=" + node + "&limit=1000");
      assertTrue(byId(onNode).containsKey(b.sessionId()), onNode.toString());
      assertEquals(0, list("node=no-such-node").getJsonNumber("total").longValue());
    } finally {
      killAll(opened);
    }
  }

  @Test
  void pagesFollowOneOrderAndAddUpToTheWhole() {
    List<Terminal> opened = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open(opened, ALICE);
      }
      for (Terminal t : opened) {
        awaitItem("user=alice&", t.sessionId(), i -> true);
      }
      // Other tests' sessions may end meanwhile (idle limits): try again until the pages agree.
      long deadline = System.nanoTime() + WAIT.toNanos();
      for (; ; ) {
        JsonObject whole = list("user=alice&limit=1000");
        List<String> expected = ids(whole);
        List<String> paged = new ArrayList<>();
        boolean sameTotal = true;
        for (int offset = 0; offset < expected.size() + 2; offset += 2) {
          JsonObject page = list("user=alice&limit=2&offset=" + offset);
          sameTotal &= page.getJsonNumber("total").longValue() == expected.size();
          assertTrue(page.getJsonArray("items").size() <= 2, page.toString());
          paged.addAll(ids(page));
        }
        if (sameTotal && paged.equals(expected)) {
          assertTrue(expected.size() >= 3);
          assertSorted(whole);
          break;
        }
        if (System.nanoTime() > deadline) {
          assertEquals(expected, paged, "the pages, one after the other, are the whole list");
        }
      }

      assertEquals(400, AdminApi.get(ADMIN, "api/admin/sessions?limit=0").statusCode());
      assertEquals(400, AdminApi.get(ADMIN, "api/admin/sessions?limit=1001").statusCode());
      assertEquals(400, AdminApi.get(ADMIN, "api/admin/sessions?offset=-1").statusCode());
      assertEquals(400, AdminApi.get(ADMIN, "api/admin/sessions?state=asleep").statusCode());
      assertEquals(100, list("").getInt("limit"), "the default limit");
    } finally {
      killAll(opened);
    }
  }

  @Test
  void theStateFollowsTheClients() {
    List<Terminal> opened = new ArrayList<>();
    try {
      Terminal t = open(opened, ALICE);
      String id = t.sessionId();
      awaitItem("state=attached&", id, i -> "attached".equals(i.getString("state")));

      t.drop();

      JsonObject detached =
          awaitItem("state=detached&", id, i -> "detached".equals(i.getString("state")));
      assertEquals(0, detached.getInt("attachedClients"), detached.toString());
      assertFalse(byId(list("state=attached&limit=1000")).containsKey(id));
    } finally {
      killAll(opened);
    }
  }

  @Test
  void nodesListThisNodeWithItsSessionsAndWhetherItDrains() {
    List<Terminal> opened = new ArrayList<>();
    try {
      Terminal t = open(opened, BOB);
      String node = t.messages().get(0).getString("node");
      awaitItem("node=" + node + "&", t.sessionId(), i -> true);

      JsonObject listed =
          awaitNode(
              node,
              n -> n.getJsonNumber("sessions").longValue() == total("node=" + node),
              "the node's session count agrees with the listing");
      assertTrue(listed.getJsonNumber("sessions").longValue() >= 1, listed.toString());
      assertFalse(listed.getBoolean("draining"), listed.toString());
      assertFalse(listed.getString("url").isBlank(), listed.toString());

      try {
        HttpResponse<String> drained =
            AdminApi.post(ADMIN, "api/admin/nodes/" + node + "/drain", null);
        assertEquals(200, drained.statusCode(), AdminApi.describe(drained));
        awaitNode(node, n -> n.getBoolean("draining"), "draining true after drain");
      } finally {
        HttpResponse<String> undrained =
            AdminApi.post(ADMIN, "api/admin/nodes/" + node + "/undrain", null);
        assertEquals(200, undrained.statusCode(), AdminApi.describe(undrained));
        awaitNode(node, n -> !n.getBoolean("draining"), "draining false after undrain");
      }
    } finally {
      killAll(opened);
    }
  }

  @Test
  void usersWithoutTheAdminRoleAreRefused() {
    for (String path : List.of("api/admin/sessions", "api/admin/nodes")) {
      HttpResponse<String> response = AdminApi.get(ALICE, path);
      assertEquals(403, response.statusCode(), AdminApi.describe(response));
    }
  }

  private static Terminal open(List<Terminal> opened, TetherServer.Credentials who) {
    Terminal t = Terminal.open(who);
    opened.add(t);
    return t;
  }

  /** Ends the test's sessions, so they count against no one's limit in later tests. */
  private static void killAll(List<Terminal> opened) {
    for (Terminal t : opened) {
      t.close();
      AdminApi.post(ADMIN, "api/admin/sessions/" + t.sessionId() + "/kill", null);
    }
  }

  private static JsonObject list(String query) {
    HttpResponse<String> response = AdminApi.get(ADMIN, "api/admin/sessions?" + query);
    assertEquals(200, response.statusCode(), AdminApi.describe(response));
    return AdminApi.json(response);
  }

  private static long total(String query) {
    return list(query).getJsonNumber("total").longValue();
  }

  private static List<JsonObject> items(JsonObject page) {
    return page.getJsonArray("items").stream().map(JsonValue::asJsonObject).toList();
  }

  private static List<String> ids(JsonObject page) {
    return items(page).stream().map(i -> i.getString("id")).toList();
  }

  private static Map<String, JsonObject> byId(JsonObject page) {
    return items(page).stream()
        .collect(Collectors.toMap(i -> i.getString("id"), Function.identity()));
  }

  private static void assertSorted(JsonObject page) {
    List<JsonObject> items = items(page);
    for (int i = 1; i < items.size(); i++) {
      JsonObject a = items.get(i - 1);
      JsonObject b = items.get(i);
      int byCreated =
          Instant.parse(a.getString("created")).compareTo(Instant.parse(b.getString("created")));
      assertTrue(
          byCreated < 0 || (byCreated == 0 && a.getString("id").compareTo(b.getString("id")) < 0),
          "ordered by created, then id: " + a + " before " + b);
    }
  }

  /**
   * Polls the listing ({@code filters} end with {@code &}) until session {@code id} is as wanted.
   */
  private static JsonObject awaitItem(String filters, String id, Predicate<JsonObject> wanted) {
    return await(
        () -> Optional.ofNullable(byId(list(filters + "limit=1000")).get(id)).filter(wanted),
        "session " + id + " listed as wanted (" + filters + ")");
  }

  private static JsonObject awaitNode(String node, Predicate<JsonObject> wanted, String what) {
    return await(
        () -> {
          HttpResponse<String> response = AdminApi.get(ADMIN, "api/admin/nodes");
          assertEquals(200, response.statusCode(), AdminApi.describe(response));
          return Json.createReader(new StringReader(response.body())).readArray().stream()
              .map(JsonValue::asJsonObject)
              .filter(n -> node.equals(n.getString("node")))
              .findFirst()
              .filter(wanted);
        },
        what);
  }

  private static <T> T await(Supplier<Optional<T>> poll, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (; ; ) {
      Optional<T> found = poll.get();
      if (found.isPresent()) {
        return found.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      // A short pause between polls: the deadline above bounds the wait, not this.
      LockSupport.parkNanos(POLL.toNanos());
    }
  }
}
