package io.tether.it;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.AdminConsole;
import io.tether.it.support.Browser;
import io.tether.it.support.BrowserTerminal;
import io.tether.it.support.TetherServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.interactions.Actions;

/**
 * The terminal page as a user meets it, in a real headless Chromium: the sessions panel across two
 * tabs (switch, reattach, end, and the offer to reattach when a tab opens without a session), the
 * user's name and logout, the 403 page, clickable links, search, the tab title, the settings and
 * themes, the touch key bar at a phone's size, the admin console's rows following a session live,
 * and the notice a user gets while an administrator observes the session.
 *
 * <p>Screenshots of the terminal page (dark and light), the sessions panel, the phone layout and
 * the admin console are written to {@code docs/screenshots/} by this run.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TerminalPageIT {
  private static final Path WORK_DIR = Path.of("target", "terminal-page-it");
  private static final Path SCREENSHOTS = Path.of("..", "docs", "screenshots");
  private static final Duration CONNECT = Duration.ofSeconds(30);
  private static final Duration LIVE = Duration.ofSeconds(15);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  private static String app() {
    return TetherServer.baseUri().toString();
  }

  /** Opens the terminal page in the current tab, logging in as {@code user} when asked to. */
  private static BrowserTerminal openTerminal(
      Browser browser, String path, TetherServer.Credentials user) {
    browser.driver().get(app() + path);
    BrowserTerminal page = new BrowserTerminal(browser);
    if (!browser.driver().findElements(By.id("j_username")).isEmpty()) {
      page.logIn(user);
    }
    return page;
  }

  private static Object js(Browser browser, String script, Object... args) {
    return ((JavascriptExecutor) browser.driver()).executeScript(script, args);
  }

  private static List<WebElement> panelRows(Browser browser) {
    return browser.driver().findElements(By.cssSelector("#sessions-list li.session-row"));
  }

  private static void openPanel(Browser browser) {
    if (!browser.driver().findElement(By.id("sessions-panel")).isDisplayed()) {
      browser.driver().findElement(By.id("sessions-toggle")).click();
    }
  }

  /** Waits for the panel to list exactly {@code ids} (any order) and returns its rows. */
  private static List<WebElement> awaitPanel(Browser browser, Set<String> ids) {
    return browser.waitFor(
        LIVE,
        "the sessions panel to list " + ids,
        d -> {
          // The panel reads the list when opened: reopen it until the server's list is as wanted.
          List<WebElement> rows = panelRows(browser);
          Set<String> shown = new java.util.HashSet<>();
          rows.forEach(r -> shown.add(r.getAttribute("data-session-id")));
          if (shown.equals(ids)) {
            return rows;
          }
          browser.driver().findElement(By.id("sessions-close")).click();
          browser.driver().findElement(By.id("sessions-toggle")).click();
          return null;
        });
  }

  /** {@code GET api/sessions} as {@code user}: the body. */
  private static String ownSessions(TetherServer.Credentials user) {
    try {
      java.net.http.HttpResponse<String> response =
          TetherServer.httpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(TetherServer.uri("api/sessions"))
                      .header("Authorization", user.basicAuthorization())
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      return response.body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static WebElement panelRow(Browser browser, String id) {
    return browser.waitFor(
        LIVE,
        "a panel row for " + id,
        d ->
            d
                .findElements(
                    By.cssSelector("#sessions-list li.session-row[data-session-id='" + id + "']"))
                .stream()
                .findFirst()
                .orElse(null));
  }

  private static void fail(Browser browser, Throwable failure) {
    failure.addSuppressed(
        new AssertionError(browser.screenshot("failure") + "\n" + browser.consoleLog()));
  }

  @Test
  void theSessionsPanelSwitchesReattachesAndEndsSessionsAcrossTabs() {
    try (Browser browser = Browser.launch(WORK_DIR.resolve("panel"))) {
      try {
        WebDriver driver = browser.driver();
        BrowserTerminal tabA = openTerminal(browser, "index.html", ALICE);
        tabA.awaitStatus("connected", CONNECT);
        String sessionA = tabA.sessionId();
        tabA.type("echo tab-a-$((40+2))", Keys.ENTER);
        tabA.awaitVisible("tab-a-42", LIVE);
        String windowA = driver.getWindowHandle();

        // A second tab: session A is attached in tab A, so nothing is offered; it starts its own.
        driver.switchTo().newWindow(WindowType.TAB);
        BrowserTerminal tabB = openTerminal(browser, "index.html", ALICE);
        tabB.awaitStatus("connected", CONNECT);
        String sessionB = tabB.sessionId();
        assertNotEquals(sessionA, sessionB);
        tabB.type("echo tab-b-$((50+5))", Keys.ENTER);
        tabB.awaitVisible("tab-b-55", LIVE);

        openPanel(browser);
        awaitPanel(browser, Set.of(sessionA, sessionB));
        WebElement rowA = panelRow(browser, sessionA);
        assertEquals("attached", rowA.getAttribute("data-state"));
        assertEquals("true", panelRow(browser, sessionB).getAttribute("data-current"));
        assertTrue(rowA.getText().contains("bash"), rowA.getText());
        browser.screenshotTo(SCREENSHOTS.resolve("sessions-panel.png"));

        // Switch tab B to session A, attached in tab A: both show it.
        rowA.findElement(By.cssSelector("button.open.switch")).click();
        tabB.pageChanged();
        tabB.waitFor(CONNECT, "tab B on session A", d -> sessionA.equals(tabB.sessionId()));
        tabB.awaitStatus("connected", CONNECT);
        tabB.awaitVisible("tab-a-42", LIVE);

        // Session B is now detached: reattach it here.
        openPanel(browser);
        awaitPanel(browser, Set.of(sessionA, sessionB));
        WebElement rowB = panelRow(browser, sessionB);
        browser.waitFor(
            LIVE,
            "session B to read detached",
            d -> "detached".equals(panelRow(browser, sessionB).getAttribute("data-state")));
        panelRow(browser, sessionB).findElement(By.cssSelector("button.open.reattach")).click();
        tabB.pageChanged();
        tabB.waitFor(CONNECT, "tab B back on session B", d -> sessionB.equals(tabB.sessionId()));
        tabB.awaitStatus("connected", CONNECT);
        tabB.awaitVisible("tab-b-55", LIVE);

        // End session B from its own tab's panel.
        openPanel(browser);
        panelRow(browser, sessionB).findElement(By.cssSelector("button.end")).click();
        tabB.waitFor(LIVE, "#ended in tab B", d -> tabB.isDisplayed("ended"));
        assertEquals("You ended this session.", tabB.text("ended-sentence"));
        assertEquals(
            "4020",
            driver.findElement(By.id("ended")).getAttribute("data-code"),
            "ended by its user, not killed by an administrator");
        awaitPanel(browser, Set.of(sessionA));

        // Tab A closes: its session is detached; a new tab is offered it instead of a new shell.
        String windowB = driver.getWindowHandle();
        driver.switchTo().newWindow(WindowType.TAB);
        String windowC = driver.getWindowHandle();
        driver.switchTo().window(windowB);
        driver.close();
        driver.switchTo().window(windowA);
        driver.close();
        driver.switchTo().window(windowC);
        browser.waitFor(
            LIVE, "session A detached", d -> ownSessions(ALICE).contains("\"state\":\"detached\""));
        BrowserTerminal tabC = openTerminal(browser, "index.html", ALICE);
        tabC.waitFor(CONNECT, "the reattach offer", d -> tabC.isDisplayed("offer"));
        WebElement offered =
            browser.waitFor(
                LIVE,
                "session A offered",
                d ->
                    d
                        .findElements(
                            By.cssSelector(
                                "#offer-list li[data-session-id='" + sessionA + "'] button.open"))
                        .stream()
                        .findFirst()
                        .orElse(null));
        assertEquals(null, tabC.sessionId(), "nothing started while the offer shows");
        offered.click();
        tabC.awaitStatus("connected", CONNECT);
        assertEquals(sessionA, tabC.sessionId());
        tabC.awaitVisible("tab-a-42", LIVE);
        tabC.type("exit", Keys.ENTER);
        tabC.waitFor(LIVE, "#ended after exit", d -> tabC.isDisplayed("ended"));
        assertEquals("ok", driver.findElement(By.id("ended")).getAttribute("data-tone"));
      } catch (Throwable failure) {
        fail(browser, failure);
        throw failure;
      }
    }
  }

  @Test
  void everyPageNamesTheUserAndLogsOutAndANonAdminGetsAProper403Page() {
    try (Browser browser = Browser.launch(WORK_DIR.resolve("logout"))) {
      try {
        BrowserTerminal page = openTerminal(browser, "index.html?new", BOB);
        page.awaitStatus("connected", CONNECT);
        page.waitFor(LIVE, "the user's name", d -> "bob".equals(page.text("user-name")));

        browser.driver().get(app() + "admin.html");
        page.pageChanged();
        page.waitFor(
            LIVE,
            "the 403 page",
            d -> d.findElement(By.tagName("h1")).getText().contains("Not allowed (403)"));
        page.waitFor(
            LIVE, "the user's name on the 403 page", d -> "bob".equals(page.text("user-name")));
        assertTrue(page.text("refusal").contains("admin role"), page.text("refusal"));
        browser.screenshot("forbidden");

        browser.driver().findElement(By.id("logout")).click();
        page.waitFor(
            CONNECT, "the login form after logging out", d -> page.isDisplayed("j_username"));
        browser.driver().get(app() + "index.html?new");
        page.waitFor(CONNECT, "the login form again", d -> page.isDisplayed("j_username"));
      } catch (Throwable failure) {
        fail(browser, failure);
        throw failure;
      }
    }
  }

  @Test
  void linksSearchTitleAndThemesWorkAndSettingsAreKeptPerUser() {
    try (Browser browser = Browser.launch(WORK_DIR.resolve("features"))) {
      try {
        WebDriver driver = browser.driver();
        BrowserTerminal page = openTerminal(browser, "index.html?new", BOB);
        page.awaitStatus("connected", CONNECT);

        // The tab title follows the shell's OSC 2.
        page.type("printf '\\033]2;%s\\007' tab-title-$((6*7))", Keys.ENTER);
        page.waitFor(LIVE, "the tab title", d -> d.getTitle().startsWith("tab-title-42"));

        // Search the scrollback: Ctrl+Shift+F, a hit selects it; a miss says so.
        page.type("clear; echo needle-$((300+33)); seq 1 200", Keys.ENTER);
        page.awaitLines("200 after the needle", LIVE, lines -> lines.contains("200"));
        String terminalBox = terminalBox(browser, page);
        new Actions(driver)
            .keyDown(Keys.CONTROL)
            .keyDown(Keys.SHIFT)
            .sendKeys("f")
            .keyUp(Keys.SHIFT)
            .keyUp(Keys.CONTROL)
            .perform();
        page.waitFor(LIVE, "the search box", d -> page.isDisplayed("search-input"));
        // The box floats over the terminal: opening it resizes nothing, so the shell is not
        // told of new rows and xterm.js keeps the selection a hit makes (it drops it when the
        // rows change).
        assertEquals(terminalBox, terminalBox(browser, page), "the terminal after opening search");
        WebElement input = driver.findElement(By.id("search-input"));
        input.sendKeys("needle-333", Keys.ENTER);
        page.waitFor(
            LIVE,
            "a search hit",
            d -> "true".equals(d.findElement(By.id("search-status")).getAttribute("data-found")));
        assertEquals("needle-333", page.onTerminal("function () { return this.getSelection(); }"));
        browser.screenshot("search-hit");
        input.clear();
        input.sendKeys("haystack-none", Keys.ENTER);
        page.waitFor(
            LIVE,
            "no match",
            d -> "false".equals(d.findElement(By.id("search-status")).getAttribute("data-found")));
        input.sendKeys(Keys.ESCAPE);
        page.waitFor(LIVE, "the search box to close", d -> !page.isDisplayed("search-input"));

        // A plain URL printed by the shell is a link: hovering and clicking it opens it.
        String target = app() + "login.html?from=terminal";
        page.type("clear; echo " + target, Keys.ENTER);
        page.awaitLines("the URL", LIVE, lines -> lines.stream().anyMatch(l -> l.equals(target)));
        clickTerminalText(browser, page, target);
        String terminalWindow = driver.getWindowHandle();
        page.waitFor(LIVE, "a tab for the link", d -> d.getWindowHandles().size() == 2);
        String linkWindow =
            driver.getWindowHandles().stream()
                .filter(h -> !h.equals(terminalWindow))
                .findFirst()
                .get();
        driver.switchTo().window(linkWindow);
        page.waitFor(LIVE, "the link's page", d -> d.getCurrentUrl().equals(target));
        driver.close();
        driver.switchTo().window(terminalWindow);

        // Themes and font size from the settings menu, kept for this user across a reload.
        page.type(
            "clear; ls --color=always -d / /tmp; echo -e '\\e[32mgreen\\e[0m \\e[1;34mblue\\e[0m'",
            Keys.ENTER);
        page.awaitVisible("green", LIVE);
        browser.screenshotTo(SCREENSHOTS.resolve("terminal-dark.png"));
        driver.findElement(By.id("settings-toggle")).click();
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("setting-theme")))
            .selectByValue("light");
        js(
            browser,
            "const input = document.getElementById('setting-font-size'); input.value = '16';"
                + " input.dispatchEvent(new Event('change'));");
        page.waitFor(
            LIVE,
            "the light theme",
            d -> "light".equals(js(browser, "return document.body.dataset.theme;")));
        driver.findElement(By.id("settings-toggle")).click();
        browser.screenshotTo(SCREENSHOTS.resolve("terminal-light.png"));
        String stored = (String) js(browser, "return localStorage.getItem('tether.settings.bob');");
        assertTrue(
            stored.contains("\"theme\":\"light\"") && stored.contains("\"fontSize\":16"), stored);

        driver.navigate().refresh();
        page.pageChanged();
        page.awaitStatus("connected", CONNECT);
        assertEquals("light", js(browser, "return document.body.dataset.theme;"));
        assertEquals(16L, page.onTerminal("function () { return this.options.fontSize; }"));

        // WebGL draws the terminal; when its context is lost, the DOM renderer takes over.
        assertEquals("webgl", js(browser, "return window.tether.renderer();"));
        js(
            browser,
            "for (const c of document.querySelectorAll('#terminal canvas')) {"
                + " const gl = c.getContext('webgl2');"
                + " if (gl) gl.getExtension('WEBGL_lose_context').loseContext(); }");
        page.waitFor(
            LIVE,
            "the DOM renderer",
            d -> "dom".equals(js(browser, "return window.tether.renderer();")));
        page.type("echo still-drawn-$((5*5))", Keys.ENTER);
        page.awaitVisible("still-drawn-25", LIVE);
        // The DOM renderer draws on its next animation frame, a moment after the buffer has it.
        page.waitFor(
            LIVE,
            "the line drawn in the DOM renderer's rows",
            d ->
                ((String)
                        js(
                            browser,
                            "return document.querySelector('#terminal .xterm-rows').innerText;"))
                    .contains("still-drawn-25"));

        page.type("exit", Keys.ENTER);
        page.waitFor(LIVE, "#ended after exit", d -> page.isDisplayed("ended"));
      } catch (Throwable failure) {
        fail(browser, failure);
        throw failure;
      }
    }
  }

  /** The terminal element's size on the page, and the terminal's columns and rows. */
  private static String terminalBox(Browser browser, BrowserTerminal page) {
    return js(
            browser,
            "const r = document.getElementById('terminal').getBoundingClientRect();"
                + " return r.width + ' x ' + r.height;")
        + " px, "
        + page.onTerminal("function () { return this.cols + ' x ' + this.rows; }")
        + " cells";
  }

  /** Moves the mouse over {@code text} in the terminal's rows in view, then clicks it. */
  @SuppressWarnings("unchecked")
  private static void clickTerminalText(Browser browser, BrowserTerminal page, String text) {
    List<String> lines = page.screenLines();
    Map<String, Object> buffer =
        (Map<String, Object>)
            page.onTerminal(
                "function () { const b = this.buffer.active;"
                    + " return { viewportY: b.viewportY, cols: this.cols, rows: this.rows }; }");
    int row = -1;
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).contains(text)) {
        row = i - ((Number) buffer.get("viewportY")).intValue();
        break;
      }
    }
    assertTrue(row >= 0, "the text is not in view: " + lines);
    int column = lines.get(row + ((Number) buffer.get("viewportY")).intValue()).indexOf(text) + 3;
    Map<String, Object> box =
        (Map<String, Object>)
            js(
                browser,
                "const r = document.querySelector('#terminal .xterm-screen').getBoundingClientRect();"
                    + " return {x: r.left, y: r.top, w: r.width, h: r.height};");
    double cellWidth =
        ((Number) box.get("w")).doubleValue() / ((Number) buffer.get("cols")).intValue();
    double cellHeight =
        ((Number) box.get("h")).doubleValue() / ((Number) buffer.get("rows")).intValue();
    int x = (int) (((Number) box.get("x")).doubleValue() + (column + 0.5) * cellWidth);
    int y = (int) (((Number) box.get("y")).doubleValue() + (row + 0.5) * cellHeight);
    WebElement body = browser.driver().findElement(By.tagName("body"));
    Map<String, Object> bodyBox =
        (Map<String, Object>)
            js(
                browser,
                "const r = document.body.getBoundingClientRect(); return {w: r.width, h: r.height};");
    int fromCenterX = x - (int) (((Number) bodyBox.get("w")).doubleValue() / 2);
    int fromCenterY = y - (int) (((Number) bodyBox.get("h")).doubleValue() / 2);
    new Actions(browser.driver()).moveToElement(body, fromCenterX, fromCenterY).perform();
    new Actions(browser.driver()).moveToElement(body, fromCenterX + 2, fromCenterY).perform();
    page.waitFor(
        LIVE,
        "the link under the mouse",
        d ->
            Boolean.TRUE.equals(
                js(
                    browser,
                    "return document.querySelector('#terminal .xterm-screen')"
                        + ".classList.contains('xterm-cursor-pointer');")));
    new Actions(browser.driver()).click().perform();
  }

  @Test
  void theTouchKeyBarSendsEscapeAndCtrlCAtAPhonesWidth() {
    try (Browser browser = Browser.launch(WORK_DIR.resolve("phone"))) {
      try {
        browser.cdp(
            "Emulation.setDeviceMetricsOverride",
            Map.of("width", 390, "height", 844, "deviceScaleFactor", 2, "mobile", true));
        browser.cdp(
            "Emulation.setTouchEmulationEnabled", Map.of("enabled", true, "maxTouchPoints", 5));
        BrowserTerminal page = openTerminal(browser, "index.html?new", BOB);
        page.awaitStatus("connected", CONNECT);
        page.waitFor(LIVE, "the key bar", d -> page.isDisplayed("key-bar"));

        // The terminal in raw mode shows each byte it gets: Esc from the bar...
        // RAW-2 is printed once the terminal is raw: a key sent before would reach bash instead.
        page.type(RAW_BYTE, Keys.ENTER);
        awaitRawMode(page, 1);
        keyBarButton(browser, "esc").click();
        page.awaitLines("the byte of Esc", LIVE, lines -> lines.contains(" 1b"));

        // ... and Ctrl (sticky) from the bar, then c from the keyboard: Ctrl-C.
        page.type(RAW_BYTE, Keys.ENTER);
        awaitRawMode(page, 2);
        WebElement ctrl = keyBarButton(browser, "ctrl");
        ctrl.click();
        assertEquals("true", ctrl.getAttribute("aria-pressed"));
        new Actions(browser.driver()).sendKeys("c").perform();
        page.awaitLines("the byte of Ctrl-C", LIVE, lines -> lines.contains(" 03"));
        assertEquals("false", ctrl.getAttribute("aria-pressed"));
        page.type("echo on-a-phone-$((7*6))", Keys.ENTER);
        page.awaitVisible("on-a-phone-42", LIVE);
        browser.screenshotTo(SCREENSHOTS.resolve("terminal-phone.png"));
        page.type("exit", Keys.ENTER);
        page.waitFor(LIVE, "#ended after exit", d -> page.isDisplayed("ended"));
      } catch (Throwable failure) {
        fail(browser, failure);
        throw failure;
      }
    }
  }

  /** Shows the next byte the terminal gets, in hex, with the terminal raw while it waits. */
  private static final String RAW_BYTE =
      "stty raw -echo; printf 'RAW-%d\\r\\n' $((1+1)); head -c1 | od -An -tx1; stty sane";

  /** Waits until the {@code n}th {@link #RAW_BYTE} has made the terminal raw. */
  private static void awaitRawMode(BrowserTerminal page, int n) {
    page.awaitLines(
        "raw mode, " + n + " time(s)",
        LIVE,
        lines -> lines.stream().filter(l -> l.startsWith("RAW-2")).count() == n);
  }

  private static WebElement keyBarButton(Browser browser, String key) {
    return browser.driver().findElement(By.cssSelector("#key-bar button[data-key='" + key + "']"));
  }

  @Test
  void adminRowsFollowTheSessionLiveAndTheObservedUserIsTold() {
    try (Browser adminBrowser = Browser.launch(WORK_DIR.resolve("admin"));
        Browser aliceBrowser = Browser.launch(WORK_DIR.resolve("observed"))) {
      try {
        BrowserTerminal alice = openTerminal(aliceBrowser, "index.html?new", ALICE);
        alice.awaitStatus("connected", CONNECT);
        String session = alice.sessionId();

        adminBrowser.driver().get(app() + "admin.html");
        new BrowserTerminal(adminBrowser).logIn(ADMIN);
        AdminConsole console = new AdminConsole(adminBrowser);
        console.awaitLive(CONNECT);
        console.awaitRow(session, LIVE);
        String listings =
            "return performance.getEntriesByType('resource')"
                + ".filter((e) => e.name.includes('api/admin/sessions')).length;";
        js(adminBrowser, "window.__sameConsole = true;");
        Object listedBefore = js(adminBrowser, listings);
        String outputBefore = console.cell(session, "output-bytes");

        // Output, last activity and the foreground command change on the console, without a reload,
        // about once a second while the session prints (the idle sweep alone would every 30 s).
        alice.type(
            "echo grow-$((2*21)); for i in 1 2 3 4 5 6 7 8 9 10; do echo tick-$i; sleep 0.5; done;"
                + " sleep 25",
            Keys.ENTER);
        alice.awaitVisible("grow-42", LIVE);
        Set<String> outputsSeen = new java.util.LinkedHashSet<>();
        console.waitFor(
            LIVE,
            "the running command on the console",
            d -> {
              outputsSeen.add(console.cell(session, "output-bytes"));
              return console.cell(session, "command").contains("sleep 25");
            });
        outputsSeen.remove(outputBefore);
        assertTrue(
            outputsSeen.size() >= 3,
            "the output column changed only " + outputsSeen.size() + " time(s): " + outputsSeen);
        assertEquals(Boolean.TRUE, js(adminBrowser, "return window.__sameConsole === true;"));
        assertEquals(listedBefore, js(adminBrowser, listings), "the console listed again");
        adminBrowser.screenshotTo(SCREENSHOTS.resolve("admin-console.png"));
        alice.type("");
        new Actions(aliceBrowser.driver())
            .keyDown(Keys.CONTROL)
            .sendKeys("c")
            .keyUp(Keys.CONTROL)
            .perform();

        // The administrator observes: alice's page says who watches, above the terminal.
        String consoleWindow = console.observe(session);
        BrowserTerminal observer = new BrowserTerminal(adminBrowser);
        observer.waitFor(
            CONNECT, "the observer connected", d -> "connected".equals(observer.status()));
        WebElement notice = alice.awaitBannerRow("observed", LIVE);
        assertTrue(notice.getText().contains("administrator (admin)"), notice.getText());
        Map<String, Object> noticeBox = box(aliceBrowser, "#banner");
        Map<String, Object> terminalBox = box(aliceBrowser, "#terminal");
        assertTrue(
            ((Number) noticeBox.get("bottom")).doubleValue()
                <= ((Number) terminalBox.get("top")).doubleValue() + 0.5,
            "the notice covers the terminal: " + noticeBox + " over " + terminalBox);
        aliceBrowser.screenshot("observed");

        // The observer leaves: the notice goes.
        adminBrowser.driver().close();
        adminBrowser.driver().switchTo().window(consoleWindow);
        alice.waitFor(
            LIVE, "the observed notice to go", d -> alice.bannerRows("observed").isEmpty());

        // A notice says which administrator sent it.
        postNotice(session, "Back in five minutes.");
        WebElement broadcast = alice.awaitBannerRow("broadcast", LIVE);
        assertTrue(
            broadcast.getText().contains("Notice from administrator admin: Back in five minutes."),
            broadcast.getText());

        // A failing command's exit reads as an error, not as a clean end.
        alice.type("exit 3", Keys.ENTER);
        alice.waitFor(LIVE, "#ended after exit 3", d -> alice.isDisplayed("ended"));
        assertEquals(
            "error", aliceBrowser.driver().findElement(By.id("ended")).getAttribute("data-tone"));
        console.awaitNoRow(session, LIVE);
      } catch (Throwable failure) {
        fail(adminBrowser, failure);
        fail(aliceBrowser, failure);
        throw failure;
      }
    }
  }

  /** An administrator's notice to one session, through the admin API. */
  private static void postNotice(String session, String message) {
    try {
      java.net.http.HttpResponse<String> response =
          TetherServer.httpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          TetherServer.uri("api/admin/sessions/" + session + "/notice"))
                      .header("Authorization", ADMIN.basicAuthorization())
                      .header("Content-Type", "application/json")
                      .POST(
                          java.net.http.HttpRequest.BodyPublishers.ofString(
                              jakarta.json.Json.createObjectBuilder()
                                  .add("message", message)
                                  .build()
                                  .toString()))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> box(Browser browser, String selector) {
    return (Map<String, Object>)
        js(
            browser,
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
                + " return {top: r.top, bottom: r.bottom};",
            selector);
  }
}
