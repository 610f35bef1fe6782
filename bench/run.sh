#!/usr/bin/env bash
# Runs the Tether benchmark (docs/benchmark.md): builds, starts one local node the way
# server-config/run-single-node.sh does, runs io.tether.bench.Benchmark against it (Tether beside a
# bare PTY, same run), and stops the node again, also on failure or Ctrl-C.
#
# Usage (from anywhere):
#   ./bench/run.sh
#
# Environment:
#   BENCH_SKIP_BUILD    1 = reuse the last build (ear, provisioned WildFly, bench classes and
#                       bench/target/classpath.txt)
#   TETHER_PORT_OFFSET  added to the node's ports (default 0: HTTP 8080, management 9990)
#   TETHER_NODE_NAME    the node's directory under server-config/target/nodes/ (default: bench)
#   BENCH_JAVA_OPTS     extra options for the benchmark JVM, e.g. -Dbench.rounds=3; the settings
#                       are listed in io.tether.bench.Benchmark
#
# The report is printed and kept in bench/target/benchmark-<date>.txt; the node's log is
# bench/target/node.log and server-config/target/nodes/<node>/log/server.log.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$REPO_DIR/bench"
TARGET="$BENCH_DIR/target"
PORT_OFFSET=${TETHER_PORT_OFFSET:-0}
export TETHER_NODE_NAME=${TETHER_NODE_NAME:-bench}
if ! [[ "$PORT_OFFSET" =~ ^[0-9]+$ ]] || [ "$PORT_OFFSET" -gt 50000 ]; then
  echo "TETHER_PORT_OFFSET must be a number between 0 and 50000, not '$PORT_OFFSET'" >&2
  exit 2
fi
HTTP_PORT=$((8080 + PORT_OFFSET))
# The shell both sides run (tether.shell.command's comma-separated form): no rc files, so the bare
# PTY and the node start exactly the same shell.
BENCH_SHELL="/bin/bash,--norc,--noprofile"
BASE_URL="http://127.0.0.1:$HTTP_PORT/tether/"
NODE_DIR="$REPO_DIR/server-config/target/nodes/$TETHER_NODE_NAME"
PID_FILE="$NODE_DIR/server.pid"
STARTUP_TIMEOUT_SECONDS=240

# Shared with the other bench script: log(), the build and the benchmark's CLASSPATH.
# shellcheck source=bench/build.sh
. "$REPO_DIR/bench/build.sh"

# 2. Start the node in the background with run-single-node.sh itself (no second build), with the
#    shell the bare side runs: bash without rc files, so both start the same shell.
NODE_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  stop_benchmark
  if [ -n "$NODE_PID" ]; then
    log "Stopping node '$TETHER_NODE_NAME' ..."
    "$REPO_DIR/server-config/stop-single-node.sh" || true
    # Before the pid file exists (a Ctrl-C during boot), run-single-node.sh stops its server itself.
    kill -TERM "$NODE_PID" 2>/dev/null || true
    for _ in $(seq 1 90); do
      kill -0 "$NODE_PID" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$NODE_PID" 2>/dev/null; then
      log "run-single-node.sh (pid $NODE_PID) did not end; killing it"
      pkill -KILL -P "$NODE_PID" 2>/dev/null || true
      kill -KILL "$NODE_PID" 2>/dev/null || true
    fi
    wait "$NODE_PID" 2>/dev/null || true
    log "Node stopped."
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if (exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT") 2>/dev/null; then
  echo "Port $HTTP_PORT on 127.0.0.1 is in use; stop what holds it or set TETHER_PORT_OFFSET." >&2
  exit 1
fi
log "Starting node '$TETHER_NODE_NAME' on port $HTTP_PORT (log: $TARGET/node.log) ..."
TETHER_SKIP_BUILD=1 TETHER_PORT_OFFSET="$PORT_OFFSET" \
  TETHER_SHELL_COMMAND="$BENCH_SHELL" \
  "$REPO_DIR/server-config/run-single-node.sh" >"$TARGET/node.log" 2>&1 &
NODE_PID=$!

ready=0
for _ in $(seq 1 "$STARTUP_TIMEOUT_SECONDS"); do
  if ! kill -0 "$NODE_PID" 2>/dev/null; then
    break
  fi
  if [ -f "$NODE_DIR/deployments/tether.ear.failed" ]; then
    log "Deployment FAILED: $(cat "$NODE_DIR/deployments/tether.ear.failed")"
    break
  fi
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "${BASE_URL}login.html" || true)" = "200" ]; then
    ready=1
    break
  fi
  sleep 1
done
if [ "$ready" != 1 ]; then
  log "The node did not come up; its output:"
  tail -n 40 "$TARGET/node.log" >&2 || true
  exit 1
fi
SERVER_PID=$(cat "$PID_FILE" 2>/dev/null || echo 0)
log "Node is up (JVM pid $SERVER_PID)."

# 3. The benchmark JVM: temp files and JNA's native library under bench/target.
bench_status=0
run_benchmark "$TARGET/benchmark-$(date +%Y%m%d-%H%M%S).txt" \
  -Dbench.url="$BASE_URL" -Dbench.server.pid="$SERVER_PID" -Dbench.shell="$BENCH_SHELL" \
  || bench_status=$?
exit "$bench_status"
