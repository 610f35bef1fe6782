package io.tether.it.events;

import io.tether.it.support.TetherServer;
import io.tether.it.support.TetherServer.Credentials;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** The admin REST API as the integration tests call it (HTTP Basic, JSON). */
final class AdminApi {
  private AdminApi() {}

  static HttpResponse<String> get(Credentials who, String path) {
    return send(who, HttpRequest.newBuilder(TetherServer.uri(path)).GET());
  }

  /** POSTs {@code json} (or nothing, if null). */
  static HttpResponse<String> post(Credentials who, String path, String json) {
    HttpRequest.Builder request = HttpRequest.newBuilder(TetherServer.uri(path));
    if (json == null) {
      request.POST(HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json");
      request.POST(HttpRequest.BodyPublishers.ofString(json));
    }
    return send(who, request);
  }

  /** {@code {"message": "..."}} */
  static String message(String text) {
    return Json.createObjectBuilder().add("message", text).build().toString();
  }

  /** {@code GET api/admin/events?after=...} as the admin: the events, oldest first. */
  static List<JsonObject> eventsAfter(long seq) {
    HttpResponse<String> response = get(TetherServer.ADMIN, "api/admin/events?after=" + seq);
    if (response.statusCode() != 200) {
      throw new AssertionError("events: HTTP " + response.statusCode() + " " + response.body());
    }
    JsonArray array = Json.createReader(new StringReader(response.body())).readArray();
    return array.stream().map(JsonValue::asJsonObject).toList();
  }

  static JsonObject json(HttpResponse<String> response) {
    return Json.createReader(new StringReader(response.body())).readObject();
  }

  static String describe(HttpResponse<String> response) {
    return response.request().method()
        + " "
        + response.uri()
        + " -> "
        + response.statusCode()
        + " "
        + response.body();
  }

  private static HttpResponse<String> send(Credentials who, HttpRequest.Builder request) {
    if (who != null) {
      request.header("Authorization", who.basicAuthorization());
    }
    request.header("Accept", "application/json").timeout(Duration.ofSeconds(10));
    try {
      return TetherServer.httpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request failed: " + request.build().uri(), e);
    }
  }
}
