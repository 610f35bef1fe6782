#!/usr/bin/env bash
# Tether beside ttyd and the bare PTY, in one run (docs/benchmark.md, "Beside ttyd"): builds
# Tether and ttyd 1.7.7 (the harness in ../shared/bench-peers builds it from the source kept there),
# starts one Tether node running the harness's shell in the unsafe single-user mode (as ttyd runs
# it: the server's account, no sandbox), and runs the harness's A/B alternations (keystroke echo,
# bulk output, setup to prompt; ratios Tether/ttyd per pair), its heap-per-session probe and the
# bare-PTY floor. Prints the figures and a summary; stops the node, also on failure or Ctrl-C.
#
# Usage: ./bench/run-peers.sh   (as root; the network reaches Debian's packages and npm once)
#   BENCH_SKIP_BUILD=1       reuse the last Tether build
#   BENCH_PEERS_SOURCE=DIR   the harness (default: ../shared/bench-peers beside the repository)
#   TETHER_PORT_OFFSET=N     the node's port offset (default 2600)
#   BENCH_ROUNDS=N           A/B pairs per figure (default 6)
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET="$REPO_DIR/bench/target"
OFFSET=${TETHER_PORT_OFFSET:-2600}
ROUNDS=${BENCH_ROUNDS:-6}
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

start_bench_node "unsafe single-user mode, the harness's shell" \
  TETHER_ISOLATION_MODE=unsafe-single-user TETHER_SHELL_COMMAND="$PEERS_DIR/shell.sh" \
  TETHER_SESSION_MAX_PER_USER=1000 TETHER_SESSION_ADMIN_MAX_PER_USER=1000
export OURS_BASE=$BASE OURS_USERS=alice:alice-pass,bob:bob-pass

REPORT="$TARGET/benchmark-peers-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "Tether beside ttyd 1.7.7 and the bare PTY, $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  cd "$HARNESS"
  node bench.mjs ab --a ttyd --b ours --test latency --rounds "$ROUNDS" --keys 1000
  node bench.mjs ab --a ttyd --b ours --test bulk --rounds "$ROUNDS"
  node bench.mjs ab --a ttyd --b ours --test setup --rounds "$ROUNDS"
  node heap.mjs --pid "$PID" --n 200
  python3 floor.py --tests setup,latency,throughput --repeat 3
} 2>&1 | tee "$REPORT"

echo
echo "Summary (medians of $ROUNDS A/B pairs; ratios Tether/ttyd):"
grep -E '^A/B ' "$REPORT" || true
log "Report: $REPORT"
