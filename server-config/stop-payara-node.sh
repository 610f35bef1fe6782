#!/usr/bin/env bash
# Stops a Payara node started by run-payara-node.sh (from another terminal, or when it runs in the
# background); `stop-single-node.sh --server payara` runs this.
#
# Usage: ./server-config/stop-payara-node.sh      (TETHER_NODE_NAME selects the node; default: single)
#
# asadmin stop-domain shuts the domain down in order and returns once its process has exited, so a
# new node can start on the same ports right away; SIGKILL only if it is still there 60 s later.
set -euo pipefail

SERVER_CONFIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE_NAME=${TETHER_NODE_NAME:-single}
DOMAINS_DIR="$SERVER_CONFIG_DIR/target/payara-nodes"
PID_FILE="$DOMAINS_DIR/$NODE_NAME/config/pid"

if [ ! -f "$PID_FILE" ] || ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "[tether] Payara node '$NODE_NAME' is not running."
  exit 0
fi
pid=$(cat "$PID_FILE")
echo "[tether] Stopping Payara node '$NODE_NAME' (pid $pid) ..."
# Undeployed first: Payara loading a deployed EAR at its next start, then deploying it again, can
# leave it with the old classes. The admin port is the domain's admin listener's.
admin_port=$({ grep -o '<network-listener [^>]*name="admin-listener"[^>]*>' \
  "$DOMAINS_DIR/$NODE_NAME/config/domain.xml" || true; } | head -n 1 | grep -o 'port="[0-9]*"' | tr -dc '0-9' || true)
if [ -n "$admin_port" ]; then
  "$SERVER_CONFIG_DIR/target/payara6/bin/asadmin" --interactive=false --host 127.0.0.1 \
    --port "$admin_port" --user admin undeploy tether >/dev/null 2>&1 || true
fi
"$SERVER_CONFIG_DIR/target/payara6/bin/asadmin" --interactive=false stop-domain \
  --domaindir "$DOMAINS_DIR" "$NODE_NAME" >/dev/null || true
for _ in $(seq 1 60); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "[tether] Payara node '$NODE_NAME' stopped."
    exit 0
  fi
  sleep 1
done
echo "[tether] Payara node '$NODE_NAME' did not stop within 60 s; killing pid $pid." >&2
kill -KILL "$pid" 2>/dev/null || true
