package io.tether.it.abuse;

import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.SeqOutput;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Random;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A blip is a flicker, never a lost line, at full output speed: {@code seq 1 2000000} (15 MB,
 * unpaced, nearly four times the 4 MiB log) through 200 abrupt drops at random moments, each
 * resumed at once. Whether the server noticed a drop before the client was back or not, the session
 * holds the shell back for the client's reconnect grace.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BlipUnderBulkIT {
  private static final int LINES = 2_000_000;
  private static final int DROPS = 200;

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void twoHundredAbruptDropsDuringFastOutputLoseNothing() throws InterruptedException {
    long seed = Long.getLong("tether.blip.seed", System.nanoTime());
    System.out.println("BlipUnderBulkIT seed " + seed + " (-Dtether.blip.seed to repeat)");
    Random random = new Random(seed);
    try (Terminal t = Terminal.open(ALICE)) {
      // Each drop lands at a random point of the stream: after 1 to 32 KiB more output.
      t.dropAfterMoreOutput(1 + random.nextInt(32 * 1024));
      t.type("seq 1 " + LINES + "; echo SEQ-$((1+1))\r");
      int drops = 0;
      while (drops < DROPS && t.awaitDropped(Duration.ofSeconds(30))) {
        drops++;
        if (drops < DROPS) {
          t.dropAfterMoreOutput(1 + random.nextInt(32 * 1024)); // armed before it resumes
        }
        JsonObject attached = t.connect().expectAttached();
        assertEquals(0, attached.getJsonNumber("dropped").longValue(), "after drop " + drops);
        assertTrue(!t.recentOutputContains("SEQ-2"), "the stream ended before drop " + drops);
      }
      assertTrue(drops == DROPS, "the stream outlasted " + DROPS + " drops, ended after " + drops);
      t.awaitOutput(s -> s.contains("SEQ-2"), Duration.ofSeconds(120), "the end of seq");
      assertEquals(0, t.resyncDropped());
      SeqOutput.assertExactSequence(t.output(), LINES);
    }
  }
}
