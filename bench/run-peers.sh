#!/usr/bin/env bash
# Tether beside ttyd and the bare PTY, in one run (docs/benchmark.md, "Beside ttyd"): builds
# Tether and ttyd 1.7.7 (the harness in ../shared/bench-peers builds it from the source kept there),
# starts one Tether node running the harness's shell in the unsafe single-user mode (as ttyd runs
# it: the server's account, no sandbox), and runs the harness's A/B alternations (keystroke echo,
# bulk output, setup to prompt; ratios Tether/ttyd per pair), its heap-per-session probe and the
# bare-PTY floor. Prints the figures and a summary; stops the node, also on failure or Ctrl-C.
#
# Bulk output is measured twice, and the bare-PTY floor with it in the same run
# (bench/src/main/c/pty-bulk-floor.c, compiled here with cc: the harness's bulk command on a bare
# PTY, read as fast as the kernel hands it over): with no CPU latency request in force (the node's
# own request off, TETHER_PTY_KEEP_CPUS_AWAKE=false, for the whole run), then with a 0 us request
# held on /dev/cpu_dma_latency for the whole pass, for ttyd, Tether and the floor alike (the kernel
# takes the least request in force, so this covers what the node would hold by itself while it
# streams).
#
# Usage: ./bench/run-peers.sh   (as root; the network reaches Debian's packages and npm once)
#   BENCH_SKIP_BUILD=1       reuse the last Tether build
#   BENCH_PEERS_SOURCE=DIR   the harness (default: ../shared/bench-peers beside the repository)
#   TETHER_PORT_OFFSET=N     the node's port offset (default 2600)
#   BENCH_ROUNDS=N           A/B pairs per figure (default 6)
#   BENCH_PHASES="..."       which phases, in this order (default: latency bulk setup heap floor)
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET="$REPO_DIR/bench/target"
OFFSET=${TETHER_PORT_OFFSET:-2600}
ROUNDS=${BENCH_ROUNDS:-6}
PHASES=" ${BENCH_PHASES:-latency bulk setup heap floor} "
BULK_N=10000000 # the harness's bulk command: stty -opost; seq 1 N | cat
SOURCE=${BENCH_PEERS_SOURCE:-$REPO_DIR/../shared/bench-peers}
HARNESS="$TARGET/bench-peers"
export PEERS_DIR=${PEERS_DIR:-$HOME/.cache/bench-peers}
NODE_NAME=peers

. "$REPO_DIR/bench/build.sh"

# The harness is copied (its folder may be read-only) and its ttyd built once.
if [ ! -d "$SOURCE" ]; then
  echo "No benchmark harness at $SOURCE; set BENCH_PEERS_SOURCE." >&2
  exit 2
fi
mkdir -p "$HARNESS"
cp -r "$SOURCE/." "$HARNESS/"
(cd "$HARNESS" && ./build-peers.sh >/dev/null && npm install --no-audit --no-fund --silent)
cc -O2 -Wall -o "$TARGET/pty-bulk-floor" "$REPO_DIR/bench/src/main/c/pty-bulk-floor.c" -lutil

# hold_cpu_latency COMMAND...: runs COMMAND with a 0 us CPU latency request held meanwhile.
hold_cpu_latency() {
  local holder status=0
  "$TARGET/pty-bulk-floor" --hold &
  holder=$!
  "$@" || status=$?
  kill "$holder" 2>/dev/null || true # the request goes with the holder
  wait "$holder" 2>/dev/null || true
  return "$status"
}

# bulk_pass WAY: ROUNDS rounds of ttyd, Tether and the bare PTY in turn (each round one run of
# each, seconds apart, so the three ratios of a round saw the same machine), all under the same
# CPU latency request (WAY: off or held); then the medians of the figures and of the ratios.
bulk_pass() {
  local way=$1 i pair bare
  echo "--- bulk, CPU latency request $way for all ---"
  for i in $(seq 1 "$ROUNDS"); do
    pair=$(node bench.mjs ab --a ttyd --b ours --test bulk --rounds 1 | grep '^round 1:')
    # (its own request, --awake, is not needed: the pass holds one, or none, for all three)
    bare=$("$TARGET/pty-bulk-floor" "$BULK_N" | sed -n 's/.* = \([0-9.]*\) MB\/s.*integrity ok$/\1/p')
    echo "bulk ($way) round $i: bare PTY ${bare:-FAILED} MB/s; ${pair#round 1: }"
  done | tee "$TARGET/bulk-$way.txt"
  python3 - "$way" "$TARGET/bulk-$way.txt" <<'PY'
import re, statistics, sys
way, rows = sys.argv[1], []
for line in open(sys.argv[2]):
    m = re.search(r"bare PTY ([0-9.]+) MB/s; ttyd ([0-9.]+) \((\w+)\)\s+ours ([0-9.]+) \((\w+)\)", line)
    if m:
        rows.append((float(m[1]), float(m[2]), float(m[4]), m[3] == "ok" and m[5] == "ok"))
if rows:
    med = lambda xs: statistics.median(xs)
    print(f"bulk ({way}) [MB/s], medians of {len(rows)} rounds: bare PTY {med([r[0] for r in rows]):.1f}, "
          f"ttyd {med([r[1] for r in rows]):.1f}, Tether {med([r[2] for r in rows]):.1f}; "
          f"Tether/bare PTY {med([r[2] / r[0] for r in rows]):.2f}, ttyd/bare PTY {med([r[1] / r[0] for r in rows]):.2f}, "
          f"Tether/ttyd {med([r[2] / r[1] for r in rows]):.2f}; every run intact: {all(r[3] for r in rows)}")
PY
}

start_bench_node "unsafe single-user mode, the harness's shell" \
  TETHER_ISOLATION_MODE=unsafe-single-user TETHER_SHELL_COMMAND="$PEERS_DIR/shell.sh" \
  TETHER_SESSION_MAX_PER_USER=1000 TETHER_SESSION_ADMIN_MAX_PER_USER=1000 \
  TETHER_PTY_KEEP_CPUS_AWAKE=false
export OURS_BASE=$BASE OURS_USERS=alice:alice-pass,bob:bob-pass

REPORT="$TARGET/benchmark-peers-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "Tether beside ttyd 1.7.7 and the bare PTY, $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  cd "$HARNESS"
  case $PHASES in *" latency "*) node bench.mjs ab --a ttyd --b ours --test latency --rounds "$ROUNDS" --keys 1000 ;; esac
  case $PHASES in *" bulk "*)
    bulk_pass off
    hold_cpu_latency bulk_pass held
    ;;
  esac
  case $PHASES in *" setup "*) node bench.mjs ab --a ttyd --b ours --test setup --rounds "$ROUNDS" ;; esac
  case $PHASES in *" heap "*) node heap.mjs --pid "$PID" --n 200 ;; esac
  # The bare PTY's echo and setup; its bulk floor is pty-bulk-floor's, above (floor.py reads through Python).
  case $PHASES in *" floor "*) python3 floor.py --tests setup,latency --repeat 3 ;; esac
} 2>&1 | tee "$REPORT"

echo
echo "Summary (medians of $ROUNDS A/B pairs, ratios Tether/ttyd; bulk: medians of $ROUNDS rounds of all three):"
grep -E '^A/B |^bulk \((off|held)\) \[' "$REPORT" || true
log "Report: $REPORT"
