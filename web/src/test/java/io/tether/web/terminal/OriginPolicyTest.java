package io.tether.web.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OriginPolicyTest {
  private final OriginPolicy policy = new OriginPolicy(List.of("https://term.example.com"));

  /** Origin header, Host header, verdict. An empty cell is a missing header. */
  @ParameterizedTest(name = "Origin {0}, Host {1} -> {2}")
  @CsvSource({
    "http://127.0.0.1:8080,      127.0.0.1:8080,   true", // the server's own page
    "http://LOCALHOST:8080,      localhost:8080,   true", // host names are case-insensitive
    "http://example.org,         example.org,      true", // default port on both sides
    "https://example.org,        example.org:443,  true",
    "https://example.org,        example.org,      true",
    "http://127.0.0.1:8081,      127.0.0.1:8080,   false", // another port is another origin
    "http://evil.example:8080,   127.0.0.1:8080,   false",
    "http://127.0.0.1.evil.example:8080, 127.0.0.1:8080, false",
    "https://term.example.com,   10.0.0.5:8080,    true", // configured, behind a proxy
    "https://term.example.com:443, 10.0.0.5:8080,  true",
    "http://term.example.com,    10.0.0.5:8080,    false", // configured for https only
    "null,                       127.0.0.1:8080,   false", // sandboxed iframes send 'null'
    "not a url,                  127.0.0.1:8080,   false",
    "http://127.0.0.1:8080,      ,                 false", // no Host to compare with
    ",                           127.0.0.1:8080,   true", // no Origin: not a browser
  })
  void judgesOrigins(String origin, String host, boolean allowed) {
    assertEquals(allowed, policy.allows(origin, host));
  }
}
