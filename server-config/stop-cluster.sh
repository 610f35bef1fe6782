#!/usr/bin/env bash
# Stops the local cluster that start-cluster.sh started: nginx first (no new connections), then every
# node, and waits until all of their processes have exited, so a new cluster can start on the same
# ports right away.
#
# Usage: ./server-config/stop-cluster.sh                    nginx and every node
#        ./server-config/stop-cluster.sh --node K           node K only (the rest go on);
#                                                            start-cluster.sh --node K starts it again
#        ./server-config/stop-cluster.sh --node K --kill    node K with SIGKILL, as a crash would
#        ./server-config/stop-cluster.sh --server payara    the Payara cluster (stop-payara-cluster.sh)
#
# Each node gets SIGTERM (WildFly shuts down in order: sessions end, the node leaves the Hazelcast and
# JGroups clusters), all at once; SIGKILL only for a node still running after 60 s.
set -euo pipefail

# --server payara: the same cluster on Payara Server (stop-payara-cluster.sh); --server wildfly, the default.
if [ "${1:-}" = "--server" ]; then
  case "${2:-}" in
    payara) shift 2; exec "$(dirname "${BASH_SOURCE[0]}")/stop-payara-cluster.sh" "$@" ;;
    wildfly) shift 2 ;;
    *) echo "usage: $0 [--server wildfly|payara] ..." >&2; exit 2 ;;
  esac
fi

ONE_NODE=""
SIGNAL=TERM
if [ "${1:-}" = "--node" ]; then
  ONE_NODE=${2:-}
  if ! [[ "$ONE_NODE" =~ ^[0-9]+$ ]]; then
    echo "usage: $0 [--node K [--kill]]" >&2
    exit 2
  fi
  [ "${3:-}" = "--kill" ] && SIGNAL=KILL
elif [ -n "${1:-}" ]; then
  echo "usage: $0 [--node K [--kill]]" >&2
  exit 2
fi

SERVER_CONFIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLUSTER_DIR=${TETHER_CLUSTER_DIR:-"$SERVER_CONFIG_DIR/target/cluster"}
NGINX_DIR="$CLUSTER_DIR/nginx"
STOP_TIMEOUT_SECONDS=60

log() { printf '[tether] %s\n' "$*" 2>/dev/null || true; }
alive() { kill -0 "$1" 2>/dev/null; }

# Waits until none of the given pids is alive; SIGKILL for the survivors after the timeout.
await_exit() {
  local timeout=$1 what=$2 pid left
  shift 2
  for _ in $(seq 1 $((timeout * 5))); do
    left=""
    for pid in "$@"; do alive "$pid" && left="$left $pid"; done
    [ -z "$left" ] && return 0
    sleep 0.2
  done
  log "$what did not stop within $timeout s; killing pid(s)$left"
  for pid in $left; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in $left; do
    while alive "$pid"; do sleep 0.1; done
  done
}

if [ ! -d "$CLUSTER_DIR" ]; then
  log "No cluster was started here (no $CLUSTER_DIR)."
  exit 0
fi

# 1. nginx: QUIT lets the master finish its workers gracefully. It stays for one node's stop.
if [ -n "$ONE_NODE" ]; then
  :
elif [ -f "$NGINX_DIR/nginx.pid" ] && alive "$(cat "$NGINX_DIR/nginx.pid")"; then
  nginx_pid=$(cat "$NGINX_DIR/nginx.pid")
  log "Stopping nginx (pid $nginx_pid) ..."
  kill -QUIT "$nginx_pid" 2>/dev/null || true
  await_exit 10 nginx "$nginx_pid"
  rm -f "$NGINX_DIR/nginx.pid"
else
  log "nginx is not running."
fi

# 2. The nodes, all at once. A node is found by its pid file, or else by its base dir on a java
#    command line (a node whose start-up was interrupted before it wrote the file).
pids=()
for node_dir in "$CLUSTER_DIR"/node*; do
  [ -d "$node_dir" ] || continue
  [ -z "$ONE_NODE" ] || [ "$node_dir" = "$CLUSTER_DIR/node$ONE_NODE" ] || continue
  node=$(basename "$node_dir")
  pid=""
  if [ -f "$node_dir/server.pid" ] && alive "$(cat "$node_dir/server.pid")"; then
    pid=$(cat "$node_dir/server.pid")
  else
    pid=$(pgrep -f -- "jboss-modules\.jar.*-Djboss\.server\.base\.dir=$node_dir( |$)" | head -1 || true)
  fi
  if [ -n "$pid" ]; then
    if [ "$SIGNAL" = KILL ]; then
      log "Killing $node (pid $pid) with SIGKILL ..."
    else
      log "Stopping $node (pid $pid) ..."
    fi
    kill "-$SIGNAL" "$pid" 2>/dev/null || true
    pids+=("$pid")
  fi
  rm -f "$node_dir/server.pid"
done
if [ "${#pids[@]}" -gt 0 ]; then
  await_exit "$STOP_TIMEOUT_SECONDS" "a node" "${pids[@]}"
  log "${#pids[@]} node(s) stopped."
elif [ -n "$ONE_NODE" ]; then
  log "node$ONE_NODE is not running."
else
  log "No node is running."
fi
