package io.tether.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The explicit unsafe single-user mode is never silent: a warning at every start. */
class UnsafeModeTest {
  @Test
  void everyStartInTheUnsafeModeLogsAWarning() {
    List<LogRecord> records = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger(ShellIsolation.class.getName());
    logger.addHandler(capture);
    try {
      for (int start = 0; start < 2; start++) {
        ShellIsolation isolation =
            ShellIsolation.start(UnsafeConfig.of("tether-test"), "test-server");
        assertTrue(isolation.unsafe());
      }
    } finally {
      logger.removeHandler(capture);
    }
    List<LogRecord> warnings = records.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
    assertEquals(2, warnings.size());
    assertTrue(warnings.get(0).getMessage().contains("unsafe-single-user"));
    assertTrue(warnings.get(0).getMessage().contains("server's own account"));
  }
}
