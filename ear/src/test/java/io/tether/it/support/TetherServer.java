package io.tether.it.support;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;

/**
 * Where the server the integration tests run against lives, and what it holds.
 *
 * <p>The ITs deploy the real built EAR and talk to it over HTTP and WebSocket as clients
 * ({@code @RunAsClient}). The base URI comes from the {@code tether.base.uri} system property that
 * the failsafe plugin sets, so a port offset needs no code change.
 */
public final class TetherServer {

  /** Users provisioned by server-config (src/main/users/dev-users.txt). */
  public static final Credentials ALICE = new Credentials("alice", "alice-pass");

  public static final Credentials BOB = new Credentials("bob", "bob-pass");
  public static final Credentials ADMIN = new Credentials("admin", "admin-pass");

  private static final String DEFAULT_BASE_URI = "http://127.0.0.1:8080/tether/";
  private static final String DEFAULT_EAR = "target/tether.ear";

  private TetherServer() {}

  /**
   * The application's root, always ending in a slash, e.g. {@code http://127.0.0.1:8080/tether/}.
   */
  public static URI baseUri() {
    String uri = System.getProperty("tether.base.uri", DEFAULT_BASE_URI);
    return URI.create(uri.endsWith("/") ? uri : uri + "/");
  }

  /**
   * Whether the ITs run on Payara Server (the ear module's profile {@code payara-its} says so with
   * {@code tether.it.server=payara}), whose WebSocket is Tyrus: where the two servers differ in
   * what the WebSocket layer refuses before Tether sees a frame (docs/payara.md).
   */
  public static boolean onPayara() {
    return "payara".equals(System.getProperty("tether.it.server"));
  }

  /** A path relative to the application's root, e.g. {@code uri("login.html")}. */
  public static URI uri(String relativePath) {
    return baseUri()
        .resolve(relativePath.startsWith("/") ? relativePath.substring(1) : relativePath);
  }

  /** The same root with the {@code ws} scheme, for {@code java.net.http.WebSocket}. */
  public static URI webSocketUri(String relativePath) {
    URI http = uri(relativePath);
    String scheme = "https".equals(http.getScheme()) ? "wss" : "ws";
    return URI.create(scheme + http.toString().substring(http.getScheme().length()));
  }

  /** The EAR exactly as the build packaged it: ITs never hand-assemble archives that drift. */
  public static EnterpriseArchive builtEar() {
    File ear = new File(System.getProperty("tether.ear", DEFAULT_EAR));
    if (!ear.isFile()) {
      throw new IllegalStateException(
          "No built EAR at "
              + ear.getAbsolutePath()
              + "; run the ear module's package phase first");
    }
    return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, ear);
  }

  /**
   * An HTTP client that does not follow redirects, so tests see what the server answered. It speaks
   * HTTP/1.1, as browsers and command-line clients do over cleartext: the JDK client's default
   * would first try a cleartext HTTP/2 upgrade ({@code h2c}) on every new connection, which no user
   * of Tether makes.
   */
  public static HttpClient httpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** A user name and password of the ApplicationRealm. */
  public record Credentials(String user, String password) {

    /** The value of an HTTP {@code Authorization} header for Basic authentication. */
    public String basicAuthorization() {
      String token = user + ":" + password;
      return "Basic "
          + java.util.Base64.getEncoder()
              .encodeToString(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
