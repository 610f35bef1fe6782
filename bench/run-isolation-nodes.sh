#!/usr/bin/env bash
# What isolation costs a user, through real nodes (docs/benchmark.md): starts two nodes of the same
# build, one isolating its shells and one in the unsafe single-user mode, runs
# io.tether.bench.NodeIsolationBenchmark against both (setup to prompt through ticket, WebSocket and
# hello, and keystroke-to-echo, alternating), and stops both nodes, also on failure or Ctrl-C.
#
# Usage: ./bench/run-isolation-nodes.sh   (as root)
#   BENCH_SKIP_BUILD=1    reuse the last build
#   TETHER_PORT_OFFSET=N  the isolated node's port offset (default 2400); the unsafe one's is N+100
#   BENCH_JAVA_OPTS       e.g. "-Dbench.rounds=7 -Dbench.isolation.connects=10"
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET="$REPO_DIR/bench/target"
OFFSET=${TETHER_PORT_OFFSET:-2400}
SHELL_COMMAND="/bin/bash,--norc,--noprofile"
STARTUP_TIMEOUT_SECONDS=240

. "$REPO_DIR/bench/build.sh"

NODES=()
stop_nodes() {
  local status=$?
  trap - EXIT INT TERM HUP
  stop_benchmark
  for entry in "${NODES[@]}"; do
    local name=${entry%%:*} offset=${entry#*:}
    log "Stopping node '$name' ..."
    TETHER_NODE_NAME="$name" TETHER_PORT_OFFSET="$offset" \
      "$REPO_DIR/server-config/stop-single-node.sh" >/dev/null 2>&1 || true
  done
  wait 2>/dev/null || true
  exit "$status"
}
trap stop_nodes EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# start_node NAME OFFSET [VAR=value ...]: one node in the background, its output in bench/target.
start_node() {
  local name=$1 offset=$2
  shift 2
  NODES+=("$name:$offset")
  log "Starting node '$name' on port $((8080 + offset)) ($*) ..."
  env "$@" TETHER_SKIP_BUILD=1 TETHER_NODE_NAME="$name" TETHER_PORT_OFFSET="$offset" \
    TETHER_SHELL_COMMAND="$SHELL_COMMAND" \
    "$REPO_DIR/server-config/run-single-node.sh" >"$TARGET/node-$name.log" 2>&1 &
}

# await_node OFFSET: until a ticket can be had from the node.
await_node() {
  local url="http://127.0.0.1:$((8080 + $1))/tether/api/tickets"
  for _ in $(seq 1 "$STARTUP_TIMEOUT_SECONDS"); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -u alice:alice-pass -X POST "$url" || true)" = 201 ]; then
      return 0
    fi
    sleep 1
  done
  log "The node on port $((8080 + $1)) did not come up"
  return 1
}

start_node iso-isolated "$OFFSET" TETHER_ISOLATION_MODE=accounts \
  TETHER_ISOLATION_SPARES="${TETHER_ISOLATION_SPARES:-16}" # the default, unless set
start_node iso-unsafe "$((OFFSET + 100))" TETHER_ISOLATION_MODE=unsafe-single-user
await_node "$OFFSET"
await_node "$((OFFSET + 100))"

REPORT="$TARGET/benchmark-isolation-nodes-$(date +%Y%m%d-%H%M%S).txt"
BENCH_MAIN=io.tether.bench.NodeIsolationBenchmark run_benchmark "$REPORT" \
  -Dbench.isolated.url="http://127.0.0.1:$((8080 + OFFSET))/tether/" \
  -Dbench.unsafe.url="http://127.0.0.1:$((8180 + OFFSET))/tether/"
