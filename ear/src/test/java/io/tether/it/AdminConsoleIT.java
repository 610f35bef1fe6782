package io.tether.it;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.AdminConsole;
import io.tether.it.support.Browser;
import io.tether.it.support.BrowserTerminal;
import io.tether.it.support.TcpProxy;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;

/**
 * The admin console in a real headless Chromium, beside a user's terminal page in another Chromium:
 * the admin watches sessions appear and disappear live (also across a cut of the console's own
 * connection), observes one read-only, and kills one, whose page says so. A user without the admin
 * role is refused the page, the API, the event stream and observing.
 *
 * <p>The console reaches the server through a {@link TcpProxy}, so the test can cut its event
 * stream as a network drop would. Screenshots go to {@code target/admin-console-it/}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminConsoleIT {
  private static final Path WORK_DIR = Path.of("target", "admin-console-it");
  private static final Duration CONNECT = Duration.ofSeconds(30);
  private static final Duration LIVE = Duration.ofSeconds(15);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void anAdminWatchesSessionsComeAndGoObservesOneAndKillsOne() {
    URI server = TetherServer.baseUri();
    try (TcpProxy proxy = TcpProxy.start(server.getHost(), server.getPort());
        Browser adminBrowser = Browser.launch(WORK_DIR.resolve("admin"));
        Browser aliceBrowser = Browser.launch(WORK_DIR.resolve("alice"))) {
      String consoleApp = "http://127.0.0.1:" + proxy.port() + server.getPath();
      AdminConsole console = new AdminConsole(adminBrowser);
      BrowserTerminal alice = new BrowserTerminal(aliceBrowser);
      try {
        watchObserveAndKill(adminBrowser, console, proxy, consoleApp, aliceBrowser, alice);
      } catch (Throwable failure) {
        failure.addSuppressed(
            new AssertionError(
                "console: "
                    + adminBrowser.screenshot("failure-console")
                    + "\n"
                    + adminBrowser.consoleLog()
                    + "\nalice: "
                    + aliceBrowser.screenshot("failure-alice")
                    + "\n"
                    + aliceBrowser.consoleLog()));
        throw failure;
      }
    }
  }

  private void watchObserveAndKill(
      Browser adminBrowser,
      AdminConsole console,
      TcpProxy proxy,
      String consoleApp,
      Browser aliceBrowser,
      BrowserTerminal alice) {
    // The console, after the container's login form.
    adminBrowser.driver().get(consoleApp + "admin.html");
    new BrowserTerminal(adminBrowser).logIn(ADMIN);
    console.awaitLive(CONNECT);

    // Alice opens a terminal in her own browser: her session appears on the console, live.
    aliceBrowser.driver().get(TetherServer.baseUri().toString());
    alice.logIn(ALICE);
    alice.awaitStatus("connected", CONNECT);
    String id = alice.sessionId();
    console.awaitRow(id, LIVE);
    assertEquals("alice", console.cell(id, "user"));
    console.awaitCell(id, "state", "attached", LIVE);
    adminBrowser.screenshot("session-listed");

    // The console's own connection is cut; a session that starts meanwhile still shows up, once,
    // and goes when its shell exits.
    assertTrue(proxy.cutAll() > 0, "the console had no connection to cut");
    try (Terminal bob = Terminal.open(BOB)) {
      console.awaitRow(bob.sessionId(), LIVE);
      console.awaitLive(LIVE);
      assertEquals(1, console.rows(bob.sessionId()).size(), "bob's session shown once");
      assertEquals(1, console.rows(id).size(), "alice's session shown once");
      bob.exitShell();
      console.awaitNoRow(bob.sessionId(), LIVE);
    }

    // Observe: a read-only terminal in a new window shows alice's screen, live.
    String consoleWindow = console.observe(id);
    BrowserTerminal observer = new BrowserTerminal(adminBrowser);
    observer.waitFor(
        CONNECT, "the observer to connect", d -> "connected".equals(observer.status()));
    alice.type("echo observed-$((6*7))", Keys.ENTER);
    alice.awaitVisible("observed-42", LIVE);
    observer.awaitVisible("observed-42", LIVE);
    // Keys pressed in the observer's window go nowhere.
    observer.type("echo from-the-observer", Keys.ENTER);
    alice.type("echo check-$((1+1))", Keys.ENTER);
    alice.awaitVisible("check-2", LIVE);
    observer.awaitVisible("check-2", LIVE);
    assertFalse(
        alice.visibleText().contains("from-the-observer"), "the observer's keys reached the shell");
    assertEquals("connected", observer.status(), "the observer's page stays connected");
    adminBrowser.screenshot("observing");

    // Back on the console: alice's one client and the observer, told apart.
    adminBrowser.driver().switchTo().window(consoleWindow);
    console.awaitCell(id, "state", "1 observer", LIVE);
    String state = console.cell(id, "state");
    assertTrue(state.contains("attached") && state.contains("1"), ".state: " + state);
    adminBrowser.screenshot("console-with-observer");

    // Kill from the console: alice's page (and the observer's) say an administrator ended it, and
    // the row goes.
    console.kill(id);
    alice.waitFor(CONNECT, "alice's page to show #ended", d -> alice.isDisplayed("ended"));
    String sentence = alice.text("ended-sentence");
    assertTrue(sentence.contains("ended by an administrator"), "#ended-sentence: " + sentence);
    aliceBrowser.screenshot("killed");
    console.awaitNoRow(id, LIVE);
    for (String window : adminBrowser.driver().getWindowHandles()) {
      if (!window.equals(consoleWindow)) {
        adminBrowser.driver().switchTo().window(window);
        observer.waitFor(
            CONNECT, "the observer's page to show #ended", d -> observer.isDisplayed("ended"));
      }
    }
  }

  @Test
  void aUserWithoutTheAdminRoleIsRefusedThePageTheApiTheStreamAndObserving() {
    try (Browser browser = Browser.launch(WORK_DIR.resolve("refused"));
        Terminal bob = Terminal.open(BOB)) {
      String app = TetherServer.baseUri().toString();
      browser.driver().get(app + "admin.html");
      BrowserTerminal page = new BrowserTerminal(browser);
      page.logIn(ALICE);
      page.waitFor(
          CONNECT,
          "the page after the login",
          d -> d.getCurrentUrl().endsWith("admin.html") && !page.isDisplayed("j_username"));
      browser.screenshot("refused-console");

      @SuppressWarnings("unchecked")
      List<String> statuses =
          (List<String>)
              ((JavascriptExecutor) browser.driver())
                  .executeAsyncScript(
                      "const done = arguments[arguments.length - 1];"
                          + " const paths = ['admin.html', 'api/admin/sessions',"
                          + " 'api/admin/sessions/"
                          + bob.sessionId()
                          + "', 'api/admin/nodes',"
                          + " 'api/admin/events', 'api/admin/events/stream'];"
                          + " Promise.all(paths.map((p) => fetch(p, {credentials: 'same-origin'})"
                          + "   .then((r) => p + ' ' + r.status)))"
                          + " .then(done, (e) => done(['failed: ' + e]));");
      for (String status : statuses) {
        assertTrue(status.endsWith(" 403"), "as alice: " + statuses);
      }

      // Observing bob's session from a terminal page is refused with the reason.
      browser.driver().get(app + "index.html?observe=" + bob.sessionId());
      page.pageChanged();
      page.waitFor(CONNECT, "#ended on the observer page", d -> page.isDisplayed("ended"));
      String sentence = page.text("ended-sentence");
      assertTrue(sentence.contains("admin role"), "#ended-sentence: " + sentence);
      browser.screenshot("refused-observe");

      bob.type("echo untouched-$((2+5))\r");
      bob.awaitOutput("untouched-7");
      bob.exitShell();
    }
  }
}
