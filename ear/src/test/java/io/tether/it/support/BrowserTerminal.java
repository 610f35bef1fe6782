package io.tether.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;

/**
 * The Tether terminal page as a test sees it, through its public hooks only (web front end README,
 * "What the page promises"): {@code #status}, {@code #ended}, {@code #terminal} and the read-only
 * {@code window.tether.state()}.
 *
 * <p>Reading the screen: the page does not expose its xterm.js {@code Terminal}, and with the WebGL
 * renderer the screen is not DOM text. The page's one {@code Terminal} instance is found through
 * the DevTools protocol ({@code Runtime.queryObjects} on the prototype of the class the page
 * imported) and its {@code buffer.active} is read, without touching the page's globals or steering
 * anything: the rows in view ({@link #visibleText()}) or every line, scrollback included ({@link
 * #screenLines()}).
 */
public final class BrowserTerminal {
  /** A DevTools object group holding our handle on the page's Terminal; released on reload. */
  private static final String OBJECT_GROUP = "tether-browser-it";

  /**
   * The Terminal class the page imported: the same URL resolves to the same module instance, so its
   * prototype is the prototype of the page's terminal.
   */
  private static final String TERMINAL_PROTOTYPE =
      """
      (async () => {
        const page = document.querySelector('script[type=module][src*="terminal-page.js"]');
        if (!page) throw new Error('no terminal-page.js module script on this page');
        const xterm = await import(new URL('../vendor/xterm/xterm.mjs', page.src).href);
        return xterm.Terminal.prototype;
      })()
      """;

  /**
   * The whole active buffer (scrollback included) as logical lines: a row xterm wrapped is joined
   * to the row before it. Trailing blanks of each logical line are dropped.
   */
  private static final String READ_BUFFER =
      """
      function () {
        const buffer = this.buffer.active;
        const lines = [];
        for (let i = 0; i < buffer.length; i++) {
          const line = buffer.getLine(i);
          const text = line.translateToString(false);
          if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
          else lines.push(text);
        }
        return lines.map((l) => l.replace(/\\s+$/, ''));
      }
      """;

  /** Records every data-state #status takes, so a test sees even a short-lived "reconnecting". */
  private static final String RECORD_STATUS =
      """
      if (!window.__tetherItStatusLog) {
        const status = document.getElementById('status');
        const log = [status.dataset.state];
        const note = (state) => { if (log[log.length - 1] !== state) log.push(state); };
        new MutationObserver((records) => {
          records.forEach((record, i) => note(
              i + 1 < records.length ? records[i + 1].oldValue : status.dataset.state));
        }).observe(status, { attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
        window.__tetherItStatusLog = log;
      }
      """;

  private final Browser browser;
  private final ChromeDriver driver;
  private String terminalObjectId;

  public BrowserTerminal(Browser browser) {
    this.browser = browser;
    this.driver = browser.driver();
  }

  /** Fills in and submits the container's FORM login page, which is showing now. */
  public void logIn(TetherServer.Credentials user) {
    WebElement name = waitFor(Duration.ofSeconds(30), "the login form", d -> visible("j_username"));
    name.sendKeys(user.user());
    driver.findElement(By.id("j_password")).sendKeys(user.password());
    driver.findElement(By.cssSelector("form button[type=submit]")).click();
  }

  /** {@code #status}'s data-state: connecting, connected, reconnecting or ended. */
  public String status() {
    return (String)
        js("const s = document.getElementById('status'); return s ? s.dataset.state : null;");
  }

  public void awaitStatus(String state, Duration timeout) {
    waitFor(timeout, "#status data-state " + state, d -> state.equals(status()));
    String text = driver.findElement(By.id("status")).getText();
    if (!state.equals(text)) {
      throw new AssertionError("#status data-state is " + state + " but it reads '" + text + "'");
    }
  }

  /** {@code window.tether.state()}. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> state() {
    return (Map<String, Object>) js("return window.tether ? window.tether.state() : null;");
  }

  public String sessionId() {
    Map<String, Object> state = state();
    return state == null ? null : (String) state.get("sessionId");
  }

  /** Starts recording #status's states (idempotent per page load). */
  public void recordStatus() {
    js(RECORD_STATUS);
  }

  /** The states #status has taken since {@link #recordStatus()}, without repeats. */
  @SuppressWarnings("unchecked")
  public List<String> statusLog() {
    Object log = js("return window.__tetherItStatusLog || null;");
    if (log == null) {
      throw new IllegalStateException("recordStatus() was not called on this page");
    }
    return new ArrayList<>((List<String>) log);
  }

  /** Types like a user: clicks into the terminal, then sends the keys to what has the focus. */
  public void type(CharSequence... keys) {
    driver.findElement(By.id("terminal")).click();
    waitFor(
        Duration.ofSeconds(5),
        "the terminal to take the keyboard focus",
        d ->
            Boolean.TRUE.equals(
                js(
                    "return document.activeElement !== null"
                        + " && document.activeElement.classList.contains('xterm-helper-textarea');")));
    new Actions(driver).sendKeys(keys).perform();
  }

  /**
   * The text of the rows xterm shows now, as the user sees them, one line per row. Read from the
   * terminal's buffer (its rows in view), whichever renderer draws them: the WebGL renderer leaves
   * no text in the DOM.
   */
  public String visibleText() {
    String read =
        "function () { const b = this.buffer.active; const out = [];"
            + " for (let i = b.viewportY; i < b.viewportY + this.rows; i++) {"
            + " const line = b.getLine(i); out.push(line ? line.translateToString(true) : ''); }"
            + " return out.join('\\n'); }";
    try {
      return (String) onTerminal(read);
    } catch (WebDriverException e) {
      // The handle died with the page it came from (a reload): find the new terminal.
      terminalObjectId = null;
      return (String) onTerminal(read);
    }
  }

  /** Every line of the terminal's buffer, scrollback included, top to bottom. */
  @SuppressWarnings("unchecked")
  public List<String> screenLines() {
    Map<String, Object> result;
    try {
      result = readBuffer();
    } catch (WebDriverException e) {
      // The handle died with the page it came from (a reload): find the new terminal.
      terminalObjectId = null;
      result = readBuffer();
    }
    return (List<String>) ((Map<String, Object>) result.get("result")).get("value");
  }

  /**
   * Calls {@code functionDeclaration} (a {@code function () {...}} with the page's xterm Terminal
   * as {@code this}) and returns its value: for reading what the page does not expose otherwise,
   * such as the selection.
   */
  @SuppressWarnings("unchecked")
  public Object onTerminal(String functionDeclaration) {
    if (terminalObjectId == null) {
      terminalObjectId = findTerminal();
    }
    Map<String, Object> result =
        browser.cdp(
            "Runtime.callFunctionOn",
            Map.of(
                "objectId", terminalObjectId,
                "functionDeclaration", functionDeclaration,
                "returnByValue", true));
    failOnException("calling on the terminal", result);
    return ((Map<String, Object>) result.get("result")).get("value");
  }

  /** Waits until the buffer's lines satisfy {@code condition}; returns those lines. */
  public List<String> awaitLines(
      String description, Duration timeout, Predicate<List<String>> condition) {
    List<List<String>> last = new ArrayList<>(List.of(List.of()));
    try {
      return waitFor(
          timeout,
          description,
          d -> {
            List<String> lines = screenLines();
            last.set(0, lines);
            return condition.test(lines) ? lines : null;
          });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; the terminal shows:\n" + tail(last.get(0)), e);
    }
  }

  /** Waits until the rows in view contain {@code text}. */
  public void awaitVisible(String text, Duration timeout) {
    try {
      waitFor(timeout, "the terminal to show '" + text + "'", d -> visibleText().contains(text));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; it shows:\n" + visibleText(), e);
    }
  }

  /** Forgets the handle on the page's Terminal (call after navigating). */
  public void pageChanged() {
    if (terminalObjectId != null) {
      try {
        browser.cdp("Runtime.releaseObjectGroup", Map.of("objectGroup", OBJECT_GROUP));
      } catch (WebDriverException ignored) {
        // the page that held it is gone anyway
      }
      terminalObjectId = null;
    }
  }

  /** The banner rows of {@code kind} (reconnect, idle, consent, observed, broadcast) shown now. */
  public List<WebElement> bannerRows(String kind) {
    return driver.findElements(By.cssSelector("#banner .banner-row[data-kind='" + kind + "']"));
  }

  /** Waits for a banner row of {@code kind} and returns it. */
  public WebElement awaitBannerRow(String kind, Duration timeout) {
    return waitFor(
        timeout,
        "the " + kind + " banner",
        d -> bannerRows(kind).stream().findFirst().orElse(null));
  }

  public boolean isDisplayed(String id) {
    return visible(id) != null;
  }

  public String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  /** Waits for {@code condition} to return something other than null or false. */
  public <T> T waitFor(Duration timeout, String description, Function<WebDriver, T> condition) {
    return browser.waitFor(timeout, description, condition);
  }

  private Map<String, Object> readBuffer() {
    if (terminalObjectId == null) {
      terminalObjectId = findTerminal();
    }
    Map<String, Object> result =
        browser.cdp(
            "Runtime.callFunctionOn",
            Map.of(
                "objectId", terminalObjectId,
                "functionDeclaration", READ_BUFFER,
                "returnByValue", true));
    failOnException("reading the terminal buffer", result);
    return result;
  }

  @SuppressWarnings("unchecked")
  private String findTerminal() {
    Map<String, Object> prototype =
        browser.cdp(
            "Runtime.evaluate",
            Map.of(
                "expression", TERMINAL_PROTOTYPE,
                "awaitPromise", true,
                "objectGroup", OBJECT_GROUP));
    failOnException("finding xterm's Terminal class", prototype);
    String prototypeId = (String) ((Map<String, Object>) prototype.get("result")).get("objectId");
    Map<String, Object> found =
        browser.cdp(
            "Runtime.queryObjects",
            Map.of("prototypeObjectId", prototypeId, "objectGroup", OBJECT_GROUP));
    String arrayId = (String) ((Map<String, Object>) found.get("objects")).get("objectId");
    Map<String, Object> terminal =
        browser.cdp(
            "Runtime.callFunctionOn",
            Map.of(
                "objectId", arrayId,
                "functionDeclaration",
                    "function () {"
                        + " if (this.length !== 1) throw new Error('expected one xterm Terminal"
                        + " on the page, found ' + this.length);"
                        + " return this[0]; }",
                "objectGroup", OBJECT_GROUP));
    failOnException("finding the page's terminal", terminal);
    return (String) ((Map<String, Object>) terminal.get("result")).get("objectId");
  }

  @SuppressWarnings("unchecked")
  private static void failOnException(String what, Map<String, Object> result) {
    Object details = result.get("exceptionDetails");
    if (details != null) {
      Map<String, Object> map = (Map<String, Object>) details;
      Object exception = map.get("exception");
      String description =
          exception instanceof Map<?, ?> e ? String.valueOf(e.get("description")) : map.toString();
      throw new AssertionError(what + " failed in the page: " + description);
    }
  }

  private WebElement visible(String id) {
    List<WebElement> found = driver.findElements(By.id(id));
    return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
  }

  private Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private static String tail(List<String> lines) {
    List<String> nonEmpty = lines.stream().filter(l -> !l.isEmpty()).toList();
    return String.join("\n", nonEmpty.subList(Math.max(0, nonEmpty.size() - 40), nonEmpty.size()));
  }
}
