package io.tether.it.events;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.AdminConsole;
import io.tether.it.support.Browser;
import io.tether.it.support.BrowserTerminal;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Observation by consent ({@code tether.observe.policy=consent}, the "small-heap" server's setting,
 * with {@code tether.observe.consent-timeout-seconds=8}): an administrator sees nothing of a
 * session until its user agrees; a decline, or no answer in time, refuses the observer with {@code
 * 4019}; nobody but the session's user can answer.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ObserveConsentIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration CONNECT = Duration.ofSeconds(30);
  private static final Path WORK_DIR = Path.of("target", "observe-consent-it");

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  private static String answer(String requestId, boolean accept) {
    return "{\"type\":\"observe-answer\",\"requestId\":\""
        + requestId
        + "\",\"accept\":"
        + accept
        + "}";
  }

  @Test
  void anObserverSeesNothingUntilTheUserAgreesAndOnlyTheUserCanAgree() {
    try (Terminal t = Terminal.open(ALICE);
        Terminal bob = Terminal.open(BOB)) {
      String id = t.sessionId();
      t.type("echo before-$((6*7))\r");
      t.awaitOutput("before-42");

      // The first request: the user declines it, after a forged acceptance from bob.
      try (Terminal observer = Terminal.observe(TetherServer.baseUri(), ADMIN, id)) {
        Terminal.Connection connection = observer.connect();
        JsonObject waiting = observer.awaitMessage("awaiting-consent", null, 1, WAIT);
        assertEquals("alice", waiting.getString("user"), waiting.toString());
        JsonObject ask = t.awaitMessage("observe-request", null, 1, WAIT);
        assertEquals("admin", ask.getString("admin"), ask.toString());
        String request = ask.getString("requestId");

        // Bob answers alice's request from his own session: it names nothing of his, so nothing.
        bob.connection().send(answer(request, true));
        bob.type("echo bob-still-$((2+3))\r");
        bob.awaitOutput("bob-still-5");
        t.type("echo during-$((7*7))\r");
        t.awaitOutput("during-49");
        assertFalse(bob.connection().closed.isDone(), "bob's connection was closed");
        assertEquals("", observer.output(), "output reached the observer before consent");
        assertTrue(
            observer.messages().stream().noneMatch(m -> m.getString("type").equals("attached")));

        t.connection().send(answer(request, false));
        Terminal.Closed refused = connection.expectClosed();
        assertEquals(4019, refused.code(), refused.toString());
        assertEquals("alice declined to be observed.", refused.reason());
        assertEquals("", observer.output(), "a declined observer saw output");
        JsonObject over = t.awaitMessage("observe-request-over", null, 1, WAIT);
        assertEquals("declined", over.getString("outcome"), over.toString());
      }

      // A waiting observer cannot answer its own request: refused, and the request withdrawn.
      try (Terminal observer = Terminal.observe(TetherServer.baseUri(), ADMIN, id)) {
        Terminal.Connection connection = observer.connect();
        observer.awaitMessage("awaiting-consent", null, 1, WAIT);
        String request = t.awaitMessage("observe-request", null, 2, WAIT).getString("requestId");
        connection.send(answer(request, true));
        assertEquals(4000, connection.expectClosed().code());
        JsonObject over = t.awaitMessage("observe-request-over", null, 2, WAIT);
        assertEquals("withdrawn", over.getString("outcome"), over.toString());
        assertEquals("", observer.output());
      }

      // The user agrees: the observer gets the screen so far and what follows.
      try (Terminal observer = Terminal.observe(TetherServer.baseUri(), ADMIN, id)) {
        Terminal.Connection connection = observer.connect();
        observer.awaitMessage("awaiting-consent", null, 1, WAIT);
        String request = t.awaitMessage("observe-request", null, 3, WAIT).getString("requestId");
        assertEquals("", observer.output());
        t.connection().send(answer(request, true));
        JsonObject attached = connection.expectAttached();
        assertTrue(attached.getBoolean("observer"), attached.toString());
        observer.awaitOutput("during-49");
        t.type("echo live-$((8*8))\r");
        observer.awaitOutput("live-64");
        JsonObject told = t.awaitMessage("notice", "observed", 1, WAIT);
        assertTrue(told.getString("message").contains("admin"), told.toString());
      }
      t.exitShell();
      bob.exitShell();
    }
  }

  @Test
  void inTheBrowserTheUserIsAskedAndTheAdministratorSeesNothingUntilAllowed() {
    try (Browser adminBrowser = Browser.launch(WORK_DIR.resolve("admin"));
        Browser aliceBrowser = Browser.launch(WORK_DIR.resolve("alice"))) {
      try {
        aliceBrowser.driver().get(TetherServer.baseUri() + "index.html?new");
        BrowserTerminal alice = new BrowserTerminal(aliceBrowser);
        alice.logIn(ALICE);
        alice.awaitStatus("connected", CONNECT);
        String session = alice.sessionId();
        alice.type("echo secret-$((6*7))", Keys.ENTER);
        alice.awaitVisible("secret-42", WAIT);

        adminBrowser.driver().get(TetherServer.baseUri() + "admin.html");
        BrowserTerminal admin = new BrowserTerminal(adminBrowser);
        admin.logIn(ADMIN);
        new AdminConsole(adminBrowser).awaitLive(CONNECT); // logged in
        admin.waitFor(WAIT, "the console's consent note", d -> admin.isDisplayed("observe-policy"));
        String observePage = TetherServer.baseUri() + "index.html?observe=" + session;
        adminBrowser.driver().get(observePage);

        // Alice is asked, by name; the administrator waits and sees nothing.
        WebElement ask = alice.awaitBannerRow("consent", WAIT);
        assertTrue(
            ask.getText().contains("Administrator admin asks to watch this session"),
            ask.getText());
        WebElement waiting = admin.awaitBannerRow("consent", WAIT);
        assertTrue(waiting.getText().contains("Waiting for alice"), waiting.getText());
        aliceBrowser.screenshot("consent-asked");
        assertFalse(admin.visibleText().contains("secret-42"), admin.visibleText());

        // Declined: the administrator's page ends with the user's answer.
        ask.findElement(By.cssSelector("button[data-action='decline']")).click();
        admin.waitFor(WAIT, "#ended on the observer", d -> admin.isDisplayed("ended"));
        assertEquals("alice declined to be observed.", admin.text("ended-sentence"));
        assertEquals(
            "4019", adminBrowser.driver().findElement(By.id("ended")).getAttribute("data-code"));
        assertFalse(admin.visibleText().contains("secret-42"), admin.visibleText());
        alice.waitFor(WAIT, "the request to go", d -> alice.bannerRows("consent").isEmpty());

        // Asked again and allowed: the screen so far, then live output.
        adminBrowser.driver().get(observePage);
        alice
            .awaitBannerRow("consent", WAIT)
            .findElement(By.cssSelector("button[data-action='allow']"))
            .click();
        admin.awaitVisible("secret-42", WAIT);
        alice.type("echo live-$((8*8))", Keys.ENTER);
        admin.awaitVisible("live-64", WAIT);
        WebElement observed = alice.awaitBannerRow("observed", WAIT);
        assertTrue(observed.getText().contains("admin"), observed.getText());
        assertTrue(alice.bannerRows("consent").isEmpty());
        alice.type("exit", Keys.ENTER);
        alice.waitFor(WAIT, "#ended after exit", d -> alice.isDisplayed("ended"));
      } catch (Throwable failure) {
        failure.addSuppressed(
            new AssertionError(
                adminBrowser.screenshot("consent-failure-admin")
                    + "\n"
                    + adminBrowser.consoleLog()
                    + "\n"
                    + aliceBrowser.screenshot("consent-failure-alice")
                    + "\n"
                    + aliceBrowser.consoleLog()));
        throw failure;
      }
    }
  }

  @Test
  void noAnswerInTimeRefusesTheObserver() {
    try (Terminal t = Terminal.open(ALICE)) {
      try (Terminal observer = Terminal.observe(TetherServer.baseUri(), ADMIN, t.sessionId())) {
        Terminal.Connection connection = observer.connect();
        observer.awaitMessage("awaiting-consent", null, 1, WAIT);
        t.awaitMessage("observe-request", null, 1, WAIT);

        Terminal.Closed refused = connection.expectClosed();

        assertEquals(4019, refused.code(), refused.toString());
        assertEquals("alice did not answer within 8 s; nothing was shown.", refused.reason());
        assertEquals("", observer.output());
        JsonObject over = t.awaitMessage("observe-request-over", null, 1, WAIT);
        assertEquals("expired", over.getString("outcome"), over.toString());
      }
      t.exitShell();
    }
  }
}
