#!/usr/bin/env bash
# Stops a node started by run-single-node.sh (from another terminal, or when it runs in the background).
#
# Usage: ./server-config/stop-single-node.sh      (TETHER_NODE_NAME selects the node; default: single)
#
# Sends SIGTERM to the node's JVM (WildFly shuts down in order) and waits for the process to exit,
# so a new node can be started on the same ports right away; SIGKILL only after 60 s.
set -euo pipefail

# --server payara: the same on Payara Server (stop-payara-node.sh); --server wildfly (the default): this script.
if [ "${1:-}" = "--server" ]; then
  case "${2:-}" in
    payara) exec "$(dirname "${BASH_SOURCE[0]}")/stop-payara-node.sh" ;;
    wildfly) shift 2 ;;
    *) echo "usage: $0 [--server wildfly|payara]" >&2; exit 2 ;;
  esac
fi

SERVER_CONFIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE_NAME=${TETHER_NODE_NAME:-single}
PID_FILE="$SERVER_CONFIG_DIR/target/nodes/$NODE_NAME/server.pid"

if [ ! -f "$PID_FILE" ]; then
  echo "[tether] Node '$NODE_NAME' is not running (no $PID_FILE)."
  exit 0
fi
pid=$(cat "$PID_FILE")
if ! kill -0 "$pid" 2>/dev/null; then
  echo "[tether] Node '$NODE_NAME' is not running (stale pid $pid)."
  rm -f "$PID_FILE"
  exit 0
fi

echo "[tether] Stopping node '$NODE_NAME' (pid $pid) ..."
kill -TERM "$pid"
for _ in $(seq 1 60); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "[tether] Node '$NODE_NAME' stopped."
    exit 0
  fi
  sleep 1
done
echo "[tether] Node '$NODE_NAME' did not stop within 60 s; killing pid $pid." >&2
kill -KILL "$pid" 2>/dev/null || true
