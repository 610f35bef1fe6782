package io.tether.it.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium for the browser ITs: Debian's {@code chromium} and {@code chromedriver}
 * packages at fixed paths, with a fresh profile under {@code target/}. Nothing is downloaded: the
 * driver executable and the browser binary are given explicitly, so Selenium Manager never runs.
 *
 * <p>A missing browser fails the test (CI installs it: {@code .ci/run}); it is never a skip.
 */
public final class Browser implements AutoCloseable {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final Path profile;
  private final Path screenshots;
  private int screenshotNumber;

  private Browser(
      ChromeDriverService service, ChromeDriver driver, Path profile, Path screenshots) {
    this.service = service;
    this.driver = driver;
    this.profile = profile;
    this.screenshots = screenshots;
  }

  /**
   * Starts Chromium with a fresh profile under {@code workDir}; screenshots go to {@code
   * workDir/*.png}.
   */
  public static Browser launch(Path workDir) {
    for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(binary)) {
        throw new AssertionError(
            binary
                + " is missing: the browser ITs need Debian's Chromium"
                + " (apt-get install -y chromium chromium-driver; .ci/run does it)");
      }
    }
    Path profile;
    try {
      Files.createDirectories(workDir);
      profile = Files.createTempDirectory(workDir, "chromium-profile-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800",
        "--user-data-dir=" + profile.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);

    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            // chromedriver's own log is noise here; failures report the page's console instead.
            .withLogOutput(new PrintStream(OutputStream.nullOutputStream()))
            .build();
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      deleteRecursively(profile);
      throw e;
    }
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return new Browser(service, driver, profile, workDir);
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Waits for {@code condition} to return something other than null or false. */
  public <T> T waitFor(Duration timeout, String description, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, timeout, Duration.ofMillis(100)).until(condition);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "timed out after " + timeout.toSeconds() + " s waiting for " + description, e);
    }
  }

  /** Saves a PNG of the window as {@code NN-name.png} and returns its path. */
  public Path screenshot(String name) {
    Path file = screenshots.resolve(String.format("%02d-%s.png", ++screenshotNumber, name));
    try {
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Saves a PNG of the window as {@code file} (its directory is made if missing). */
  public Path screenshotTo(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The page's console messages since the last call (for failure reports). */
  public String consoleLog() {
    try {
      return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
          .map(LogEntry::toString)
          .collect(Collectors.joining("\n"));
    } catch (RuntimeException e) {
      return "(console log unavailable: " + e.getMessage() + ")";
    }
  }

  /** A DevTools protocol command on the current tab (chromedriver's own CDP session). */
  public Map<String, Object> cdp(String method, Map<String, Object> params) {
    return driver.executeCdpCommand(method, params);
  }

  /** Quits the browser and the driver, and deletes the profile, whatever fails along the way. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try {
        service.stop();
      } finally {
        deleteRecursively(profile);
      }
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the browser profile " + root, e);
    }
  }
}
