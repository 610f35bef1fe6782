package io.tether.web.admin;

import io.tether.events.CommandNotSentException;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The JSON body of an admin API error, and the one way every error answer is built: through JAX-RS
 * ({@link #response}) or, for the servlets beside it, {@link #writeTo}.
 *
 * @param error a stable machine name ({@code no-such-session}, {@code bad-request}, ...)
 * @param message a sentence for a person
 */
public record ApiError(String error, String message) {
  private static final Logger LOG = Logger.getLogger(ApiError.class.getName());

  /** A login without the admin role asked for an admin resource. */
  public static final ApiError FORBIDDEN = new ApiError("forbidden", "This needs the admin role.");

  /** The response every admin API error is: {@code status} with this body as JSON. */
  public static Response response(Response.Status status, String error, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ApiError(error, message))
        .build();
  }

  /** {@code 400 bad-request}. */
  public static Response badRequest(String message) {
    return response(Response.Status.BAD_REQUEST, "bad-request", message);
  }

  /**
   * {@code 503 commands-unavailable}: the broker did not take a command, so nothing was done
   * (logged as the server fault it is).
   *
   * @param sentence what the caller reads, e.g. "The session could not be ended."
   */
  public static Response commandNotSent(CommandNotSentException e, String sentence) {
    LOG.log(Level.SEVERE, e.getMessage(), e);
    return response(
        Response.Status.SERVICE_UNAVAILABLE,
        "commands-unavailable",
        sentence + " Nothing was done; try again.");
  }

  /** {@code 403 forbidden}. */
  public static Response forbidden() {
    return response(Response.Status.FORBIDDEN, FORBIDDEN.error(), FORBIDDEN.message());
  }

  /**
   * Answers a servlet request with {@code status} and this error as JSON, the same body JAX-RS
   * writes for {@link #response} (JSON-B).
   */
  public void writeTo(HttpServletResponse response, Response.Status status) throws IOException {
    response.setStatus(status.getStatusCode());
    response.setContentType(MediaType.APPLICATION_JSON);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.getWriter().write(Json.JSONB.toJson(this));
  }

  /** Built on first use: JAX-RS serializes its own responses and never needs it. */
  private static final class Json {
    static final Jsonb JSONB = JsonbBuilder.create();
  }
}
