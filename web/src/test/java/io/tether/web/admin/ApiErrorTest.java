package io.tether.web.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** An error answered by a servlet is the same JSON as one JAX-RS writes. */
class ApiErrorTest {
  private final Map<String, Object> set = new TreeMap<>();
  private final StringWriter body = new StringWriter();

  /** A response that records its setters and collects what is written to it. */
  private HttpServletResponse response() {
    PrintWriter writer = new PrintWriter(body, true);
    return (HttpServletResponse)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {HttpServletResponse.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getWriter":
                  return writer;
                case "setStatus", "setContentType", "setCharacterEncoding":
                  set.put(method.getName(), args[0]);
                  return null;
                default:
                  throw new UnsupportedOperationException(method.getName());
              }
            });
  }

  @Test
  void theForbiddenAnswerOfAServletIsTheApisJson() throws Exception {
    ApiError.FORBIDDEN.writeTo(response(), Response.Status.FORBIDDEN);

    assertEquals(
        Map.of(
            "setStatus", 403,
            "setContentType", "application/json",
            "setCharacterEncoding", "UTF-8"),
        set);
    assertEquals(
        "{\"error\":\"forbidden\",\"message\":\"This needs the admin role.\"}", body.toString());
  }

  @Test
  void aMessageIsEscapedAsJson() throws Exception {
    new ApiError("bad-request", "a \"quoted\"\nline")
        .writeTo(response(), Response.Status.BAD_REQUEST);

    assertEquals(400, set.get("setStatus"));
    assertEquals(
        "{\"error\":\"bad-request\",\"message\":\"a \\\"quoted\\\"\\nline\"}", body.toString());
  }
}
