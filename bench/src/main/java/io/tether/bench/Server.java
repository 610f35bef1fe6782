package io.tether.bench;

import jakarta.json.Json;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The Tether node under test: tickets over HTTP Basic, and the WebSocket address. */
final class Server {
  private final URI base;
  private final URI webSocket;
  private final String authorization;
  private final ExecutorService executor;
  private final HttpClient http;

  Server(URI base, String user, String password) {
    this.base = base;
    this.webSocket = URI.create(base.toString().replaceFirst("^http", "ws")).resolve("ws/terminal");
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    // Platform threads of our own for java.net.http's callbacks (the WebSocket listener included).
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "bench-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    // HTTP/1.1: no h2c upgrade attempt on the ticket request; keep-alive as a browser would.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(executor)
            .build();
  }

  HttpClient http() {
    return http;
  }

  URI webSocket() {
    return webSocket;
  }

  URI base() {
    return base;
  }

  /** {@code POST api/tickets}: a fresh single-use ticket. */
  String ticket() throws BenchException {
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(base.resolve("api/tickets"))
                  .header("Authorization", authorization)
                  .header("Accept", "application/json")
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new BenchException("ticket request to " + base + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
    if (response.statusCode() != 201) {
      throw new BenchException(
          "ticket request: HTTP " + response.statusCode() + " " + response.body());
    }
    return Json.createReader(new StringReader(response.body())).readObject().getString("ticket");
  }
}
