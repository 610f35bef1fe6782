#!/usr/bin/env bash
# Tether on Payara beside Tether on WildFly, with the bare PTY as the floor, in one run
# (docs/benchmark.md, "Payara beside WildFly"): keystroke echo p50/p99 and bulk output MB/s, byte
# checked. Builds Tether once, provisions Payara, starts one WildFly node and one Payara node with
# the same EAR and the same settings, measures them in alternation through the shared harness
# (../shared/bench-peers), prints a table and writes a report; stops both nodes, also on failure or
# Ctrl-C.
#
# Usage: ./bench/run-servers.sh   (as root, like the nodes; npm reaches the harness's one package)
#   BENCH_SKIP_BUILD=1          reuse the last build, and the provisioned Payara if there is one
#   BENCH_ROUNDS=N              measured rounds (default 6), after one warm-up round not counted
#   BENCH_KEYS=N                keystrokes per echo run (default 1000, after the harness's 200 warm-up)
#   BENCH_KEEP_CPUS_AWAKE=B     false (default) or true, for every party alike (below)
#   BENCH_PEERS_SOURCE=DIR      the harness (default: ../shared/bench-peers beside the repository)
#   TETHER_PORT_OFFSET=N        the WildFly node's port offset (default 3700: HTTP 11780)
#   TETHER_PAYARA_PORT_OFFSET=N the Payara node's port offset (default 3800: HTTP 11880, admin 11848)
#
# The nodes. WildFly through start_bench_node (bench/build.sh), Payara through
# server-config/run-payara-node.sh (domain server-config/target/payara-nodes/servers-payara, kept
# between runs), both from ear/target/tether.ear, both with a 768 MB heap, both with the harness's
# settings of bench/run-peers.sh: the unsafe single-user mode, the harness's shell
# ($PEERS_DIR/shell.sh), 1,000 sessions per user, and tether.pty.keep-cpus-awake as
# BENCH_KEEP_CPUS_AWAKE. WildFly takes them as environment variables, Payara as system properties of
# its domain (TETHER_PAYARA_PROPERTIES of configure-payara-domain.sh). The report quotes the
# settings each node logged at its start.
#
# Two servers in one harness. The harness knows one Tether server, `ours`, whose address comes
# from OURS_BASE. Its adapter (adapters/ours.mjs) takes the address from the server entry's port
# and path when OURS_BASE is unset, so this script appends two entries to lib/servers.mjs of its
# COPY of the harness (bench/target/bench-servers/harness), `wildfly` and `payara`, both spoken to
# by the unchanged `ours` adapter and attached to (no launch command); OURS_BASE is unset. The
# harness's own files are not changed.
#
# The rounds. Each measured round runs, in this order: the bare PTY's echo (the harness's
# floor.py --tests latency: the same shell, keystrokes and pacing as bench.mjs, read straight from
# the PTY), one echo A/B pair (bench.mjs ab --test latency --rounds 1), the bare PTY's bulk output,
# one bulk A/B pair (bench.mjs ab --test bulk --rounds 1). Odd rounds start with WildFly, even ones
# with Payara. The table gives medians over the rounds and, for Payara/WildFly, the median, min and
# max of the per-pair ratios (bench/src/main/node/servers-table.mjs).
#
# The bulk floor. floor.py's bulk goes through a Python read loop (23 MB/s here on a loaded
# machine: slower than both servers, so no floor). The floor here is bench/src/main/c/
# pty-bulk-floor.c, compiled by this script: the same `stty -opost; seq 1 10000000 | cat` on a new
# PTY, read by a blocking 64 KiB read loop as fast as the kernel hands it over, then byte checked.
#
# The CPU latency request (docs/benchmark.md, "Why idle CPUs decided bulk output here"). A node
# holds a 0 us request on /dev/cpu_dma_latency while a terminal streams, unless
# tether.pty.keep-cpus-awake=false; it changes bulk figures by up to 2x here. With the default
# BENCH_KEEP_CPUS_AWAKE=false no party holds one: both nodes run with the setting off and the floor
# reader makes none. With true both nodes hold it while streaming and the floor reader holds it
# while it reads. The floor prints the target in force before each of its runs (2000000000 = no
# request): another process on the machine could hold one. The request acts only through a cpuidle
# driver (haltpoll on the VM of that section); the report names the driver in force: with `none`
# idle CPUs halt whatever is requested, and the setting changes nothing.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET="$REPO_DIR/bench/target"
OFFSET=${TETHER_PORT_OFFSET:-3700}
PAYARA_OFFSET=${TETHER_PAYARA_PORT_OFFSET:-3800}
ROUNDS=${BENCH_ROUNDS:-6}
KEYS=${BENCH_KEYS:-1000}
AWAKE=${BENCH_KEEP_CPUS_AWAKE:-false}
SOURCE=${BENCH_PEERS_SOURCE:-$REPO_DIR/../shared/bench-peers}
HARNESS="$TARGET/bench-servers/harness"
export PEERS_DIR=${PEERS_DIR:-$HOME/.cache/bench-peers}
NODE_NAME=servers-wildfly
PAYARA_NODE=servers-payara
PAYARA_HOME="$REPO_DIR/server-config/target/payara6"
PAYARA_DOMAIN="$REPO_DIR/server-config/target/payara-nodes/$PAYARA_NODE"
PAYARA_BASE="http://127.0.0.1:$((8080 + PAYARA_OFFSET))/tether"
PAYARA_STARTUP_SECONDS=900

for number in "$ROUNDS" "$KEYS" "$OFFSET" "$PAYARA_OFFSET"; do
  if ! [[ "$number" =~ ^[0-9]+$ ]]; then
    echo "BENCH_ROUNDS, BENCH_KEYS and the port offsets must be numbers, not '$number'" >&2
    exit 2
  fi
done
if [ "$AWAKE" != true ] && [ "$AWAKE" != false ]; then
  echo "BENCH_KEEP_CPUS_AWAKE must be true or false, not '$AWAKE'" >&2
  exit 2
fi
if [ ! -d "$SOURCE" ]; then
  echo "No benchmark harness at $SOURCE; set BENCH_PEERS_SOURCE." >&2
  exit 2
fi

# 1. Tether (bench/build.sh: the EAR, the provisioned WildFly, the bench module), Payara, the floor
#    reader and the harness's copy.
. "$REPO_DIR/bench/build.sh"
if [ "${BENCH_SKIP_BUILD:-0}" != "1" ] || [ ! -x "$PAYARA_HOME/bin/asadmin" ]; then
  log "Provisioning Payara (mvn -B -q -DskipTests -Dtether.payara package -pl server-config) ..."
  (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -DskipTests -Dtether.payara package -pl server-config)
fi
cc -O2 -o "$TARGET/pty-bulk-floor" "$REPO_DIR/bench/src/main/c/pty-bulk-floor.c" -lutil
mkdir -p "$HARNESS"
cp -r "$SOURCE/." "$HARNESS/"
chmod -R u+w "$HARNESS"
cat >>"$HARNESS/lib/servers.mjs" <<ENTRIES

// Added by bench/run-servers.sh to its copy: two Tether nodes at once, spoken to by the unchanged
// adapters/ours.mjs (its base URL comes from these ports and paths, OURS_BASE being unset).
servers.wildfly = { adapter: 'ours', port: $((8080 + OFFSET)), path: '/tether/ws/terminal', cmd: null };
servers.payara = { adapter: 'ours', port: $((8080 + PAYARA_OFFSET)), path: '/tether/ws/terminal', cmd: null };
ENTRIES
(cd "$HARNESS" && ./build-peers.sh >/dev/null && npm install --no-audit --no-fund --silent)
unset OURS_BASE OURS_PORT OURS_PATH OURS_CMD
export OURS_USERS=alice:alice-pass,bob:bob-pass

# 2. The nodes. stop_bench_node (bench/build.sh), the trap on exit, failure and signals, stops the
#    Payara node first through stop_bench_extras. Payara starts first, in the background; WildFly
#    once Payara's start script is past the shell accounts' set-up, which both would otherwise run
#    at the same time.
PAYARA_RUN_PID=""
stop_bench_extras() {
  [ -n "$PAYARA_RUN_PID" ] || return 0
  log "Stopping Payara node '$PAYARA_NODE' ..."
  TETHER_NODE_NAME=$PAYARA_NODE "$REPO_DIR/server-config/stop-payara-node.sh" >/dev/null 2>&1 || true
  # Stopped before its domain ran (Ctrl-C during the start): its own trap stops what it started.
  kill -TERM "$PAYARA_RUN_PID" 2>/dev/null || true
  for _ in $(seq 1 120); do
    kill -0 "$PAYARA_RUN_PID" 2>/dev/null || break
    sleep 1
  done
  TETHER_NODE_NAME=$PAYARA_NODE "$REPO_DIR/server-config/stop-payara-node.sh" >/dev/null 2>&1 || true
  if kill -0 "$PAYARA_RUN_PID" 2>/dev/null; then
    log "run-payara-node.sh (pid $PAYARA_RUN_PID) did not end; killing it"
    kill -KILL "$PAYARA_RUN_PID" 2>/dev/null || true
  fi
  wait "$PAYARA_RUN_PID" 2>/dev/null || true
  PAYARA_RUN_PID=""
}
trap stop_bench_node EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

SETTINGS="unsafe single-user mode, the harness's shell, 1000 sessions per user, keep-cpus-awake $AWAKE"
log "Starting Payara node '$PAYARA_NODE' on $PAYARA_BASE ($SETTINGS; log $TARGET/node-$PAYARA_NODE.log) ..."
TETHER_SKIP_BUILD=1 TETHER_NODE_NAME=$PAYARA_NODE TETHER_PORT_OFFSET=$PAYARA_OFFSET \
  TETHER_PAYARA_PROPERTIES="tether.isolation.mode=unsafe-single-user tether.shell.command=$PEERS_DIR/shell.sh tether.session.max-per-user=1000 tether.session.admin.max-per-user=1000 tether.pty.keep-cpus-awake=$AWAKE" \
  "$REPO_DIR/server-config/run-payara-node.sh" >"$TARGET/node-$PAYARA_NODE.log" 2>&1 &
PAYARA_RUN_PID=$!
for _ in $(seq 1 300); do
  grep -q 'Payara domain' "$TARGET/node-$PAYARA_NODE.log" 2>/dev/null && break
  kill -0 "$PAYARA_RUN_PID" 2>/dev/null || break
  sleep 1
done

start_bench_node "$SETTINGS" \
  TETHER_ISOLATION_MODE=unsafe-single-user TETHER_SHELL_COMMAND="$PEERS_DIR/shell.sh" \
  TETHER_SESSION_MAX_PER_USER=1000 TETHER_SESSION_ADMIN_MAX_PER_USER=1000 \
  TETHER_PTY_KEEP_CPUS_AWAKE="$AWAKE"
WILDFLY_PID=$PID

log "Waiting for Payara node '$PAYARA_NODE' (its first start makes its domain: minutes on a loaded machine) ..."
started=$(date +%s)
until [ "$(curl -s -o /dev/null -w '%{http_code}' -u alice:alice-pass -X POST "$PAYARA_BASE/api/tickets" || true)" = 201 ]; do
  if ! kill -0 "$PAYARA_RUN_PID" 2>/dev/null || grep -q 'Deployment FAILED' "$TARGET/node-$PAYARA_NODE.log"; then
    log "The Payara node did not come up; see $TARGET/node-$PAYARA_NODE.log and $PAYARA_DOMAIN/logs/server.log"
    tail -n 20 "$TARGET/node-$PAYARA_NODE.log" >&2 || true
    exit 1
  fi
  if [ $(($(date +%s) - started)) -gt "$PAYARA_STARTUP_SECONDS" ]; then
    log "The Payara node did not come up within $PAYARA_STARTUP_SECONDS s; see $TARGET/node-$PAYARA_NODE.log"
    exit 1
  fi
  sleep 2
done
PAYARA_PID=$(cat "$PAYARA_DOMAIN/config/pid")

# The settings each node logged at its start (TetherSettings), for the report.
logged_settings() { # LOG_FILE: from its last "Tether settings: {...}" line
  local keys='tether\.(pty\.keep-cpus-awake|isolation\.mode|shell\.command|session\.max-per-user)='
  { grep -h 'Tether settings: {' "$1" 2>/dev/null || true; } | tail -n 1 \
    | { grep -oE "${keys}[^,}]*" || true; } | tr '\n' ' '
}

# 3. The rounds: round 0 warms both servers up (JIT) and is not counted.
RUN_DIR="$TARGET/servers-$(date +%Y%m%d-%H%M%S)"
REPORT="$RUN_DIR.txt"
mkdir -p "$RUN_DIR/warmup"
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }
logged() { # the command's output into the report; its failure noted, not fatal
  local status=0
  "$@" 2>&1 | tee -a "$REPORT" || status=$?
  [ "$status" = 0 ] || say "(failed with status $status: $*)"
}
ab_pair() { # TEST FIRST SECOND JSON
  (cd "$HARNESS" && node bench.mjs ab --a "$2" --b "$3" --test "$1" --rounds 1 --keys "$KEYS" --json "$4")
}
floor_echo() { (cd "$HARNESS" && python3 floor.py --tests latency --repeat 1 --keys "$KEYS"); }
floor_bulk() {
  if [ "$AWAKE" = true ]; then "$TARGET/pty-bulk-floor" --awake; else "$TARGET/pty-bulk-floor"; fi
}

: >"$REPORT"
say "Tether on Payara beside Tether on WildFly and the bare PTY, $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "Command: BENCH_ROUNDS=$ROUNDS BENCH_KEYS=$KEYS BENCH_KEEP_CPUS_AWAKE=$AWAKE $0; $(nproc) CPUs, $(uname -sr), $(java -version 2>&1 | head -n 1)"
say "WildFly node: $BASE (JVM pid $WILDFLY_PID), logged: $(logged_settings "$REPO_DIR/server-config/target/nodes/$NODE_NAME/log/server.log")"
say "Payara node:  $PAYARA_BASE (JVM pid $PAYARA_PID), logged: $(logged_settings "$PAYARA_DOMAIN/logs/server.log")"
say "CPU latency request: $([ "$AWAKE" = true ] && echo 'held while streaming by both nodes and while reading by the bulk floor' || echo 'held by no party (both nodes: tether.pty.keep-cpus-awake=false; the bulk floor makes none)'); cpuidle driver $(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo '(unknown)')"
say ""
say "== warm-up round (not counted) =="
logged ab_pair latency wildfly payara "$RUN_DIR/warmup/latency.json"
logged ab_pair bulk wildfly payara "$RUN_DIR/warmup/bulk.json"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then first=wildfly second=payara; else first=payara second=wildfly; fi
  say ""
  say "== round $round of $ROUNDS ($first first), load average $(cut -d' ' -f1-3 /proc/loadavg) =="
  logged floor_echo >"$RUN_DIR/floor-echo-$round.txt"
  cat "$RUN_DIR/floor-echo-$round.txt"
  logged ab_pair latency "$first" "$second" "$RUN_DIR/latency-$round.json"
  logged floor_bulk >"$RUN_DIR/floor-bulk-$round.txt"
  cat "$RUN_DIR/floor-bulk-$round.txt"
  logged ab_pair bulk "$first" "$second" "$RUN_DIR/bulk-$round.json"
done

# 4. The table; the nodes are stopped by the trap.
say ""
say "Summary, $ROUNDS rounds, load average at the end $(cut -d' ' -f1-3 /proc/loadavg):"
node "$REPO_DIR/bench/src/main/node/servers-table.mjs" "$RUN_DIR" | tee -a "$REPORT"
log "Report: $REPORT (round files: $RUN_DIR)"
