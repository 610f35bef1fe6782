package io.tether.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/** The server's log (WildFly's or a Payara domain's), for tests of what Tether logs. */
public final class ServerLog {
  private ServerLog() {}

  public static String read() {
    Path base = Path.of(System.getProperty("tether.it.base.dir"));
    Path log = base.resolve("log").resolve("server.log"); // WildFly's base dir
    if (!Files.exists(log)) {
      log = base.resolve("logs").resolve("server.log"); // a Payara domain
    }
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + log, e);
    }
  }

  /** Waits until a line matching {@code regex} has been logged (logging is asynchronous). */
  public static void awaitLine(String regex, Duration timeout) throws InterruptedException {
    Pattern pattern = Pattern.compile("(?m)^.*" + regex + ".*$");
    Instant deadline = Instant.now().plus(timeout);
    while (!pattern.matcher(read()).find()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("the server never logged /" + regex + "/");
      }
      Thread.sleep(50); // polling a file: there is no event for "written"
    }
  }
}
