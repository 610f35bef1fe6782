package io.tether.web.health;

import io.tether.node.NodeReadiness;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code GET /tether/health/ready}: whether this node takes new connections, as MicroProfile Health
 * answers a readiness probe ({@code 200} and {@code UP}, or {@code 503} and {@code DOWN} with the
 * reason). Served by the application itself, on the node's own port: WildFly's {@code
 * /health/ready} (management port) reports the server's state but does not collect checks from an
 * EAR's modules (docs/cluster.md).
 */
@WebServlet("/health/ready")
public class ReadinessServlet extends HttpServlet {
  @Inject NodeReadiness readiness;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Optional<String> why = readiness.notReadyBecause();
    String status = why.isEmpty() ? "UP" : "DOWN";
    JsonObject check =
        Json.createObjectBuilder()
            .add("name", "tether-node")
            .add("status", status)
            .add("data", Json.createObjectBuilder().add("state", why.orElse("ready")))
            .build();
    JsonObject body =
        Json.createObjectBuilder()
            .add("status", status)
            .add("checks", Json.createArrayBuilder().add(check))
            .build();
    response.setStatus(why.isEmpty() ? 200 : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    response.setContentType("application/json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.setHeader("Cache-Control", "no-store");
    response.getWriter().write(body.toString());
  }
}
