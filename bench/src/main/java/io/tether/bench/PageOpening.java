package io.tether.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A user opening a terminal in a real browser (Debian's headless Chromium, through chromedriver):
 * the terminal page loaded with {@code ?new}, from the navigation's start to the first output frame
 * the page receives (the prompt), and the parts of that time the page itself decides: when it asked
 * for its ticket and when it sent {@code hello}. Each opening ends its session with {@code exit}
 * typed into the terminal, so the next one is again its user's only session.
 *
 * <p>The times come from the page: a script added before the page's own wraps {@code WebSocket} and
 * notes {@code performance.now()} at the first {@code send} (the {@code hello}) and the first
 * binary message (output); the ticket request's start is the page's resource timing of {@code
 * api/tickets}.
 */
final class PageOpening implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** Notes when the page sent its first frame and got its first binary one. */
  private static final String TIMING_SCRIPT =
      """
      (() => {
        const Native = window.WebSocket;
        window.__benchHelloAt = null;
        window.__benchOutputAt = null;
        window.WebSocket = class extends Native {
          constructor(...args) {
            super(...args);
            this.addEventListener('message', (event) => {
              if (window.__benchOutputAt === null && typeof event.data !== 'string') {
                window.__benchOutputAt = performance.now();
              }
            });
          }
          send(data) {
            if (window.__benchHelloAt === null) window.__benchHelloAt = performance.now();
            super.send(data);
          }
        };
      })();
      """;

  /** One opening, in ms from the navigation's start. */
  record Opening(double ticketAsked, double helloSent, double firstOutput) {}

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final Path profile;

  private PageOpening(ChromeDriverService service, ChromeDriver driver, Path profile) {
    this.service = service;
    this.driver = driver;
    this.profile = profile;
  }

  /** Whether this machine has the browser (else the page figures are skipped). */
  static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  /** A browser with its own profile under {@code workDir}. */
  static PageOpening start(Path workDir) throws IOException {
    Files.createDirectories(workDir);
    Path profile = Files.createTempDirectory(workDir, "chromium-profile-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800",
        "--user-data-dir=" + profile.toAbsolutePath());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogOutput(new PrintStream(OutputStream.nullOutputStream()))
            .build();
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
      driver.executeCdpCommand(
          "Page.addScriptToEvaluateOnNewDocument", Map.of("source", TIMING_SCRIPT));
      return new PageOpening(service, driver, profile);
    } catch (RuntimeException e) {
      service.stop();
      delete(profile);
      throw e;
    }
  }

  /**
   * Logs in through the login form of the node at {@code root} (its application root), which comes
   * in place of the terminal page; the page then opens a session, which is ended.
   */
  void logIn(URI root, String user, String password) {
    driver.get(root.resolve("index.html?new").toString());
    driver.findElement(By.id("j_username")).sendKeys(user);
    driver.findElement(By.id("j_password")).sendKeys(password);
    driver.findElement(By.id("j_password")).submit();
    awaitTrue("the terminal after login", "return window.__benchOutputAt !== null");
    exit();
  }

  /** Opens the terminal page with a new session, to its first output; then ends the session. */
  Opening open(URI root) {
    driver.get(root.resolve("index.html?new").toString());
    awaitTrue("the first output", "return window.__benchOutputAt !== null");
    @SuppressWarnings("unchecked")
    List<Object> times =
        (List<Object>)
            js(
                "const t = performance.getEntriesByType('resource')"
                    + ".find(e => e.name.includes('api/tickets'));"
                    + "return [t ? t.startTime : -1, window.__benchHelloAt,"
                    + " window.__benchOutputAt];");
    Opening opening = new Opening(number(times.get(0)), number(times.get(1)), number(times.get(2)));
    exit();
    return opening;
  }

  /**
   * Ends the session with {@code exit}, and lets the tab forget it (the tab keeps its session's id
   * in its sessionStorage, and a reload would go back to the ended session).
   */
  private void exit() {
    driver.findElement(By.cssSelector(".xterm-helper-textarea")).sendKeys("exit\n");
    awaitTrue(
        "the session's end", "return window.tether && window.tether.state().status === 'ended'");
    js("sessionStorage.clear();");
  }

  private Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private void awaitTrue(String what, String script) {
    try {
      new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(20))
          .until(d -> Boolean.TRUE.equals(js(script)));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "the page never showed "
              + what
              + ": "
              + js(
                  "return location.href + ' ' + JSON.stringify(window.tether ?"
                      + " window.tether.state() : null) + ' ' + document.body.innerText"),
          e);
    }
  }

  private static double number(Object value) {
    return ((Number) value).doubleValue();
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      delete(profile);
    }
  }

  private static void delete(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
