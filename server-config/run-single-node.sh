#!/usr/bin/env bash
# Builds Tether and runs it on one local WildFly node, in the foreground, until Ctrl-C.
#
# Usage (from anywhere; paths are taken relative to this script):
#   ./server-config/run-single-node.sh [--server wildfly|payara]   (payara: run-payara-node.sh)
#
# Environment:
#   TETHER_PORT_OFFSET  added to every port (default 0): HTTP 8080+offset, management 9990+offset
#   TETHER_NODE_NAME    node name and directory under server-config/target/nodes/ (default: single)
#   TETHER_SKIP_BUILD   1 = reuse the last build instead of running Maven
#   JBOSS_JAVA_SIZING   heap options (default: -Xms64m -Xmx768m)
#
# The node gets its own base dir (a fresh copy of the provisioned standalone/configuration, the EAR
# in deployments/, temp files under tmp/), so the provisioned server in target/wildfly stays clean
# and several nodes can share it. The node's users (application-users.properties and
# application-roles.properties, where add-user.sh -sc <node>/configuration writes) are kept from one
# start to the next. The server's console goes to <node>/log/console.log (server.log beside it);
# this script prints its progress and, once the EAR is deployed, the URL and logins, last.
# Stop with Ctrl-C, or server-config/stop-single-node.sh.
set -euo pipefail

# --server payara: the same on Payara Server (run-payara-node.sh); --server wildfly (the default): this script.
if [ "${1:-}" = "--server" ]; then
  case "${2:-}" in
    payara) exec "$(dirname "${BASH_SOURCE[0]}")/run-payara-node.sh" ;;
    wildfly) shift 2 ;;
    *) echo "usage: $0 [--server wildfly|payara]" >&2; exit 2 ;;
  esac
fi

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER_CONFIG_DIR="$REPO_DIR/server-config"
WILDFLY_HOME="$SERVER_CONFIG_DIR/target/wildfly"
EAR="$REPO_DIR/ear/target/tether.ear"
USERS_FILE="$SERVER_CONFIG_DIR/src/main/users/dev-users.txt"

PORT_OFFSET=${TETHER_PORT_OFFSET:-0}
NODE_NAME=${TETHER_NODE_NAME:-single}
if ! [[ "$PORT_OFFSET" =~ ^[0-9]+$ ]] || [ "$PORT_OFFSET" -gt 50000 ]; then
  echo "TETHER_PORT_OFFSET must be a number between 0 and 50000, not '$PORT_OFFSET'" >&2
  exit 2
fi
if ! [[ "$NODE_NAME" =~ ^[A-Za-z0-9._-]+$ ]]; then
  echo "TETHER_NODE_NAME may only hold letters, digits, '.', '_' and '-', not '$NODE_NAME'" >&2
  exit 2
fi
HTTP_PORT=$((8080 + PORT_OFFSET))
MANAGEMENT_PORT=$((9990 + PORT_OFFSET))
NODE_DIR="$SERVER_CONFIG_DIR/target/nodes/$NODE_NAME"
PID_FILE="$NODE_DIR/server.pid"
URL="http://127.0.0.1:$HTTP_PORT/tether/"
STARTUP_TIMEOUT_SECONDS=180

# Never fail on a closed stdout (e.g. a `| tee` that was interrupted): stopping must still happen.
log() { printf '[tether] %s\n' "$*" 2>/dev/null || true; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# 1. Build everything: the EAR, and the provisioned WildFly (server-config) it runs on.
if [ "${TETHER_SKIP_BUILD:-0}" != "1" ]; then
  log "Building with Maven (mvn -B -q -DskipTests install) ..."
  (cd "$REPO_DIR" && mvn -B -q -DskipTests install)
fi
for required in "$WILDFLY_HOME/bin/standalone.sh" "$EAR"; do
  if [ ! -f "$required" ]; then
    echo "Missing $required: run the build (without TETHER_SKIP_BUILD) first." >&2
    exit 1
  fi
done

# Each user's shell runs as an operating-system account of its own (docs/isolation.md): install
# bubblewrap where missing, create the development users' accounts (tether-alice, ...), and keep
# them off this node's internal ports (firewall rules at its port offset).
TETHER_PORT_OFFSETS="$PORT_OFFSET" "$SERVER_CONFIG_DIR/setup-shell-accounts.sh"

# 2. Refuse to start twice: a second server would fail on its ports, after a confusing boot log.
if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "Node '$NODE_NAME' is already running (pid $(cat "$PID_FILE")); stop it with server-config/stop-single-node.sh" >&2
  exit 1
fi
for port in "$HTTP_PORT" "$MANAGEMENT_PORT"; do
  if port_in_use "$port"; then
    echo "Port $port on 127.0.0.1 is in use; stop what holds it or set TETHER_PORT_OFFSET." >&2
    exit 1
  fi
done

# 3. A fresh node base dir; log/ is kept so the previous run's server.log can still be read, and
#    the node's users and roles are kept (users added to the node survive a restart).
USER_FILES="application-users.properties application-roles.properties"
mkdir -p "$NODE_DIR"
KEPT_USERS="$NODE_DIR/kept-users"
rm -rf "$KEPT_USERS"
if [ -d "$NODE_DIR/configuration" ]; then
  mkdir -p "$KEPT_USERS"
  for file in $USER_FILES; do
    [ -f "$NODE_DIR/configuration/$file" ] && cp -a "$NODE_DIR/configuration/$file" "$KEPT_USERS/"
  done
fi
rm -rf "$NODE_DIR/configuration" "$NODE_DIR/deployments" "$NODE_DIR/data" "$NODE_DIR/tmp"
cp -a "$WILDFLY_HOME/standalone/configuration" "$NODE_DIR/configuration"
rm -rf "$NODE_DIR/configuration/standalone_xml_history"
if [ -d "$KEPT_USERS" ]; then
  for file in $USER_FILES; do
    [ -f "$KEPT_USERS/$file" ] && cp -a "$KEPT_USERS/$file" "$NODE_DIR/configuration/$file"
  done
  rm -rf "$KEPT_USERS"
fi
mkdir -p "$NODE_DIR/deployments" "$NODE_DIR/tmp/jna" "$NODE_DIR/log"
cp "$EAR" "$NODE_DIR/deployments/"

# 4. Start WildFly. LAUNCH_JBOSS_IN_BACKGROUND makes standalone.sh run java as a child it can
#    signal and write the pid file; JBOSS_BASE_DIR makes bin/standalone.conf put java.io.tmpdir and
#    jna.tmpdir under this node's tmp/.
export JBOSS_HOME="$WILDFLY_HOME"
export JBOSS_BASE_DIR="$NODE_DIR"
export JBOSS_PIDFILE="$PID_FILE"
export LAUNCH_JBOSS_IN_BACKGROUND=1
export JBOSS_JAVA_SIZING="${JBOSS_JAVA_SIZING:--Xms64m -Xmx768m}"

CONSOLE_LOG="$NODE_DIR/log/console.log"
log "Starting node '$NODE_NAME' (port offset $PORT_OFFSET); its console: $CONSOLE_LOG"
"$WILDFLY_HOME/bin/standalone.sh" \
  -c standalone-full.xml \
  -b=127.0.0.1 -bmanagement=127.0.0.1 \
  -Djboss.server.base.dir="$NODE_DIR" \
  -Djboss.node.name="$NODE_NAME" \
  -Djboss.socket.binding.port-offset="$PORT_OFFSET" >"$CONSOLE_LOG" 2>&1 &
SERVER_PID=$!

# Ctrl-C reaches this script only (background jobs of a script ignore SIGINT), so stop the server
# here: SIGTERM to the JVM runs WildFly's orderly shutdown; then wait for it to exit.
stopping=0
stop_server() {
  [ "$stopping" = 1 ] && return
  stopping=1
  log "Stopping node '$NODE_NAME' ..."
  if [ -f "$PID_FILE" ]; then
    kill -TERM "$(cat "$PID_FILE")" 2>/dev/null || true
  fi
  kill -TERM "$SERVER_PID" 2>/dev/null || true
}
wait_for_server() {
  while kill -0 "$SERVER_PID" 2>/dev/null; do
    wait "$SERVER_PID" || status=$?
  done
}
# However this script ends (Ctrl-C, an error, a closed terminal or pipe), it leaves no server behind.
on_exit() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    stop_server
    wait_for_server
  fi
}
status=0
trap stop_server INT TERM HUP PIPE
trap on_exit EXIT

# 5. Wait for the deployment scanner's verdict on the EAR, then for HTTP to answer.
deployed=0
for _ in $(seq 1 "$STARTUP_TIMEOUT_SECONDS"); do
  if [ "$stopping" = 1 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
    break
  fi
  if [ -f "$NODE_DIR/deployments/tether.ear.failed" ]; then
    log "Deployment FAILED: $(cat "$NODE_DIR/deployments/tether.ear.failed")"
    log "The server keeps running; see $NODE_DIR/log/server.log. Ctrl-C stops it."
    break
  fi
  if [ -f "$NODE_DIR/deployments/tether.ear.deployed" ] \
      && [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL" || true)" != "000" ]; then
    deployed=1
    break
  fi
  sleep 1
done

if [ "$deployed" = 0 ] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
  log "The server stopped before the EAR was deployed; the end of $CONSOLE_LOG:"
  tail -n 30 "$CONSOLE_LOG" 2>/dev/null || true
fi
if [ "$deployed" = 1 ]; then
  warnings=$(grep -cE '^[0-9:,]+ (WARN|ERROR) ' "$CONSOLE_LOG" || true)
  log "Deployed; $warnings warning(s) or error(s) in the console log."
  cat <<BANNER

==========================================================================
  Tether is up:   $URL
  Dev logins (ApplicationRealm, from server-config/src/main/users/dev-users.txt):
$(awk '!/^#/ && NF { printf "    %-8s / %-12s roles: %s\n", $1, $2, $3 }' "$USERS_FILE")
  Add a user:     $WILDFLY_HOME/bin/add-user.sh -a -u NAME -p PASS -g user -sc $NODE_DIR/configuration
  Management:     http://127.0.0.1:$MANAGEMENT_PORT  (bin/jboss-cli.sh -c --controller=127.0.0.1:$MANAGEMENT_PORT)
  Logs:           $NODE_DIR/log/server.log, console.log
  Ctrl-C stops the server.
==========================================================================

BANNER
elif [ "$stopping" = 0 ] && kill -0 "$SERVER_PID" 2>/dev/null \
    && [ ! -f "$NODE_DIR/deployments/tether.ear.failed" ]; then
  log "The EAR was not deployed within $STARTUP_TIMEOUT_SECONDS s; see $NODE_DIR/log/server.log. Ctrl-C stops the server."
fi

# 6. Stay in the foreground until the server exits. `wait` returns early when a trapped signal
#    arrives, so keep waiting until standalone.sh is really gone.
wait_for_server
log "Node '$NODE_NAME' stopped."
if [ "$stopping" = 1 ]; then
  exit 0
fi
exit "$status"
