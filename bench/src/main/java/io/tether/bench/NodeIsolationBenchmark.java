package io.tether.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What isolation costs a user, through two real nodes in one run (docs/benchmark.md): one node
 * isolates its shells (the user's own account, bubblewrap, a cgroup with limits), the other runs
 * them in the unsafe single-user mode; everything else is the same build and settings. Per round
 * and node, alternating which goes first: {@code bench.isolation.connects} times setup to prompt
 * (ticket, WebSocket, {@code hello}, {@code attached}, the prompt's first byte, then {@code exit}),
 * and one session's keystroke-to-echo latency.
 *
 * <p>Each of these sessions is its user's only one on the node, opened after the last one ended: on
 * the isolated node it is a first session, whose sandbox the node starts making when it issues the
 * ticket. Then {@code bench.isolation.next-connects} (5) times, with one session kept open, the
 * user's next session {@code bench.isolation.next-after-ms} (1000) after the last one started, as a
 * second tab: on the isolating node it starts from the sandbox made after the previous start. Setup
 * and echo are compared paired per round; medians over the rounds are reported.
 *
 * <p>Settings: {@code bench.isolated.url}, {@code bench.unsafe.url} (the nodes' application roots),
 * {@code bench.user}/{@code bench.password} (alice), {@code bench.rounds} (5), {@code
 * bench.isolation.connects} (10 per round and node), {@code bench.echo.samples} (1000), {@code
 * bench.echo.warmup} (200), {@code bench.echo.settle-ms} (0: typing begins at the prompt), {@code
 * bench.isolation.page-openings} (5 per round and node; 0: none).
 *
 * <p>Where Chromium is installed, each round also opens the terminal page in it {@code
 * bench.isolation.page-openings} times per node (see {@link PageOpening}): from the navigation's
 * start to the prompt, as a user opening a terminal meets it. The page asks for its ticket as it
 * starts, and the isolating node makes the sandbox while the page loads.
 */
public final class NodeIsolationBenchmark {
  private static final int COLS = 120;
  private static final int ROWS = 32;

  /** One node's figures, per round. */
  private record Node(
      String name,
      Server server,
      List<Double> setup,
      List<Double> ticket,
      List<Double> open,
      List<Double> attached,
      List<Double> firstByte,
      List<Double> next,
      List<Double> page,
      List<Double> pageTicket,
      List<Double> pageHello,
      List<Double> pageAfterHello,
      List<Double> echoP50,
      List<Double> echoP99) {}

  private NodeIsolationBenchmark() {}

  public static void main(String[] args) throws Exception {
    String user = System.getProperty("bench.user", "alice");
    String password = System.getProperty("bench.password", "alice-pass");
    int pageOpenings = Integer.getInteger("bench.isolation.page-openings", 5);
    Node isolated = node("isolated", "bench.isolated.url", user, password);
    Node unsafe = node("unsafe-single-user", "bench.unsafe.url", user, password);
    Map<String, PageOpening> browsers = new LinkedHashMap<>();
    try {
      if (pageOpenings > 0 && PageOpening.available()) {
        // A browser per node: both are on 127.0.0.1, and a login cookie is the host's, any port.
        for (Node node : List.of(isolated, unsafe)) {
          browsers.put(
              node.name(), PageOpening.start(Path.of(System.getProperty("java.io.tmpdir"))));
        }
      } else {
        System.out.println("no Chromium (or bench.isolation.page-openings=0): no page figures");
      }
      run(isolated, unsafe, browsers, pageOpenings, user, password);
    } finally {
      browsers.values().forEach(PageOpening::close);
    }
  }

  private static void run(
      Node isolated,
      Node unsafe,
      Map<String, PageOpening> browsers,
      int pageOpenings,
      String user,
      String password)
      throws Exception {
    int rounds = Integer.getInteger("bench.rounds", 5);
    int connects = Integer.getInteger("bench.isolation.connects", 10);
    int nextConnects = Integer.getInteger("bench.isolation.next-connects", 5);
    long nextAfterMillis = Long.getLong("bench.isolation.next-after-ms", 1000);
    int samples = Integer.getInteger("bench.echo.samples", 1000);
    int warmup = Integer.getInteger("bench.echo.warmup", 200);
    long settle = Long.getLong("bench.echo.settle-ms", 0);
    System.out.printf(
        "isolation through two nodes: %d rounds, %d connects and %d keystrokes per round and node%n",
        rounds, connects, samples);
    for (Node node : List.of(isolated, unsafe)) { // warm-up: the nodes' JIT, the client's
      for (int i = 0; i < 3; i++) {
        connect(node);
      }
      echo(node, warmup, 2, 0);
      PageOpening browser = browsers.get(node.name());
      if (browser != null) {
        browser.logIn(node.server().base(), user, password);
        browser.open(node.server().base());
      }
    }
    for (int round = 0; round < rounds; round++) {
      List<Node> order = round % 2 == 0 ? List.of(isolated, unsafe) : List.of(unsafe, isolated);
      for (Node node : order) {
        List<List<Double>> times = new ArrayList<>();
        for (int i = 0; i < connects; i++) {
          double[] measured = connect(node);
          for (int k = 0; k < measured.length; k++) {
            if (times.size() == k) {
              times.add(new ArrayList<>());
            }
            times.get(k).add(measured[k]);
          }
        }
        node.setup().add(Stats.median(times.get(0)));
        node.ticket().add(Stats.median(times.get(1)));
        node.open().add(Stats.median(times.get(2)));
        node.attached().add(Stats.median(times.get(3)));
        node.firstByte().add(Stats.median(times.get(4)));
        node.next().add(Stats.median(nextSessions(node, nextConnects, nextAfterMillis)));
        PageOpening browser = browsers.get(node.name());
        if (browser != null) {
          List<List<Double>> opened =
              List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
          for (int i = 0; i < pageOpenings; i++) {
            PageOpening.Opening o = browser.open(node.server().base());
            opened.get(0).add(o.firstOutput());
            opened.get(1).add(o.ticketAsked());
            opened.get(2).add(o.helloSent());
            opened.get(3).add(o.firstOutput() - o.helloSent());
            Benchmark.sleepMillis(100); // the node ends the session (and its sandbox) meanwhile
          }
          node.page().add(Stats.median(opened.get(0)));
          node.pageTicket().add(Stats.median(opened.get(1)));
          node.pageHello().add(Stats.median(opened.get(2)));
          node.pageAfterHello().add(Stats.median(opened.get(3)));
        }
        long[] echo = echo(node, warmup, samples, settle);
        node.echoP50().add(Stats.percentile(echo, 50) / 1e3);
        node.echoP99().add(Stats.percentile(echo, 99) / 1e3);
      }
      System.out.printf(
          "  round %d: setup %.1f / %.1f ms, echo p50 %.0f / %.0f µs (isolated / unsafe)%n",
          round + 1,
          isolated.setup().get(round),
          unsafe.setup().get(round),
          isolated.echoP50().get(round),
          unsafe.echoP50().get(round));
    }
    report(isolated, unsafe);
  }

  private static Node node(String name, String property, String user, String password) {
    String url = System.getProperty(property);
    if (url == null) {
      throw new IllegalArgumentException("set -D" + property + " to the node's application root");
    }
    return new Node(
        name,
        new Server(URI.create(url), user, password),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>());
  }

  /**
   * A user with a session open opens another one {@code afterMillis} after the last one started, as
   * a second tab opens (on the isolating node: from the sandbox made after the previous start), and
   * ends it: setup to prompt of each, in ms.
   */
  private static List<Double> nextSessions(Node node, int count, long afterMillis)
      throws BenchException {
    List<Double> setups = new ArrayList<>();
    Capture holder = new Capture();
    TetherTerm first = new TetherTerm(node.server(), COLS, ROWS, holder);
    try {
      first.connect();
      for (int i = 0; i < count; i++) {
        Benchmark.sleepMillis(afterMillis); // the scenario: the next tab comes this much later
        setups.add(connect(node)[0]);
      }
      first.exit();
    } finally {
      first.close();
    }
    return setups;
  }

  /**
   * A new session to its first byte, then exit, in ms: setup to prompt, and its parts (ticket,
   * WebSocket open, hello to attached, attached to the first byte).
   */
  private static double[] connect(Node node) throws BenchException {
    Probe probe = new Probe();
    probe.expectAnyByte();
    TetherTerm term = new TetherTerm(node.server(), COLS, ROWS, probe);
    try {
      TetherTerm.Connect c = term.connect();
      long first = probe.await(10_000, "the first prompt byte");
      Benchmark.sleepMillis(20); // the rest of the prompt
      term.exit();
      return new double[] {
        (first - c.startNanos()) / 1e6,
        (c.ticketNanos() - c.startNanos()) / 1e6,
        (c.openNanos() - c.ticketNanos()) / 1e6,
        (c.attachedNanos() - c.openNanos()) / 1e6,
        (first - c.attachedNanos()) / 1e6
      };
    } finally {
      term.close();
      Benchmark.sleepMillis(100); // the node ends the session (and its sandbox) meanwhile
    }
  }

  /**
   * One session: its prompt, then, {@code settleMillis} after it (0: at once), {@code samples}
   * keystrokes to their echo (ns each).
   */
  private static long[] echo(Node node, int warmup, int samples, long settleMillis)
      throws BenchException {
    Capture capture = new Capture();
    TetherTerm term = new TetherTerm(node.server(), COLS, ROWS, capture);
    try {
      term.connect();
      capture.awaitQuiet(150, 10_000, "the first prompt");
      Probe probe = new Probe();
      Benchmark.setPrompt(term, probe);
      byte[] backspace = Benchmark.calibrateBackspace(term, probe);
      Benchmark.sleepMillis(settleMillis); // the scenario: typing that begins this much later
      long[] echo = Benchmark.echo(term, probe, backspace, warmup, samples);
      term.exit();
      return echo;
    } finally {
      term.close();
      Benchmark.sleepMillis(100);
    }
  }

  private static void report(Node isolated, Node unsafe) {
    Map<String, double[]> rows = new LinkedHashMap<>();
    rows.put("setup to prompt (ms)", pair(isolated.setup(), unsafe.setup()));
    rows.put("  ticket (ms)", pair(isolated.ticket(), unsafe.ticket()));
    rows.put("  WebSocket open (ms)", pair(isolated.open(), unsafe.open()));
    rows.put("  hello to attached (ms)", pair(isolated.attached(), unsafe.attached()));
    rows.put("  attached to first byte (ms)", pair(isolated.firstByte(), unsafe.firstByte()));
    rows.put("next session, 1 s later (ms)", pair(isolated.next(), unsafe.next()));
    if (!isolated.page().isEmpty()) {
      rows.put("page opened to prompt (ms)", pair(isolated.page(), unsafe.page()));
      rows.put("  page asked its ticket at (ms)", pair(isolated.pageTicket(), unsafe.pageTicket()));
      rows.put("  page sent hello at (ms)", pair(isolated.pageHello(), unsafe.pageHello()));
      rows.put(
          "  hello to first output (ms)", pair(isolated.pageAfterHello(), unsafe.pageAfterHello()));
    }
    rows.put("echo p50 (µs)", pair(isolated.echoP50(), unsafe.echoP50()));
    rows.put("echo p99 (µs)", pair(isolated.echoP99(), unsafe.echoP99()));
    System.out.println();
    System.out.printf(
        "%-34s %12s %20s %18s%n",
        "median over rounds", "isolated", "unsafe-single-user", "paired delta");
    rows.forEach(
        (name, v) -> System.out.printf("%-34s %12.1f %20.1f %+18.1f%n", name, v[0], v[1], v[2]));
  }

  /** The two medians, and the median of the per-round differences. */
  private static double[] pair(List<Double> a, List<Double> b) {
    List<Double> deltas = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      deltas.add(a.get(i) - b.get(i));
    }
    return new double[] {Stats.median(a), Stats.median(b), Stats.median(deltas)};
  }
}
