package io.tether.it;

import static io.tether.it.support.TetherServer.ADMIN;
import static io.tether.it.support.TetherServer.ALICE;
import static io.tether.it.support.TetherServer.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.it.support.ServerProcess;
import io.tether.it.support.Terminal;
import io.tether.it.support.TetherServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each user's shell is theirs alone, on the real server with its default isolation: alice's shell
 * runs as account {@code tether-alice}, sees nothing of the server or of bob, cannot signal the
 * server, keeps within its limits (the IT server sets 128 processes and 256 MiB per session), and
 * leaves nothing behind.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class IsolationIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static int marker;

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return TetherServer.builtEar();
  }

  /** Runs {@code command} in the terminal and returns what it printed. */
  private static String run(Terminal terminal, String command) {
    int n = ++marker;
    String begin = "<<" + n + ">>";
    String end = "<</" + n + ">>";
    // The markers are split in what is typed, so only the output of echo matches them.
    terminal.type("echo '<<'" + n + "'>>'; " + command + "; echo '<</'" + n + "'>>'\r");
    Pattern between =
        Pattern.compile(Pattern.quote(begin) + "\r\n(.*?)" + Pattern.quote(end), Pattern.DOTALL);
    terminal.awaitOutput(s -> between.matcher(s).find(), WAIT, "the output of " + command);
    Matcher m = between.matcher(terminal.output());
    assertTrue(m.find());
    return m.group(1).replace("\r", "");
  }

  @Test
  void aliceIsHerOwnAccountWithACleanEnvironment() {
    Terminal alice = Terminal.open(ALICE);
    assertEquals("tether-alice\n", run(alice, "whoami"));
    assertEquals("/home/tether-alice\n", run(alice, "echo $HOME"));
    String env = run(alice, "env | cut -d= -f1 | sort | tr '\\n' ' '; echo");
    assertEquals("COLORTERM HOME LANG LOGNAME PATH PWD SHELL SHLVL TERM USER _ \n", env);
    assertEquals("/usr/local/bin:/usr/bin:/bin tether-alice\n", run(alice, "echo $PATH $LOGNAME"));
    alice.exitShell();
  }

  @Test
  void theServersFilesProcessAndSecretsAreOutOfReach() {
    String baseDir = System.getProperty("tether.it.base.dir");
    long server = ServerProcess.jvm().pid();
    Terminal alice = Terminal.open(ALICE);
    String[] secrets = {
      baseDir + "/configuration/application-users.properties",
      baseDir + "/configuration/standalone-full.xml",
      baseDir + "/log/server.log",
      "/proc/" + server + "/cmdline", // where a -Dtether.cluster.secret would be
      "/proc/" + server + "/environ",
    };
    for (String secret : secrets) {
      assertEquals(
          "refused\n",
          run(alice, "cat '" + secret + "' >/dev/null 2>&1 && echo read || echo refused"),
          secret);
    }
    assertEquals(
        "refused\n",
        run(alice, "ls '" + baseDir + "/tmp' >/dev/null 2>&1 && echo read || echo refused"));
    assertEquals(
        "refused\n", run(alice, "kill -9 " + server + " 2>/dev/null && echo sent || echo refused"));
    assertTrue(ServerProcess.jvm().isAlive());
    alice.exitShell();
  }

  /**
   * The firewall rules of setup-shell-accounts.sh (group tether-shells): from her shell, the node's
   * Hazelcast member port and its management port refuse her, though both listen (the test, not in
   * the group, connects to them), and the public web port answers. The node checked the same at
   * start and says so.
   */
  @Test
  void theNodesInternalPortsAreClosedToAShellAndItsWebPortIsOpen() throws Exception {
    int offset = Integer.getInteger("tether.it.port-offset", 0);
    int hazelcast = 5701 + offset;
    int management = Integer.getInteger("tether.it.management-port", 9990);
    int web = TetherServer.baseUri().getPort();
    for (int port : new int[] {hazelcast, management, web}) {
      try (Socket listening = new Socket()) {
        listening.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      }
    }
    Terminal alice = Terminal.open(ALICE);
    String connect =
        "timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/%d' 2>/dev/null && echo open || echo closed";
    assertEquals("closed\n", run(alice, String.format(connect, hazelcast)), "Hazelcast");
    assertEquals("closed\n", run(alice, String.format(connect, management)), "management");
    assertEquals("open\n", run(alice, String.format(connect, web)), "web");
    String status =
        run(alice, "curl -s -o /dev/null -w '%{http_code}\\n' " + TetherServer.uri("login.html"));
    assertTrue(status.matches("[2-4]\\d\\d\n"), "an HTTP answer: " + status);
    alice.exitShell();
    HttpResponse<String> me =
        TetherServer.httpClient()
            .send(
                HttpRequest.newBuilder(TetherServer.uri("api/me"))
                    .header("Authorization", ADMIN.basicAuthorization())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertTrue(me.body().contains("\"shellNetwork\":\"guarded\""), me.body());
  }

  @Test
  void aliceSeesOnlyHerOwnProcessesAndNothingOfBobs() {
    Terminal bob = Terminal.open(BOB);
    run(bob, "(sleep 5151 &)");
    Terminal alice = Terminal.open(ALICE);
    String ps = run(alice, "ps -eo user:32=,args=");
    for (String line : ps.split("\n")) {
      assertTrue(line.startsWith("tether-alice "), ps);
    }
    assertFalse(ps.contains("5151"), ps);
    assertFalse(ps.contains("java"), ps);
    // bob's shell is there (his own ps sees his sleep), only not for her.
    assertTrue(run(bob, "ps -eo args=").contains("sleep 5151"));
    alice.exitShell();
    bob.exitShell();
  }

  @Test
  void aForkBombIsHeldAtItsLimitWhileAnotherSessionsEchoStaysFast() {
    Terminal bomb = Terminal.open(ALICE);
    Terminal calm = Terminal.open(BOB);
    bomb.type("bomb() { bomb | bomb & }; bomb\r");
    bomb.awaitOutput(s -> s.contains("Resource temporarily unavailable"), WAIT, "a refused fork");
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      long start = System.nanoTime();
      assertEquals("calm " + i + "\n", run(calm, "echo calm " + i));
      millis.add((System.nanoTime() - start) / 1_000_000);
    }
    Collections.sort(millis);
    assertTrue(millis.get(15) < 200, "echo beside a fork bomb, ms: " + millis);
    assertTrue(
        ServerProcess.processesOf(bomb.sessionId()).size() <= 128,
        "the bomb's processes: " + ServerProcess.processesOf(bomb.sessionId()).size());
    calm.exitShell();
    bomb.drop();
  }

  @Test
  void aMemoryHogIsStoppedAndItsUserToldWhy() throws Exception {
    Terminal hog = Terminal.open(ALICE);
    Terminal other = Terminal.open(BOB);
    hog.type("tail /dev/zero\r");
    Terminal.Closed closed = hog.connection().expectClosed();
    assertEquals(4017, closed.code(), closed.toString());
    assertEquals(
        "The session went over its memory limit of 256 MiB and was ended.", closed.reason());
    ServerProcess.awaitNoProcessOf(hog.sessionId(), Duration.ofSeconds(10));
    assertEquals("still here\n", run(other, "echo still here"));
    other.exitShell();
  }

  @Test
  void theEndOfASessionReachesEverythingItStartedDoubleForkedOnesIncluded() throws Exception {
    Terminal alice = Terminal.open(ALICE);
    run(
        alice,
        "(setsid sh -c 'exec sleep 5353' </dev/null >/dev/null 2>&1 &); (trap '' HUP; nohup sleep 5354 >/dev/null 2>&1 &)");
    // The double-forked sleep may start a moment after the command returns (its parent exits
    // first): wait for it, polling the process table.
    java.time.Instant deadline = java.time.Instant.now().plus(WAIT);
    while (ServerProcess.processesOf(alice.sessionId()).stream()
            .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 5353"))
        && java.time.Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
    assertTrue(
        ServerProcess.processesOf(alice.sessionId()).stream()
            .anyMatch(p -> p.info().commandLine().orElse("").contains("sleep 5353")),
        "the double-forked sleep never started");
    alice.exitShell();
    ServerProcess.awaitNoProcessOf(alice.sessionId(), Duration.ofSeconds(10));
    assertTrue(
        ServerProcess.processesOfAccount("tether-alice").stream()
            .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 535")),
        "left behind: " + ServerProcess.processesOfAccount("tether-alice"));
  }

  /**
   * Bob's next session starts in the sandbox the node made ahead for it once his first session
   * started (docs/isolation.md): its session id is that sandbox's group, and its shell is as much
   * his alone as any. When his last session ends, the sandbox made ahead for the next one goes.
   */
  @Test
  void aSecondSessionStartsInTheSandboxMadeAheadForItWhichGoesWithTheLastSession()
      throws Exception {
    Terminal first = Terminal.open(BOB);
    String spare = awaitSpareOf("tether-bob", first.sessionId());
    Terminal second = Terminal.open(BOB);
    assertEquals(spare, second.sessionId());
    assertEquals("tether-bob\n", run(second, "whoami"));
    String ps = run(second, "ps -eo user:32=,args=");
    for (String line : ps.split("\n")) {
      assertTrue(line.startsWith("tether-bob "), ps);
    }
    String next = awaitSpareOf("tether-bob", second.sessionId());
    second.exitShell();
    first.exitShell();
    ServerProcess.awaitNoProcessOf(first.sessionId(), Duration.ofSeconds(10));
    ServerProcess.awaitNoProcessOf(second.sessionId(), Duration.ofSeconds(10));
    ServerProcess.awaitNoProcessOf(next, Duration.ofSeconds(10));
    // (An exited sandbox's bwrap may stay a zombie for a moment, until the machine's init reaps it:
    // only running processes count. A sandbox made for a ticket that another test issued and did
    // not use waits, with no shell in it, until the ticket expires: not a session's process.)
    List<ProcessHandle> left =
        ServerProcess.processesOfAccount("tether-bob").stream()
            .filter(p -> p.info().command().isPresent())
            .filter(p -> !p.info().commandLine().orElse("").contains("--block-fd"))
            .toList();
    assertEquals(List.of(), left);
  }

  /**
   * Alice's first session starts in the sandbox the node began to make when it issued her ticket,
   * while the ticket went to the client and the WebSocket opened: the sandbox's bubblewrap is the
   * one that waited for its go. Once she leaves, nothing of hers is left.
   */
  @Test
  void aFirstSessionStartsInTheSandboxMadeWhenItsTicketWasIssued() throws Exception {
    Terminal alice = Terminal.open(ALICE);
    List<String> sandbox =
        ServerProcess.processesOfAccount("tether-alice").stream()
            .filter(
                p -> ServerProcess.sessionGroupOf(p.pid()).equals(Optional.of(alice.sessionId())))
            .map(p -> p.info().commandLine().orElse(""))
            .toList();
    assertTrue(
        sandbox.stream().anyMatch(line -> line.contains("--block-fd")),
        "no sandbox made ahead in the session's group: " + sandbox);
    assertEquals("tether-alice\n", run(alice, "whoami"));
    alice.exitShell();
    ServerProcess.awaitNoProcessOf(alice.sessionId(), Duration.ofSeconds(10));
  }

  /**
   * The group of the account's sandbox made ahead: processes of the account in a group other than
   * {@code besides}, all of them bubblewrap (no shell runs in it yet).
   */
  private static String awaitSpareOf(String account, String besides) throws InterruptedException {
    java.time.Instant deadline = java.time.Instant.now().plus(WAIT);
    while (java.time.Instant.now().isBefore(deadline)) {
      java.util.Map<String, List<ProcessHandle>> groups =
          ServerProcess.processesOfAccount(account).stream()
              .filter(p -> ServerProcess.sessionGroupOf(p.pid()).isPresent())
              .collect(
                  java.util.stream.Collectors.groupingBy(
                      p -> ServerProcess.sessionGroupOf(p.pid()).orElseThrow()));
      for (var group : groups.entrySet()) {
        if (!group.getKey().equals(besides)
            && group.getValue().stream()
                .allMatch(p -> p.info().command().orElse("").endsWith("/bwrap"))) {
          return group.getKey();
        }
      }
      Thread.sleep(50); // polling the process table: the node makes the sandbox in the background
    }
    throw new AssertionError("no sandbox was made ahead for " + account);
  }
}
