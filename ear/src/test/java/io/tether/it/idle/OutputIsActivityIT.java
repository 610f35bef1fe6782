package io.tether.it.idle;

import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With {@code tether.idle.output-is-activity=true} (for people who leave {@code tail -f} running on
 * purpose), output keeps a session alive; the other limits are those of {@link IdleSweepIT}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OutputIsActivityIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void outputKeepsTheSessionAliveAndItsEndStartsTheIdleClock() {
    Terminal t = Terminal.open(ALICE);
    // 40 ticks take at least 8 s, twice the 4-second limit, without a keystroke.
    t.type("for i in $(seq 1 40); do echo tick-$i; sleep 0.2; done; echo ticks-done\r");
    t.awaitOutput(s -> s.contains("ticks-done\r\n"), WAIT, "40 ticks");
    assertFalse(t.connection().closed.isDone());
    assertTrue(
        t.messages().stream().noneMatch(m -> "idle-warning".equals(m.getString("kind", ""))));
    // Once the output stops, the session goes idle like any other.
    t.awaitMessage("notice", "idle-warning", 1, WAIT);
    assertEquals(4008, t.connection().expectClosed().code());
  }
}
