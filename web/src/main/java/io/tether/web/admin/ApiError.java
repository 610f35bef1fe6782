package io.tether.web.admin;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The JSON body of an admin API error.
 *
 * @param error a stable machine name ({@code no-such-session}, {@code bad-request}, ...)
 * @param message a sentence for a person
 */
public record ApiError(String error, String message) {
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
}
