package io.tether.bench;

import io.tether.pty.CpuLatencyRequest;
import io.tether.pty.ShellSpec;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Tether's performance figures, each beside a bare PTY measured in the same run (same machine, same
 * moment): keystroke-to-echo latency, bulk output throughput, connect-to-prompt and resume time.
 * Not a test: it prints figures, medians and ratios, and the targets beside them. Run it with
 * {@code bench/run.sh}, which starts a node for it; docs/benchmark.md explains the method.
 *
 * <p>Settings (system properties): {@code bench.url} (default http://127.0.0.1:8080/tether/),
 * {@code bench.user}/{@code bench.password} (alice/alice-pass), {@code bench.rounds} (5), {@code
 * bench.echo.samples} (2000 per round and side), {@code bench.echo.warmup} (200), {@code
 * bench.bulk.count} (10000000), {@code bench.connect.runs} (20 per side), {@code bench.resume.runs}
 * (20), {@code bench.shell} (the bare shell, comma-separated like tether.shell.command, default
 * "/bin/bash,--norc,--noprofile"; the node must run the same, which run.sh arranges), {@code
 * bench.server.pid} (the node's JVM, for CPU figures), {@code bench.phases} (a subset of
 * "echo,bulk,connect,resume", for profiling one phase; or "relay").
 *
 * <p>The relay phase ({@code bench.phases=relay}, run by {@code bench/run-relay.sh} on a 2-node
 * cluster): {@code bench.url} is the owner node, {@code bench.relay.url} another node of the same
 * cluster, {@code bench.relay.owner} the owner's node name (node1), {@code bench.relay.server.pid}
 * the other node's JVM (CPU figures). Each round measures echo and bulk of one session directly on
 * the owner and through the other node, which relays to it.
 */
public final class Benchmark {
  private static final double ECHO_DELTA_TARGET_MICROS = 250;
  private static final double BULK_TARGET_MBPS = 100;
  private static final double RESUME_TARGET_MILLIS = 50;
  private static final double RELAY_ECHO_DELTA_TARGET_MICROS = 500;
  private static final double RELAY_BULK_RATIO_TARGET = 0.5;
  private static final String PROMPT_COMMAND = "PS1=$'\\x24 '\r";
  private static final String MARKER_LINE = "E2ND\n";
  private static final String REPLAY_COMMAND = "sleep 0.05; echo R$((1+1))P\r";

  private enum Side {
    BARE("bare PTY"),
    /**
     * Bulk only: the same bare shell read as the server reads, with the node's CPU latency request
     * ({@link io.tether.pty.CpuLatencyRequest}); Tether's own cost beside the same kernel setting.
     */
    BARE_AWAKE("bare+awake"),
    TETHER("Tether"),
    /** The relay phase: the same session, connected through a node that is not its owner. */
    RELAY("relay");

    final String label;

    Side(String label) {
      this.label = label;
    }
  }

  private final URI url = URI.create(property("bench.url", "http://127.0.0.1:8080/tether/"));
  private final int rounds = intProperty("bench.rounds", 5);
  private final int echoSamples = even(intProperty("bench.echo.samples", 2000));
  private final int echoWarmup = even(intProperty("bench.echo.warmup", 200));
  private final long bulkCount = Long.parseLong(property("bench.bulk.count", "10000000"));
  private final int connectRuns = intProperty("bench.connect.runs", 20);
  private final int resumeRuns = intProperty("bench.resume.runs", 20);
  private final int cols = 120;
  private final int rows = 32;
  private final long serverPid = Long.parseLong(property("bench.server.pid", "0"));
  private final int cores = Runtime.getRuntime().availableProcessors();
  private final Set<String> phases =
      Set.of(property("bench.phases", "echo,bulk,connect,resume").split("\\s*,\\s*"));
  // The relay phase: sessions owned by the node at bench.url, reached through bench.relay.url.
  private final String relayUrl = property("bench.relay.url", "");
  private final String relayOwner = property("bench.relay.owner", "node1");

  private final ShellSpec shell =
      new ShellSpec(
          List.of(
              property("bench.shell", "/bin/bash,--norc,--noprofile").trim().split("\\s*,\\s*")),
          Path.of(System.getProperty("user.home")),
          // What the server gives its shells (TetherSettings.shellEnvironment()).
          Map.of("TERM", "xterm-256color", "COLORTERM", "truecolor", "LANG", "C.UTF-8"));
  private final Server server =
      new Server(url, property("bench.user", "alice"), property("bench.password", "alice-pass"));
  private final Server relayServer =
      relayUrl.isEmpty()
          ? null
          : new Server(
              URI.create(relayUrl),
              property("bench.user", "alice"),
              property("bench.password", "alice-pass"));
  private final CpuMeter cpu = new CpuMeter(serverPid);
  // Lets the bare+awake side's CPU latency request go after its linger, as the node's scheduler
  // does.
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bench-cpu-latency");
            t.setDaemon(true);
            return t;
          });
  // Whether this JVM can read (and so write) the kernel's CPU latency device.
  private final boolean cpuLatencyReadable = KernelCpuLatency.target().isPresent();
  // The relaying node's JVM (bench.relay.server.pid), for the relay phase's CPU figures.
  private final CpuMeter relayCpu =
      new CpuMeter(Long.parseLong(property("bench.relay.server.pid", "0")));

  // Per side and round.
  // Per side, indexed by round; NaN where a round has no figure (a failed step, lost output).
  private final Map<Side, List<Double>> echoP50 = perSideAndRound();
  private final Map<Side, List<Double>> echoP99 = perSideAndRound();
  private final Map<Side, List<Double>> bulkMbps = perSideAndRound();
  private final Map<Side, List<String>> bulkFailures = new EnumMap<>(Side.class);
  private final Map<Side, String> firstPrompt = new EnumMap<>(Side.class);
  private final Map<Side, String> backspaceEcho = new EnumMap<>(Side.class);
  private long bulkBytes;
  // Per run, in milliseconds.
  private final Map<Side, List<Double>> connect = perSide();
  private final List<Double> connectBareStart = new ArrayList<>();
  private final List<Double> connectTicket = new ArrayList<>();
  private final List<Double> connectOpen = new ArrayList<>();
  private final List<Double> connectAttached = new ArrayList<>();
  private final List<Double> connectFirstByte = new ArrayList<>();
  private final List<Double> resumeAttached = new ArrayList<>();
  private final List<Double> resumeFirstByte = new ArrayList<>();
  private final List<Double> resumeTicket = new ArrayList<>();
  private final List<Double> resumeOpen = new ArrayList<>();
  private final List<Double> resumeHello = new ArrayList<>();
  private final List<Long> resumeReplayed = new ArrayList<>();
  private final List<String> failedSteps = new ArrayList<>();

  /** One step of the plan; a failed step is reported and skipped, the run goes on. */
  private interface Step {
    void run() throws Exception;
  }

  public static void main(String[] args) {
    int status = 0;
    try {
      new Benchmark().run();
    } catch (Exception e) {
      System.out.flush();
      System.err.println("benchmark failed: " + e);
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  private void run() throws Exception {
    header();
    server.ticket(); // the node answers and the user can log in
    if (phases.contains("relay")) {
      if (relayServer == null) {
        throw new BenchException("bench.phases has relay, but bench.relay.url is not set");
      }
      relayServer.ticket();
    }
    out("warm-up (not counted): " + String.join(", ", phases) + " on both sides / paths ...");
    if (phases.contains("echo") || phases.contains("bulk")) {
      // Full size: the server's JIT is still busy after a smaller bulk run.
      step("warm-up echo+bulk bare", () -> echoAndBulk(Side.BARE, 1000, echoWarmup, bulkCount, -1));
      step(
          "warm-up echo+bulk Tether",
          () -> echoAndBulk(Side.TETHER, 1000, echoWarmup, bulkCount, -1));
    }
    for (int i = 0; phases.contains("connect") && i < 3; i++) {
      step("warm-up connect bare", () -> connectOnce(Side.BARE, false));
      step("warm-up connect Tether", () -> connectOnce(Side.TETHER, false));
    }
    if (phases.contains("resume")) {
      step("warm-up resume", () -> resumeRuns(3, false));
    }
    if (phases.contains("relay")) {
      step("warm-up relay", () -> relayRound(-1, true, 1000, echoWarmup, bulkCount));
    }

    for (int round = 0; round < rounds; round++) {
      out("");
      out("round %d of %d", round + 1, rounds);
      Side first = round % 2 == 0 ? Side.BARE : Side.TETHER;
      Side second = first == Side.BARE ? Side.TETHER : Side.BARE;
      String r = "round " + (round + 1) + " ";
      int n = round;
      if (phases.contains("echo") || phases.contains("bulk")) {
        step(
            r + "echo+bulk " + first.label,
            () -> echoAndBulk(first, echoSamples, echoWarmup, bulkCount, n));
        step(
            r + "echo+bulk " + second.label,
            () -> echoAndBulk(second, echoSamples, echoWarmup, bulkCount, n));
      }
      if (phases.contains("connect")) {
        int connects = share(connectRuns, round);
        for (int i = 0; i < connects; i++) {
          Side a = i % 2 == 0 ? first : second;
          Side b = a == first ? second : first;
          step(r + "connect " + a.label, () -> connectOnce(a, true));
          step(r + "connect " + b.label, () -> connectOnce(b, true));
        }
        out(
            "  connect     %-8s median %.1f ms, %-8s median %.1f ms (%d and %d runs so far)",
            Side.BARE.label,
            Stats.median(connect.get(Side.BARE)),
            Side.TETHER.label,
            Stats.median(connect.get(Side.TETHER)),
            connect.get(Side.BARE).size(),
            connect.get(Side.TETHER).size());
      }
      if (phases.contains("resume")) {
        int runs = share(resumeRuns, round);
        step(r + "resume", () -> resumeRuns(runs, true));
      }
      if (phases.contains("relay")) {
        boolean directFirst = round % 2 == 0;
        step(
            r + "relay (" + (directFirst ? "direct first" : "relay first") + ")",
            () -> relayRound(n, directFirst, echoSamples, echoWarmup, bulkCount));
      }
    }
    if (phases.contains("echo")
        || phases.contains("bulk")
        || phases.contains("connect")
        || phases.contains("resume")) {
      summary();
    }
    if (phases.contains("relay")) {
      relaySummary();
    }
  }

  private void step(String what, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      failedSteps.add(what + ": " + e.getMessage());
      out("  FAILED, skipped: %s: %s", what, e.getMessage());
      pause();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Phases

  /**
   * One shell per side and round: prompt, echo samples, then the bulk run, then exit. {@code round}
   * is where the figures go; -1 for the warm-up, which records nothing.
   */
  private void echoAndBulk(Side side, int samples, int warmup, long count, int round)
      throws Exception {
    boolean record = round >= 0;
    Capture capture = new Capture();
    Term term = open(side, capture);
    try {
      Probe probe = new Probe();
      String prompt = Probe.printable(capture.awaitQuiet(150, 10_000, "the first prompt"));
      firstPrompt.putIfAbsent(side, prompt);
      setPrompt(term, probe);
      byte[] backspace = calibrateBackspace(term, probe);
      backspaceEcho.putIfAbsent(side, Probe.printable(backspace));

      long[] echo = echo(term, probe, backspace, warmup, phases.contains("echo") ? samples : 2);
      double p50 = Stats.percentile(echo, 50) / 1e3;
      double p99 = Stats.percentile(echo, 99) / 1e3;
      if (record && phases.contains("echo")) {
        echoP50.get(side).set(round, p50);
        echoP99.get(side).set(round, p99);
        out(
            "  echo        %-8s p50 %6.0f µs  p99 %7.0f µs   (%d samples after %d warm-up)",
            side.label, p50, p99, samples, warmup);
      }

      if (phases.contains("bulk")) {
        if (side == Side.BARE && cpuLatencyReadable) {
          // The machine as it is: no one's 0 µs request (the node's lingers 200 ms after a run).
          KernelCpuLatency.awaitReleased(5_000);
        }
        recordBulk(side, round, bulk(term, count, side, record));
        if (side == Side.BARE && cpuLatencyReadable) {
          bulkAsTheServerReads((BareTerm) term, count, round);
        }
      }
      term.exit();
    } finally {
      term.close();
    }
    pause();
  }

  /**
   * The same bare shell once more, read as the server reads: batches, and the node's CPU latency
   * request while they stream. Let go before the next side runs.
   */
  private void bulkAsTheServerReads(BareTerm bare, long count, int round) throws BenchException {
    try (CpuLatencyRequest request = new CpuLatencyRequest(scheduler)) {
      bare.readLikeTheServer(request);
      recordBulk(Side.BARE_AWAKE, round, bulk(bare, count, Side.BARE_AWAKE, round >= 0));
    } finally {
      bare.readLikeTheServer(null);
    }
  }

  private void recordBulk(Side side, int round, SeqCheck.Result bulk) {
    if (round < 0) {
      return;
    }
    if (bulk.ok()) {
      bulkMbps.get(side).set(round, bulk.megabytesPerSecond());
      bulkBytes = bulk.bytes();
    } else {
      bulkFailures.computeIfAbsent(side, s -> new ArrayList<>()).add(bulk.failure());
    }
  }

  /** Keystroke to echo, alternating a printable key and a backspace; nanoseconds per sample. */
  static long[] echo(Term term, Probe probe, byte[] backspaceEcho, int warmup, int samples)
      throws BenchException {
    byte[] key = {'x'};
    byte[] keyEcho = {'x'};
    byte[] backspace = {0x7f};
    long[] measured = new long[samples];
    for (int i = 0; i < warmup + samples; i++) {
      boolean printable = i % 2 == 0;
      probe.expect(printable ? keyEcho : backspaceEcho);
      long sent = System.nanoTime();
      term.type(printable ? key : backspace);
      long echoed = probe.await(5_000, printable ? "the echo of a key" : "the echo of backspace");
      if (i >= warmup) {
        measured[i - warmup] = echoed - sent;
      }
    }
    return measured;
  }

  /** {@code seq} through {@code cat} with {@code stty -opost}, checked number by number. */
  private SeqCheck.Result bulk(Term term, long count, Side side, boolean record)
      throws BenchException {
    SeqCheck check = new SeqCheck(count, MARKER_LINE);
    long chunksBefore = term.chunks();
    TetherTerm tether = term instanceof TetherTerm t ? t : null;
    long droppedBefore = tether == null ? 0 : tether.droppedBytes();
    long resyncsBefore = tether == null ? 0 : tether.resyncs();
    term.sink(check);
    CpuMeter.Sample relayBefore = side == Side.RELAY ? relayCpu.sample() : null;
    CpuMeter.Sample before = cpu.sample();
    term.type("stty -opost; seq 1 " + count + " | cat; echo E$((1+1))ND\r");
    SeqCheck.Result result = check.await(300_000);
    // Within the node's 200 ms linger: whether a 0 µs request was in force as the run ended.
    String cpuLatency = cpuLatencyReadable ? (KernelCpuLatency.held() ? "held" : "not held") : null;
    CpuMeter.Sample after = cpu.sample();
    CpuMeter.Sample relayAfter = side == Side.RELAY ? relayCpu.sample() : null;
    if (!result.ok()) {
      check.awaitEnd(300_000);
    }
    term.sink(null);
    if (tether != null) {
      tether.ackAll();
      if (tether.fault() != null) {
        throw new BenchException("Tether client: " + tether.fault());
      }
      long dropped = tether.droppedBytes() - droppedBefore;
      if (dropped > 0) {
        result =
            result.lost(
                String.format(
                    "the server dropped %,d bytes in %d resync(s): this client fell more than the"
                        + " output log (tether.session.log-bytes) behind the shell",
                    dropped, tether.resyncs() - resyncsBefore));
      }
    }
    if (record) {
      long chunks = term.chunks() - chunksBefore;
      if (result.ok()) {
        out(
            "  bulk        %-8s %6.1f MB/s  (%,d bytes in %.3f s, verified 1..%,d in order;"
                + " %,d %s, avg %,d bytes)",
            side.label,
            result.megabytesPerSecond(),
            result.bytes(),
            result.nanos() / 1e9,
            count,
            chunks,
            side == Side.BARE
                ? "PTY reads"
                : side == Side.BARE_AWAKE ? "PTY batches" : "WebSocket message parts",
            chunks == 0 ? 0 : result.bytes() / chunks);
      } else {
        out(
            "  bulk        %-8s OUTPUT LOST after %.3f s, run not counted: %s",
            side.label, result.nanos() / 1e9, result.failure());
      }
      out("              %s", after.since(before, cores));
      if (cpuLatency != null) {
        out("              CPU latency request (0 µs) at the end of the run: %s", cpuLatency);
      }
      if (side != Side.BARE && side != Side.BARE_AWAKE && serverPid > 0) {
        out("              %s", after.busiestServerThreads(before, 4));
      }
      if (relayAfter != null && !Double.isNaN(relayAfter.server())) {
        out(
            "              relaying node's JVM %.0f%%; %s",
            relayAfter.serverPercent(relayBefore),
            relayAfter
                .busiestServerThreads(relayBefore, 4)
                .replace("server threads", "of its threads"));
      }
    }
    sleepMillis(200); // the marker line's prompt
    return result;
  }

  /** Start of a shell to the first output byte (the prompt), then exit. */
  private void connectOnce(Side side, boolean record) throws Exception {
    Probe probe = new Probe();
    probe.expectAnyByte();
    Term term = null;
    try {
      if (side == Side.BARE) {
        long start = System.nanoTime();
        term = BareTerm.start(shell, cols, rows, probe);
        long started = System.nanoTime();
        long first = probe.await(10_000, "the first prompt byte");
        if (record) {
          connect.get(side).add(millis(first - start));
          connectBareStart.add(millis(started - start));
        }
      } else {
        TetherTerm tether = new TetherTerm(server, cols, rows, probe);
        term = tether;
        TetherTerm.Connect c = tether.connect();
        long first = probe.await(10_000, "the first prompt byte");
        if (record) {
          connect.get(side).add(millis(first - c.startNanos()));
          connectTicket.add(millis(c.ticketNanos() - c.startNanos()));
          connectOpen.add(millis(c.openNanos() - c.ticketNanos()));
          connectAttached.add(millis(c.attachedNanos() - c.openNanos()));
          connectFirstByte.add(millis(first - c.attachedNanos()));
        }
      }
      sleepMillis(20); // the rest of the prompt
      term.exit();
    } finally {
      if (term != null) {
        term.close();
      }
    }
    pause();
  }

  /**
   * Forced disconnects of one session: a command whose output comes 50 ms later, the connection
   * aborted at once, then (after 200 ms, so the output waits in the log) the timed reconnect: new
   * ticket, WebSocket open, hello with sessionId and resumeOffset, {@code attached}, first replayed
   * byte.
   */
  private void resumeRuns(int runs, boolean record) throws Exception {
    if (runs == 0) {
      return;
    }
    Capture capture = new Capture();
    TetherTerm term = (TetherTerm) open(Side.TETHER, capture);
    List<Double> attached = new ArrayList<>();
    List<Double> firstByte = new ArrayList<>();
    try {
      Probe probe = new Probe();
      capture.awaitQuiet(150, 10_000, "the first prompt");
      setPrompt(term, probe);
      for (int i = 0; i < runs; i++) {
        probe.expect("R2P");
        term.type(REPLAY_COMMAND);
        term.drainSends();
        term.abort();
        sleepMillis(200);
        TetherTerm.Connect c = term.connect();
        long first = term.firstByte();
        probe.await(5_000, "the replayed output");
        JsonObject message = term.attached();
        long replayed =
            message.getJsonNumber("head").longValue()
                - message.getJsonNumber("replayFrom").longValue();
        if (message.getJsonNumber("dropped").longValue() != 0 || term.fault() != null) {
          throw new BenchException("resume lost output: " + message + " " + term.fault());
        }
        attached.add(millis(c.attachedNanos() - c.startNanos()));
        firstByte.add(millis(first - c.startNanos()));
        if (record) {
          resumeTicket.add(millis(c.ticketNanos() - c.startNanos()));
          resumeOpen.add(millis(c.openNanos() - c.ticketNanos()));
          resumeHello.add(millis(c.attachedNanos() - c.openNanos()));
          resumeReplayed.add(replayed);
        }
        sleepMillis(100); // the prompt after the replayed line
      }
      term.exit();
    } finally {
      term.close();
    }
    if (record) {
      resumeAttached.addAll(attached);
      resumeFirstByte.addAll(firstByte);
      out(
          "  resume      %-8s to attached median %.1f ms, to first replayed byte %.1f ms (%d runs)",
          Side.TETHER.label, Stats.median(attached), Stats.median(firstByte), runs);
    }
    pause();
  }

  /**
   * One session owned by the node at {@code bench.url}, measured twice in the same shell: echo and
   * bulk on a connection to the owner itself ({@link Side#TETHER}), and on a connection through
   * {@code bench.relay.url} ({@link Side#RELAY}), which relays to the owner. Between the two the
   * connection is aborted and the session resumed (hello with sessionId) on the other node; every
   * {@code attached} must name the owner. {@code round} -1 is the warm-up.
   */
  private void relayRound(int round, boolean directFirst, int samples, int warmup, long count)
      throws Exception {
    boolean record = round >= 0;
    Capture capture = new Capture();
    TetherTerm term = new TetherTerm(server, cols, rows, capture);
    try {
      term.connect();
      expectOwner(term, "a new session on " + url);
      Probe probe = new Probe();
      capture.awaitQuiet(150, 10_000, "the first prompt");
      setPrompt(term, probe);
      byte[] backspace = calibrateBackspace(term, probe);
      for (Side side :
          directFirst ? List.of(Side.TETHER, Side.RELAY) : List.of(Side.RELAY, Side.TETHER)) {
        Server via = side == Side.RELAY ? relayServer : server;
        if (term.server() != via) {
          term.drainSends();
          term.abort();
          sleepMillis(100);
          term.via(via);
          term.connect();
          expectOwner(term, "the session resumed through " + via.base());
          sleepMillis(100);
        }
        long[] echo = echo(term, probe, backspace, warmup, samples);
        double p50 = Stats.percentile(echo, 50) / 1e3;
        double p99 = Stats.percentile(echo, 99) / 1e3;
        if (record) {
          echoP50.get(side).set(round, p50);
          echoP99.get(side).set(round, p99);
          out(
              "  echo        %-8s p50 %6.0f µs  p99 %7.0f µs   (%d samples after %d warm-up, via"
                  + " %s)",
              side.label, p50, p99, samples, warmup, via.base());
        }
        recordBulk(side, round, bulk(term, count, side, record));
        term.sink(probe);
      }
      term.exit();
    } finally {
      term.close();
    }
    pause();
  }

  /** The {@code attached} message must name the owner node ({@code bench.relay.owner}). */
  private void expectOwner(TetherTerm term, String what) throws BenchException {
    JsonObject attached = term.attached();
    String node = attached.getString("node", null);
    if (!relayOwner.equals(node)) {
      throw new BenchException(
          what + ": attached names node " + node + ", expected the owner " + relayOwner);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Shell set-up

  private Term open(Side side, Sink sink) throws BenchException {
    if (side == Side.BARE) {
      return BareTerm.start(shell, cols, rows, sink);
    }
    TetherTerm tether = new TetherTerm(server, cols, rows, sink);
    try {
      tether.connect();
    } catch (BenchException e) {
      tether.close();
      throw e;
    }
    return tether;
  }

  /** PS1='$ ' (typed so that its echo does not contain "$ "), and waits for that prompt. */
  static void setPrompt(Term term, Probe probe) throws BenchException {
    term.sink(probe);
    probe.expect("$ ");
    term.type(PROMPT_COMMAND);
    probe.await(10_000, "the '$ ' prompt");
    sleepMillis(50);
  }

  /** What this terminal echoes for a backspace at the end of a line (readline, TERM-dependent). */
  static byte[] calibrateBackspace(Term term, Probe probe) throws BenchException {
    probe.expect("x");
    term.type("x");
    probe.await(5_000, "the echo of x");
    Capture capture = new Capture();
    term.sink(capture);
    term.type(new byte[] {0x7f});
    byte[] echo = capture.awaitQuiet(200, 5_000, "the echo of backspace");
    term.sink(probe);
    if (echo.length == 0 || echo[0] != '\b') {
      throw new BenchException("unexpected backspace echo: " + Probe.printable(echo));
    }
    return echo;
  }

  // ---------------------------------------------------------------------------------------------
  // Output

  private void header() throws Exception {
    out("Tether benchmark, %s", ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
    out(
        "machine: %d cores, %s %s, Java %s; load average %s",
        cores,
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("java.version"),
        loadAverage());
    out("server: %s (JVM pid %s)", url, serverPid > 0 ? serverPid : "unknown");
    if (phases.contains("relay")) {
      out("relay: the same sessions through %s (owner expected: %s)", relayUrl, relayOwner);
    }
    out(
        "shell: %s in %s, %dx%d, TERM=xterm-256color (the node is started with the same)",
        String.join(" ", shell.command()), shell.directory(), cols, rows);
    out(
        "CPU latency QoS (%s): %s",
        CpuLatencyRequest.DEVICE,
        KernelCpuLatency.target().isPresent()
            ? KernelCpuLatency.target().getAsInt()
                + " µs enforced now; bulk is measured bare, bare read as the server reads (with"
                + " the node's 0 µs request while output streams), and through Tether"
            : "not readable here; the bare+awake side is skipped");
    if (phases.equals(Set.of("relay"))) {
      out(
          "plan: %d rounds, each one session on the owner: echo %d samples after %d warm-up and"
              + " bulk seq 1..%,d, once directly and once through the relaying node, alternating"
              + " which goes first",
          rounds, echoSamples, echoWarmup, bulkCount);
      out("");
      return;
    }
    out(
        "plan: %d rounds alternating bare PTY and Tether; echo %d samples per round and side after"
            + " %d warm-up; bulk seq 1..%,d once per round and side (twice on the bare shell:"
            + " plain, then read as the server reads); connect %d and resume %d runs"
            + " in all",
        rounds, echoSamples, echoWarmup, bulkCount, connectRuns, resumeRuns);
    out("");
  }

  private void summary() {
    out("");
    out(
        "Shell output: first prompt bare %s, Tether %s",
        q(firstPrompt.get(Side.BARE)), q(firstPrompt.get(Side.TETHER)));
    out(
        "              backspace echo bare %s, Tether %s",
        q(backspaceEcho.get(Side.BARE)), q(backspaceEcho.get(Side.TETHER)));
    if (!visiblePrompt(firstPrompt.get(Side.BARE))
        .equals(visiblePrompt(firstPrompt.get(Side.TETHER)))) {
      out("WARNING: the node's shell does not start like the bare one; figures may not compare.");
    }
    warnAboutFailures();
    out("              WebSocket listener thread: %s", TetherTerm.listenerThread);
    out("");
    out("Per round (bare PTY / Tether; bulk bare PTY / bare+awake / Tether):");
    for (int r = 0; r < rounds; r++) {
      out(
          "  round %d: echo p50 %s / %s µs, p99 %s / %s µs, bulk %s / %s / %s MB/s",
          r + 1,
          f0(at(echoP50.get(Side.BARE), r)),
          f0(at(echoP50.get(Side.TETHER), r)),
          f0(at(echoP99.get(Side.BARE), r)),
          f0(at(echoP99.get(Side.TETHER), r)),
          f1(at(bulkMbps.get(Side.BARE), r)),
          f1(at(bulkMbps.get(Side.BARE_AWAKE), r)),
          f1(at(bulkMbps.get(Side.TETHER), r)));
    }
    out("");

    double echoBare = Stats.median(echoP50.get(Side.BARE));
    double echoTether = Stats.median(echoP50.get(Side.TETHER));
    double echoDelta = Stats.median(pairwise(echoP50, false));
    double echoRatio = Stats.median(pairwise(echoP50, true));
    double p99Bare = Stats.median(echoP99.get(Side.BARE));
    double p99Tether = Stats.median(echoP99.get(Side.TETHER));
    double bulkBare = Stats.median(bulkMbps.get(Side.BARE));
    double bulkTether = Stats.median(bulkMbps.get(Side.TETHER));
    double bulkRatio = Stats.median(pairwise(bulkMbps, true));
    double bulkAwake = Stats.median(bulkMbps.get(Side.BARE_AWAKE));
    double bulkAwakeRatio = Stats.median(pairwise(bulkMbps, Side.BARE_AWAKE, Side.TETHER, true));
    double connectBare = Stats.median(connect.get(Side.BARE));
    double connectTether = Stats.median(connect.get(Side.TETHER));
    double resume = Stats.median(resumeAttached);
    double resumeFirst = Stats.median(resumeFirstByte);

    String[][] table = {
      {"metric", "bare PTY", "Tether", "delta / ratio", "target"},
      {
        "echo p50",
        f0(echoBare) + " µs",
        f0(echoTether) + " µs",
        String.format("%+.0f µs  (%.2fx)", echoDelta, echoRatio),
        String.format(
            "Tether <= bare + %.0f µs: %s",
            ECHO_DELTA_TARGET_MICROS, met(echoDelta, echoDelta <= ECHO_DELTA_TARGET_MICROS))
      },
      {
        "echo p99",
        f0(p99Bare) + " µs",
        f0(p99Tether) + " µs",
        String.format(
            "%+.0f µs  (%.2fx)",
            Stats.median(pairwise(echoP99, false)), Stats.median(pairwise(echoP99, true))),
        "-"
      },
      {
        "bulk output",
        f1(bulkBare) + " MB/s",
        f1(bulkTether) + " MB/s",
        String.format("%.2fx", bulkRatio),
        String.format(
            "Tether >= %.0f MB/s: %s",
            BULK_TARGET_MBPS, met(bulkTether, bulkTether >= BULK_TARGET_MBPS))
      },
      {
        "bulk, bare+awake",
        f1(bulkAwake) + " MB/s",
        f1(bulkTether) + " MB/s",
        String.format("%.2fx", bulkAwakeRatio),
        "-"
      },
      {
        "bulk runs intact",
        intact(Side.BARE) + ", " + intact(Side.BARE_AWAKE),
        intact(Side.TETHER),
        "-",
        "every number, in order"
      },
      {
        "connect to prompt",
        f1(connectBare) + " ms",
        f1(connectTether) + " ms",
        String.format(
            "%+.1f ms  (%.1fx)", connectTether - connectBare, connectTether / connectBare),
        "-"
      },
      {
        "resume to attached",
        "-",
        f1(resume) + " ms",
        "-",
        String.format(
            "< %.0f ms: %s", RESUME_TARGET_MILLIS, met(resume, resume < RESUME_TARGET_MILLIS))
      },
      {"resume to 1st replayed byte", "-", f1(resumeFirst) + " ms", "-", "-"},
    };
    printTable(table);
    out("");
    out(
        "Samples: echo %d rounds x %d samples per side (p50/p99 per round, median over rounds;"
            + " delta and ratio paired per round); bulk %d+%d+%d verified runs (bare, bare+awake,"
            + " Tether) of %,d bytes (MB = 10^6 bytes); connect %d+%d runs; resume %d runs (%s bytes"
            + " replayed each).",
        counted(echoP50.get(Side.BARE)),
        echoSamples,
        counted(bulkMbps.get(Side.BARE)),
        counted(bulkMbps.get(Side.BARE_AWAKE)),
        counted(bulkMbps.get(Side.TETHER)),
        bulkBytes,
        connect.get(Side.BARE).size(),
        connect.get(Side.TETHER).size(),
        resumeAttached.size(),
        resumeReplayed.isEmpty()
            ? "-"
            : resumeReplayed.stream().mapToLong(Long::longValue).min().getAsLong()
                + ".."
                + resumeReplayed.stream().mapToLong(Long::longValue).max().getAsLong());
    out(
        "Spread over rounds: echo p50 bare %s..%s µs, Tether %s..%s µs; bulk bare %s..%s MB/s,"
            + " bare+awake %s..%s MB/s, Tether %s..%s MB/s",
        f0(Stats.min(echoP50.get(Side.BARE))),
        f0(Stats.max(echoP50.get(Side.BARE))),
        f0(Stats.min(echoP50.get(Side.TETHER))),
        f0(Stats.max(echoP50.get(Side.TETHER))),
        f1(Stats.min(bulkMbps.get(Side.BARE))),
        f1(Stats.max(bulkMbps.get(Side.BARE))),
        f1(Stats.min(bulkMbps.get(Side.BARE_AWAKE))),
        f1(Stats.max(bulkMbps.get(Side.BARE_AWAKE))),
        f1(Stats.min(bulkMbps.get(Side.TETHER))),
        f1(Stats.max(bulkMbps.get(Side.TETHER))));
    out(
        "Bare connect, medians: PtyShell.start %.1f ms, then first byte after %.1f ms",
        Stats.median(connectBareStart), connectBare - Stats.median(connectBareStart));
    out(
        "Tether connect, medians: ticket %.1f ms, WebSocket open %.1f ms, hello to attached %.1f"
            + " ms, attached to first byte %.1f ms",
        Stats.median(connectTicket),
        Stats.median(connectOpen),
        Stats.median(connectAttached),
        Stats.median(connectFirstByte));
    out(
        "Tether resume, medians: ticket %.1f ms, WebSocket open %.1f ms, hello to attached %.1f"
            + " ms; to attached min %.1f max %.1f ms",
        Stats.median(resumeTicket),
        Stats.median(resumeOpen),
        Stats.median(resumeHello),
        Stats.min(resumeAttached),
        Stats.max(resumeAttached));
  }

  private void relaySummary() {
    out("");
    out(
        "Relay: sessions owned by %s (%s), measured on a connection to the owner (direct) and"
            + " through %s (relay), same shell, same round",
        relayOwner, url, relayUrl);
    warnAboutFailures();
    out("");
    out("Per round (direct / relay):");
    for (int r = 0; r < rounds; r++) {
      out(
          "  round %d: echo p50 %s / %s µs, p99 %s / %s µs, bulk %s / %s MB/s",
          r + 1,
          f0(at(echoP50.get(Side.TETHER), r)),
          f0(at(echoP50.get(Side.RELAY), r)),
          f0(at(echoP99.get(Side.TETHER), r)),
          f0(at(echoP99.get(Side.RELAY), r)),
          f1(at(bulkMbps.get(Side.TETHER), r)),
          f1(at(bulkMbps.get(Side.RELAY), r)));
    }
    out("");
    double echoDelta = Stats.median(pairwise(echoP50, Side.TETHER, Side.RELAY, false));
    double bulkRatio = Stats.median(pairwise(bulkMbps, Side.TETHER, Side.RELAY, true));
    String[][] table = {
      {"metric", "direct (owner)", "relay", "delta / ratio", "target"},
      {
        "echo p50",
        f0(Stats.median(echoP50.get(Side.TETHER))) + " µs",
        f0(Stats.median(echoP50.get(Side.RELAY))) + " µs",
        String.format(
            "%+.0f µs  (%.2fx)",
            echoDelta, Stats.median(pairwise(echoP50, Side.TETHER, Side.RELAY, true))),
        String.format(
            "relay <= direct + %.0f µs: %s",
            RELAY_ECHO_DELTA_TARGET_MICROS,
            met(echoDelta, echoDelta <= RELAY_ECHO_DELTA_TARGET_MICROS))
      },
      {
        "echo p99",
        f0(Stats.median(echoP99.get(Side.TETHER))) + " µs",
        f0(Stats.median(echoP99.get(Side.RELAY))) + " µs",
        String.format(
            "%+.0f µs  (%.2fx)",
            Stats.median(pairwise(echoP99, Side.TETHER, Side.RELAY, false)),
            Stats.median(pairwise(echoP99, Side.TETHER, Side.RELAY, true))),
        "-"
      },
      {
        "bulk output",
        f1(Stats.median(bulkMbps.get(Side.TETHER))) + " MB/s",
        f1(Stats.median(bulkMbps.get(Side.RELAY))) + " MB/s",
        String.format("%.2fx", bulkRatio),
        String.format(
            "relay >= %.1fx direct: %s",
            RELAY_BULK_RATIO_TARGET, met(bulkRatio, bulkRatio >= RELAY_BULK_RATIO_TARGET))
      },
      {"bulk runs intact", intact(Side.TETHER), intact(Side.RELAY), "-", "every number, in order"},
    };
    printTable(table);
    out("");
    out(
        "Samples: %d rounds, each one session: echo %d samples per path (p50/p99 per round, median"
            + " over rounds; delta and ratio paired per round), bulk one verified run of %,d bytes"
            + " per path; direct first in odd rounds, relay first in even ones.",
        rounds, echoSamples, bulkBytes);
    out(
        "Spread over rounds: echo p50 direct %s..%s µs, relay %s..%s µs; bulk direct %s..%s MB/s,"
            + " relay %s..%s MB/s",
        f0(Stats.min(echoP50.get(Side.TETHER))),
        f0(Stats.max(echoP50.get(Side.TETHER))),
        f0(Stats.min(echoP50.get(Side.RELAY))),
        f0(Stats.max(echoP50.get(Side.RELAY))),
        f1(Stats.min(bulkMbps.get(Side.TETHER))),
        f1(Stats.max(bulkMbps.get(Side.TETHER))),
        f1(Stats.min(bulkMbps.get(Side.RELAY))),
        f1(Stats.max(bulkMbps.get(Side.RELAY))));
  }

  /** Every skipped step and every corrupt bulk run, whatever the phase. */
  private void warnAboutFailures() {
    for (String failed : failedSteps) {
      out("WARNING: a step failed and was skipped: %s", failed);
    }
    for (Side side : Side.values()) {
      for (String failure : bulkFailures.getOrDefault(side, List.of())) {
        out("WARNING: a %s bulk run was corrupt and is not counted: %s", side.label, failure);
      }
    }
  }

  private static void printTable(String[][] table) {
    int[] width = new int[table[0].length];
    for (String[] row : table) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (int r = 0; r < table.length; r++) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < table[r].length; i++) {
        if (i > 0) {
          line.append(" | ");
        }
        String cell = table[r][i];
        // Numbers right-aligned, words left-aligned.
        boolean right = r > 0 && i > 0 && i < 3;
        line.append(
            right
                ? " ".repeat(width[i] - cell.length()) + cell
                : cell + " ".repeat(width[i] - cell.length()));
      }
      out("%s", line.toString().stripTrailing());
      if (r == 0) {
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
          rule.append(i > 0 ? "-|-" : "").append("-".repeat(width[i]));
        }
        out("%s", rule);
      }
    }
  }

  /** Per round: Tether minus bare, or Tether over bare. */
  private static List<Double> pairwise(Map<Side, List<Double>> values, boolean ratio) {
    return pairwise(values, Side.BARE, Side.TETHER, ratio);
  }

  /** Per round: {@code b} minus {@code a}, or {@code b} over {@code a}. */
  private static List<Double> pairwise(
      Map<Side, List<Double>> values, Side a, Side b, boolean ratio) {
    List<Double> bare = values.get(a);
    List<Double> tether = values.get(b);
    List<Double> result = new ArrayList<>();
    for (int i = 0; i < Math.min(bare.size(), tether.size()); i++) {
      if (!bare.get(i).isNaN() && !tether.get(i).isNaN()) {
        result.add(ratio ? tether.get(i) / bare.get(i) : tether.get(i) - bare.get(i));
      }
    }
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private Map<Side, List<Double>> perSideAndRound() {
    Map<Side, List<Double>> map = new EnumMap<>(Side.class);
    for (Side side : Side.values()) {
      map.put(side, new ArrayList<>(java.util.Collections.nCopies(rounds, Double.NaN)));
    }
    return map;
  }

  private static long counted(List<Double> values) {
    return values.stream().filter(v -> !v.isNaN()).count();
  }

  private static Map<Side, List<Double>> perSide() {
    Map<Side, List<Double>> map = new EnumMap<>(Side.class);
    for (Side side : Side.values()) {
      map.put(side, new ArrayList<>());
    }
    return map;
  }

  /** Runs of {@code total} that fall to round {@code round} (spread evenly). */
  private int share(int total, int round) {
    return total / rounds + (round < total % rounds ? 1 : 0);
  }

  private String intact(Side side) {
    long ok = counted(bulkMbps.get(side));
    return ok + "/" + (ok + bulkFailures.getOrDefault(side, List.of()).size());
  }

  /** The verdict on {@code value}; a phase that did not run has none. */
  private static String met(double value, boolean met) {
    if (Double.isNaN(value)) {
      return "not measured";
    }
    return met ? "met" : "NOT met";
  }

  /**
   * The prompt as it ends up on screen: escape sequences removed, and only what follows the last
   * carriage return (bash redraws its first prompt when a resize races with its start).
   */
  private static String visiblePrompt(String printable) {
    if (printable == null) {
      return "";
    }
    String plain = printable.replaceAll("\\\\e\\[[0-9;?]*[A-Za-z]", "");
    int cr = plain.lastIndexOf("\\r");
    return cr < 0 ? plain : plain.substring(cr + 2);
  }

  private static String q(String s) {
    return s == null ? "-" : "\"" + s + "\"";
  }

  private static double at(List<Double> values, int i) {
    return i < values.size() ? values.get(i) : Double.NaN;
  }

  private static String f0(double v) {
    return Double.isNaN(v) ? "-" : String.format("%.0f", v);
  }

  private static String f1(double v) {
    return Double.isNaN(v) ? "-" : String.format("%.1f", v);
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return String.join(" ", Arrays.copyOf(f, 3));
    } catch (Exception e) {
      return "unknown";
    }
  }

  /** Lets the machine settle between measured steps (the server ends sessions asynchronously). */
  private static void pause() {
    sleepMillis(100);
  }

  static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static int even(int n) {
    return n + (n % 2);
  }

  private static String property(String name, String fallback) {
    String value = System.getProperty(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static int intProperty(String name, int fallback) {
    return Integer.parseInt(property(name, String.valueOf(fallback)));
  }

  private static void out(String format, Object... args) {
    System.out.println(args.length == 0 ? format : String.format(format, args));
  }
}
