#!/usr/bin/env bash
# Runs the relay benchmark (docs/benchmark.md): builds, starts a local 2-node cluster with
# server-config/start-cluster.sh 2, measures echo and bulk of sessions owned by node1, directly on
# node1 and through node2 (which relays to node1), in the same run, and stops the cluster again with
# server-config/stop-cluster.sh, also on failure or Ctrl-C.
#
# Usage (from anywhere):
#   ./bench/run-relay.sh
#
# Environment:
#   BENCH_SKIP_BUILD    1 = reuse the last build (ear, provisioned WildFly, bench classes and
#                       bench/target/classpath.txt)
#   TETHER_PORT_OFFSET  added to the nodes' ports (default 0: node1 HTTP 8080, node2 HTTP 8180);
#                       passed to start-cluster.sh
#   TETHER_LB_PORT      the port of the cluster's nginx (default 8000; the benchmark does not use it)
#   BENCH_JAVA_OPTS     extra options for the benchmark JVM, e.g. -Dbench.rounds=3
#
# The benchmark talks to node1's and node2's own URLs, not to nginx. The report is printed and kept in
# bench/target/benchmark-relay-<date>.txt; the nodes' logs are in server-config/target/cluster/nodeK/log/.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$REPO_DIR/bench"
TARGET="$BENCH_DIR/target"
CLUSTER_DIR="$REPO_DIR/server-config/target/cluster"
PORT_OFFSET=${TETHER_PORT_OFFSET:-0}
if ! [[ "$PORT_OFFSET" =~ ^[0-9]+$ ]] || [ "$PORT_OFFSET" -gt 50000 ]; then
  echo "TETHER_PORT_OFFSET must be a number between 0 and 50000, not '$PORT_OFFSET'" >&2
  exit 2
fi
# start-cluster.sh: node K has port offset (K-1)*100 + TETHER_PORT_OFFSET.
NODE1_URL="http://127.0.0.1:$((8080 + PORT_OFFSET))/tether/"
NODE2_URL="http://127.0.0.1:$((8180 + PORT_OFFSET))/tether/"
# The shell of the nodes (tether.shell.command, from the environment start-cluster.sh passes on to
# the nodes): no rc files, as in run.sh.
BENCH_SHELL="/bin/bash,--norc,--noprofile"

# Shared with the other bench script: log(), the build and the benchmark's CLASSPATH.
# shellcheck source=bench/build.sh
. "$REPO_DIR/bench/build.sh"

# 2. The cluster. start-cluster.sh refuses to start beside a running cluster or on busy ports; from
#    here on, whatever happens, stop-cluster.sh runs (it also stops a half-started cluster).
CLUSTER_STARTED=0
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  stop_benchmark
  if [ "$CLUSTER_STARTED" = 1 ]; then
    log "Stopping the cluster (server-config/stop-cluster.sh) ..."
    "$REPO_DIR/server-config/stop-cluster.sh" || status=1
    # stop-cluster.sh waits for every node and nginx; check that nothing of this cluster is left.
    left=$(pgrep -af -- "jboss-modules\.jar.*-Djboss\.server\.base\.dir=$CLUSTER_DIR/|nginx.*$CLUSTER_DIR/nginx" || true)
    if [ -n "$left" ]; then
      log "WARNING: processes of the cluster are still running:"
      printf '%s\n' "$left" >&2
      status=1
    else
      log "Cluster stopped; no node or nginx of it is left."
    fi
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

log "Starting a 2-node cluster (server-config/start-cluster.sh 2; logs in $CLUSTER_DIR/nodeK/log/) ..."
CLUSTER_STARTED=1
TETHER_SKIP_BUILD=1 TETHER_PORT_OFFSET="$PORT_OFFSET" TETHER_SHELL_COMMAND="$BENCH_SHELL" \
  "$REPO_DIR/server-config/start-cluster.sh" 2 >"$TARGET/cluster.log" 2>&1 \
  || { log "The cluster did not come up; its output:"; tail -n 40 "$TARGET/cluster.log" >&2; exit 1; }
SERVER_PID=$(cat "$CLUSTER_DIR/node1/server.pid" 2>/dev/null || echo 0)
RELAY_PID=$(cat "$CLUSTER_DIR/node2/server.pid" 2>/dev/null || echo 0)
log "Cluster is up: node1 $NODE1_URL (JVM pid $SERVER_PID), node2 $NODE2_URL (JVM pid $RELAY_PID)."

# 3. The benchmark JVM, relay phase only: node1 is the owner, node2 relays.
bench_status=0
run_benchmark "$TARGET/benchmark-relay-$(date +%Y%m%d-%H%M%S).txt" \
  -Dbench.phases=relay -Dbench.url="$NODE1_URL" -Dbench.relay.url="$NODE2_URL" \
  -Dbench.relay.owner=node1 -Dbench.server.pid="$SERVER_PID" \
  -Dbench.relay.server.pid="$RELAY_PID" -Dbench.shell="$BENCH_SHELL" \
  || bench_status=$?
exit "$bench_status"
