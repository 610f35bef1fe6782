package io.tether.it;

import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.Browser;
import io.tether.it.support.BrowserTerminal;
import io.tether.it.support.ServerProcess;
import io.tether.it.support.TcpProxy;
import io.tether.it.support.TetherServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Keys;

/**
 * The terminal page in a real headless Chromium against the real EAR: log in, open a terminal, run
 * a command and see its output, cut the connection, and see the session continue with nothing lost;
 * a reload resumes the same session; {@code exit} ends it.
 *
 * <p>The browser reaches the server through a {@link TcpProxy} on 127.0.0.1, so the test can reset
 * every TCP connection at once, as a network drop would. Page URL, Host and Origin all name the
 * proxy, so the page is same-origin with itself as in production. Screenshots of the key moments go
 * to {@code target/browser-it/}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BrowserIT {
  private static final Path WORK_DIR = Path.of("target", "browser-it");
  private static final Duration CONNECT = Duration.ofSeconds(30);
  private static final Duration OUTPUT = Duration.ofSeconds(30);

  /** Numbered output for several seconds; the echo of the command itself matches none of it. */
  private static final int LINES = 400;

  private static final String LOOP =
      "for i in $(seq 1 " + LINES + "); do echo line-$i; sleep 0.02; done; echo done-$((1+1))";
  private static final Pattern NUMBERED = Pattern.compile("line-\\d+");

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void sessionSurvivesCutConnectionsAndAReloadWithNothingLost() throws IOException {
    deleteOldScreenshots();
    URI server = TetherServer.baseUri();
    try (TcpProxy proxy = TcpProxy.start(server.getHost(), server.getPort());
        Browser browser = Browser.launch(WORK_DIR)) {
      BrowserTerminal page = new BrowserTerminal(browser);
      try {
        run(browser, page, proxy, "http://127.0.0.1:" + proxy.port() + server.getPath());
      } catch (Throwable failure) {
        diagnose(browser, page, failure);
        throw failure;
      }
    }
  }

  private void run(Browser browser, BrowserTerminal page, TcpProxy proxy, String app) {
    // Log in: the container shows its login page in place of the terminal page.
    browser.driver().get(app);
    page.logIn(ALICE);
    page.awaitStatus("connected", CONNECT);
    String sessionId = page.sessionId();
    assertNotNull(sessionId, "window.tether.state().sessionId once connected");

    // A command and its output, on screen.
    page.type("echo browser-$((6*7))", Keys.ENTER);
    page.awaitVisible("browser-42", OUTPUT);
    assertTrue(page.screenLines().contains("browser-42"), "browser-42 as a line of its own");
    browser.screenshot("connected");

    // Output keeps coming while the connection is cut twice, at different moments.
    page.recordStatus();
    page.type(LOOP, Keys.ENTER);
    cutWhenShown(page, proxy, "line-60");
    cutWhenShown(page, proxy, "line-250");
    List<String> lines =
        page.awaitLines(
            "the loop to finish (done-2)", Duration.ofSeconds(60), l -> l.contains("done-2"));
    page.awaitVisible("done-2", OUTPUT);
    assertEveryLineOnceInOrder(lines, "after two cut connections");
    assertEquals(sessionId, page.sessionId(), "the same session after the reconnects");
    assertEquals("connected", page.status());
    browser.screenshot("after-reconnects");

    // A reload resumes the same session and replays its output.
    browser.driver().navigate().refresh();
    page.pageChanged();
    page.awaitStatus("connected", CONNECT);
    List<String> replayed =
        page.awaitLines(
            "the replay after the reload (browser-42 ... done-2)",
            OUTPUT,
            l -> l.contains("browser-42") && l.contains("done-2"));
    assertEquals(sessionId, page.sessionId(), "the same session after the reload");
    assertEveryLineOnceInOrder(replayed, "after the reload");
    page.awaitVisible("done-2", OUTPUT);
    browser.screenshot("after-reload");

    // The shell exits: the page says so and offers a new session.
    page.type("exit", Keys.ENTER);
    page.waitFor(CONNECT, "#ended to show", d -> page.isDisplayed("ended"));
    assertEquals("ended", page.status());
    String sentence = page.text("ended-sentence");
    assertTrue(sentence.contains("exited with code 0"), "#ended-sentence: " + sentence);
    assertTrue(page.isDisplayed("new-session"), "the Start a new session button shows");
    assertEquals("Start a new session", page.text("new-session"));
    browser.screenshot("ended");
  }

  /**
   * Waits until the terminal shows {@code marker}, resets every connection through the proxy, and
   * waits for the page to go to reconnecting and back to connected on its own.
   */
  private static void cutWhenShown(BrowserTerminal page, TcpProxy proxy, String marker) {
    List<String> before =
        page.awaitLines("the loop to print " + marker, OUTPUT, l -> l.contains(marker));
    assertFalse(before.contains("done-2"), "the loop ended before the cut at " + marker);
    int statesBefore = page.statusLog().size();
    int acceptedBefore = proxy.acceptedConnections();

    assertTrue(proxy.cutAll() > 0, "no connection to cut at " + marker);

    page.waitFor(
        CONNECT,
        "reconnecting and then connected again after the cut at " + marker,
        d -> {
          List<String> log = page.statusLog();
          List<String> since = log.subList(statesBefore, log.size());
          int reconnecting = since.indexOf("reconnecting");
          return reconnecting >= 0
              && since.subList(reconnecting, since.size()).contains("connected")
              && "connected".equals(page.status());
        });
    assertTrue(
        proxy.acceptedConnections() > acceptedBefore,
        "the page reconnected through a new TCP connection");
  }

  /**
   * A program's query to the terminal (DA1, {@code printf '\e[c'}) is answered while it is live,
   * and never again when a reload replays it: the shell's raw stdin (copied into a file by {@code
   * cat -v}) holds the one live reply and then only what the user typed after the reload.
   */
  @Test
  void aReloadReplaysQueriesWithoutAnsweringThem() throws Exception {
    // Alice's shell runs as her own account in its sandbox: what it writes, it writes in her home,
    // which is the same directory outside.
    String name = "stdin-" + System.nanoTime() + ".txt";
    Path file = ServerProcess.homeOf("tether-alice").resolve(name);
    Files.createDirectories(WORK_DIR);
    URI server = TetherServer.baseUri();
    try (Browser browser = Browser.launch(WORK_DIR)) {
      BrowserTerminal page = new BrowserTerminal(browser);
      try {
        browser.driver().get(server.toString());
        page.logIn(ALICE);
        page.awaitStatus("connected", CONNECT);
        // The query is printed (and so logged) first; its live reply then reaches the shell's
        // stdin. dd passes the reply's 7 bytes on one by one, and one more, then ends: a second
        // reply (replayed) would be that byte instead of the key typed after the reload.
        page.type(
            "stty raw -echo; printf 'Q%sY\\033[c' -U-; dd bs=1 count=8 status=none | cat -v > ~/"
                + name
                + "; stty sane",
            Keys.ENTER);
        page.waitFor(
            OUTPUT,
            "the live query's reply in the shell's stdin",
            d -> read(file).contains("[?1;2c"));

        browser.driver().navigate().refresh();
        page.awaitStatus("connected", CONNECT);
        page.awaitVisible("Q-U-Y", OUTPUT); // the replay, query included, has been parsed
        page.type("Z");
        page.waitFor(OUTPUT, "the key typed after the reload", d -> read(file).endsWith("Z"));
        assertEquals("^[[?1;2cZ", read(file), "the shell's stdin: one live reply, then the key");
        page.type("exit", Keys.ENTER);
      } catch (Throwable failure) {
        diagnose(browser, page, failure);
        throw failure;
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** line-1 .. line-N each exactly once, in order, and no note about dropped output. */
  private static void assertEveryLineOnceInOrder(List<String> lines, String when) {
    List<String> numbered = lines.stream().filter(l -> NUMBERED.matcher(l).matches()).toList();
    List<String> expected = IntStream.rangeClosed(1, LINES).mapToObj(i -> "line-" + i).toList();
    if (!numbered.equals(expected)) {
      throw new AssertionError(
          "numbered lines "
              + when
              + ": expected line-1..line-"
              + LINES
              + " once each in order, got "
              + numbered.size()
              + " lines: "
              + summarize(numbered));
    }
    assertEquals(1, lines.stream().filter("done-2"::equals).count(), "done-2 exactly once " + when);
    assertTrue(
        lines.stream().noneMatch(l -> l.contains("[tether] dropped")), "no output dropped " + when);
  }

  private static String summarize(List<String> numbered) {
    if (numbered.size() <= 20) {
      return numbered.toString();
    }
    return numbered.subList(0, 10)
        + " ... "
        + numbered.subList(numbered.size() - 10, numbered.size());
  }

  private static void diagnose(Browser browser, BrowserTerminal page, Throwable failure) {
    StringBuilder report = new StringBuilder("BrowserIT diagnostics:");
    try {
      report.append("\n  screenshot: ").append(browser.screenshot("failure").toAbsolutePath());
      report.append("\n  window.tether.state(): ").append(page.state());
      report.append("\n  #status: ").append(page.status());
      report.append("\n  page console:\n").append(browser.consoleLog());
    } catch (RuntimeException e) {
      report.append("\n  (could not collect more: ").append(e).append(')');
    }
    failure.addSuppressed(new AssertionError(report.toString()));
  }

  private static void deleteOldScreenshots() throws IOException {
    if (!Files.isDirectory(WORK_DIR)) {
      return;
    }
    try (DirectoryStream<Path> old = Files.newDirectoryStream(WORK_DIR, "*.png")) {
      for (Path png : old) {
        Files.delete(png);
      }
    }
  }
}
