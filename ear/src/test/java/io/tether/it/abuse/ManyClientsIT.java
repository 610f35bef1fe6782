package io.tether.it.abuse;

import static io.tether.it.support.TetherServer.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hundreds of tabs on one session: every client's keystrokes are applied exactly once, whatever
 * comes and goes around it, and a client whose mark the session forgot is told, never guessed for.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ManyClientsIT {
  private static final int OTHERS = 300;

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  @Test
  void anAttachedTabKeepsTypingWhileThreeHundredOthersAttach() {
    try (Terminal tab = Terminal.open(ALICE)) {
      tab.type("echo before-$((1+1))\r");
      tab.awaitOutput("before-2");
      List<Terminal> others = new ArrayList<>();
      try {
        for (int i = 0; i < OTHERS; i++) {
          Terminal other = Terminal.resume(ALICE, tab.sessionId(), 0);
          other.connect().expectAttached();
          others.add(other);
        }
        tab.type("echo after-$((3+4))\r");
        tab.awaitOutput("after-7");
        assertFalse(tab.output().contains("skips bytes"));
      } finally {
        others.forEach(Terminal::close);
      }
      tab.exitShell();
    }
  }

  @Test
  void aTabAwayWhileThreeHundredOthersCameAndWentGetsItsMarkBackExactly() {
    try (Terminal first = Terminal.open(ALICE)) {
      Terminal away = Terminal.resume(ALICE, first.sessionId(), 0);
      away.connect().expectAttached();
      away.type("echo away-$((2+3))\r");
      away.awaitOutput("away-5");
      long typed = "echo away-$((2+3))\r".length();
      away.drop();
      for (int i = 0; i < OTHERS; i++) {
        Terminal other = Terminal.resume(ALICE, first.sessionId(), 0);
        other.connect().expectAttached();
        other.close();
      }
      JsonObject attached = away.connect().expectAttached();
      assertEquals(typed, attached.getJsonNumber("inputAcked").longValue());
      assertFalse(attached.getBoolean("inputForgotten"));
      away.type("echo back-$((3+4))\r");
      away.awaitOutput("back-7");
      away.close();
      first.exitShell();
      // The line was applied once: its echo and its output each appear once in the screen.
      assertEquals(1, count(first.output(), "back-7\r\n"));
    }
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }
}
