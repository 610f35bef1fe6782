package io.tether.it.support;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The admin console page ({@code admin.html}) as a test sees it, through its public hooks only (web
 * front end README): {@code #sessions} with one {@code tr[data-session-id]} per session and its
 * action buttons, {@code #nodes}, {@code #stream-status}, {@code #total} and {@code #admin-error}.
 */
public final class AdminConsole {
  private final Browser browser;
  private final ChromeDriver driver;

  public AdminConsole(Browser browser) {
    this.browser = browser;
    this.driver = browser.driver();
  }

  /** {@code #stream-status}'s data-state: connecting, live or reconnecting. */
  public String streamState() {
    return (String)
        js(
            "const s = document.getElementById('stream-status');"
                + " return s ? s.dataset.state : null;");
  }

  public void awaitLive(Duration timeout) {
    waitFor(timeout, "#stream-status live", d -> "live".equals(streamState()));
  }

  /** The rows showing {@code sessionId} (a correct page shows at most one). */
  public List<WebElement> rows(String sessionId) {
    return driver.findElements(By.cssSelector("#sessions tr[data-session-id='" + sessionId + "']"));
  }

  public WebElement awaitRow(String sessionId, Duration timeout) {
    return waitFor(
        timeout,
        "a row for session " + sessionId,
        d -> rows(sessionId).isEmpty() ? null : rows(sessionId).get(0));
  }

  public void awaitNoRow(String sessionId, Duration timeout) {
    waitFor(timeout, "the row of session " + sessionId + " to go", d -> rows(sessionId).isEmpty());
  }

  /** The text of the cell with class {@code cls} in the session's row. */
  public String cell(String sessionId, String cls) {
    return awaitRow(sessionId, Duration.ofSeconds(5)).findElement(By.className(cls)).getText();
  }

  /** Waits until the cell with class {@code cls} of the session's row reads {@code wanted}. */
  public void awaitCell(String sessionId, String cls, String wanted, Duration timeout) {
    waitFor(
        timeout,
        "." + cls + " of session " + sessionId + " to contain '" + wanted + "'",
        d -> {
          List<WebElement> rows = rows(sessionId);
          return !rows.isEmpty()
              && rows.get(0).findElement(By.className(cls)).getText().contains(wanted);
        });
  }

  /** Clicks the row's Kill button, answering its confirmation with yes. */
  public void kill(String sessionId) {
    js("window.confirm = () => true;");
    awaitRow(sessionId, Duration.ofSeconds(5)).findElement(By.cssSelector("button.kill")).click();
  }

  /** Clicks the row's Observe link, which opens a new window, and switches to that window. */
  public String observe(String sessionId) {
    String console = driver.getWindowHandle();
    int before = driver.getWindowHandles().size();
    awaitRow(sessionId, Duration.ofSeconds(5)).findElement(By.cssSelector("a.observe")).click();
    waitFor(
        Duration.ofSeconds(10), "the observer's window", d -> d.getWindowHandles().size() > before);
    String observer =
        driver.getWindowHandles().stream().filter(h -> !h.equals(console)).findFirst().get();
    driver.switchTo().window(observer);
    return console;
  }

  public String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  /** Waits for {@code condition} to return something other than null or false. */
  public <T> T waitFor(Duration timeout, String description, Function<WebDriver, T> condition) {
    return browser.waitFor(timeout, description, condition);
  }

  private Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }
}
