package io.tether.it;

import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.SeqOutput;
import io.tether.it.support.ServerLog;
import io.tether.it.support.ServerProcess;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The terminal protocol against the real EAR on a real WildFly, with real shells. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TerminalProtocolIT {
  private static final Duration SECONDS_20 = Duration.ofSeconds(20);

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void echoesWhatIsTyped() {
    try (Terminal t = Terminal.open(ALICE)) {
      t.type("echo hello-$((40+2))\r");
      t.awaitOutput("hello-42");
      t.exitShell();
    }
  }

  @Test
  void seqSurvivesTwentyForcedDisconnectsWithNothingLostOrDoubled() {
    try (Terminal t = Terminal.open(ALICE)) {
      int dropsMidStream =
          SeqOutput.cutWhileStreaming(
              t,
              300_000,
              20,
              drop -> {
                JsonObject attached = t.reconnect();
                assertEquals(0, attached.getJsonNumber("dropped").longValue());
              });
      assertTrue(dropsMidStream >= 20, dropsMidStream + " drops before the end");
      t.exitShell();
    }
  }

  @Test
  void inputTypedWhileDisconnectedIsAppliedOnceAfterTheResume() {
    try (Terminal t = Terminal.open(ALICE)) {
      t.type("echo first-$((1+1))\r");
      t.awaitOutput("first-2");
      t.drop();
      t.type("echo queued-$((2+3))\r");
      JsonObject attached = t.connect().expectAttached();
      t.awaitOutput("queued-5");
      t.type("echo after-$((3+4))\r");
      t.awaitOutput("after-7");
      assertEquals(1, count(t.output(), "queued-5"));
      assertTrue(attached.getJsonNumber("inputAcked").longValue() > 0);
      t.exitShell();
    }
  }

  @Test
  void inputResentFromTheStartIsNotAppliedAgain() {
    try (Terminal t = Terminal.open(ALICE)) {
      t.type("echo once-$((2+3))\r");
      t.awaitOutput("once-5");
      t.resendAllInput();
      t.type("echo marker-$((6+6))\r");
      t.awaitOutput("marker-12");
      assertEquals(1, count(t.output(), "once-5"));
      t.exitShell();
    }
  }

  @Test
  void aNewClientResumesFromASavedIdAndOffsetExactly() {
    try (Terminal first = Terminal.open(ALICE)) {
      first.type("PS1='$ '; seq 1 2000; echo END-$((9+9))\r");
      first.awaitOutput(s -> s.endsWith("$ ") && s.contains("END-18"), SECONDS_20, "the prompt");
      byte[] all = first.outputBytes();
      int saved = all.length / 2;
      first.drop();

      try (Terminal reloaded = Terminal.resume(ALICE, first.sessionId(), saved)) {
        JsonObject attached = reloaded.connect().expectAttached();
        assertEquals(saved, attached.getJsonNumber("replayFrom").longValue());
        assertEquals(0, attached.getJsonNumber("dropped").longValue());
        reloaded.awaitOutput(
            s -> reloaded.outputEnd() >= all.length, SECONDS_20, "the replay up to the old end");
        byte[] replay = reloaded.outputBytes();
        assertEquals(
            new String(all, saved, all.length - saved, StandardCharsets.UTF_8),
            new String(replay, 0, all.length - saved, StandardCharsets.UTF_8));
        reloaded.exitShell();
      }
    }
  }

  @Test
  void aResumePointOverwrittenInTheLogIsReportedAsDropped() {
    try (Terminal first = Terminal.open(ALICE)) {
      // About 6.9 MB: more than the 4 MiB log holds.
      first.type("seq 1 1000000 > /dev/null; seq 1 1000000; echo BIG-$((5+5))\r");
      first.awaitOutput(s -> s.contains("BIG-10"), Duration.ofSeconds(60), "the big output");
      first.drop();
      try (Terminal late = Terminal.resume(ALICE, first.sessionId(), 0)) {
        JsonObject attached = late.connect().expectAttached();
        long dropped = attached.getJsonNumber("dropped").longValue();
        long replayFrom = attached.getJsonNumber("replayFrom").longValue();
        assertEquals(replayFrom, dropped);
        // The head from the same answer: the prompt after BIG-10 may have come after the drop.
        long head = attached.getJsonNumber("head").longValue();
        assertTrue(head >= first.outputEnd(), "the head is past what the first client saw");
        assertEquals(head - 4 * 1024 * 1024, replayFrom);
        late.exitShell();
      }
    }
  }

  @Test
  void theShellsExitCodeIsDeliveredAndRemembered() {
    Terminal t = Terminal.open(ALICE);
    t.type("echo bye; exit 3\r");
    Terminal.Closed closed = t.connection().expectClosed();
    assertEquals(4006, closed.code());
    assertEquals("The shell exited with code 3.", closed.reason());
    assertTrue(t.output().contains("bye"));
    assertTrue(
        t.messages().stream()
            .anyMatch(m -> m.getString("type").equals("exit") && m.getInt("code") == 3));
    // Coming back to the ended session says why it ended.
    Terminal.Closed again = t.connect().expectClosed();
    assertEquals(4006, again.code());
  }

  @Test
  void aCharacterSplitAcrossTwoPtyReadsArrivesIntact() {
    try (Terminal t = Terminal.open(ALICE)) {
      t.type("printf '<\\xe2\\x82'; sleep 0.3; printf '\\xac>\\n'\r");
      t.awaitOutput("<€>");
      t.exitShell();
    }
  }

  @Test
  void noShellOutlivesItsSession() throws Exception {
    Terminal t = Terminal.open(BOB);
    t.type("sleep 600 & echo started-$((2*4))\r");
    t.awaitOutput("started-8");
    String session = t.sessionId();
    t.exitShell();
    // The background job ignored nothing, but it sat in its own process group: it must be gone.
    ServerProcess.awaitNoProcessOf(session, Duration.ofSeconds(10));
  }

  /** The output's lines that are bare numbers must be exactly 1..n, in order. */
  @Test
  void aSilentlyDeadClientIsDetachedWithinThreeHeartbeatsAndTheSessionLivesOn() throws Exception {
    // This server beats every second (see arquillian.xml), so three missed beats take 3 s.
    try (Terminal t = Terminal.open(ALICE)) {
      JsonObject attached = t.messages().get(0);
      assertEquals(1000, attached.getJsonNumber("heartbeatMillis").longValue());
      t.awaitMessage("heartbeat", null, 1, SECONDS_20);
      long silentSince = System.nanoTime();
      t.mute(true);
      Terminal.Closed closed = t.connection().expectClosed();
      long silentMillis = (System.nanoTime() - silentSince) / 1_000_000;
      assertEquals(4007, closed.code());
      assertTrue(silentMillis >= 2_000 && silentMillis < 10_000, "detected after " + silentMillis);
      // Whichever rule sees it first: no frame for three beats, or output it never acknowledged
      // (the shell may print after the client fell silent).
      ServerLog.awaitLine(
          "session "
              + Pattern.quote(t.sessionId())
              + ": client ws-\\S+ (silent for \\d+ ms|acknowledged nothing for)",
          SECONDS_20);
      // The session itself was never touched: the client resumes it.
      t.mute(false);
      t.connect().expectAttached();
      t.type("echo back-$((8*8))\r");
      t.awaitOutput("back-64");
      t.exitShell();
    }
  }

  static int count(String text, String needle) {
    int count = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      count++;
    }
    return count;
  }
}
