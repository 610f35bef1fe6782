#!/usr/bin/env bash
# Builds Tether and runs it on one local Payara Server node, in the foreground, until Ctrl-C.
# The same EAR as on WildFly (run-single-node.sh); `run-single-node.sh --server payara` runs this.
#
# Usage (from anywhere; paths are taken relative to this script):
#   ./server-config/run-payara-node.sh
#
# Environment:
#   TETHER_PORT_OFFSET  added to every port, as for WildFly (default 0): HTTP 8080+offset; the
#                       domain's port base is 8000+offset (admin 8048+offset, HTTPS 8081+offset)
#   TETHER_NODE_NAME    node and domain name, under server-config/target/payara-nodes/ (default: single)
#   TETHER_SKIP_BUILD   1 = reuse the last build instead of running Maven
#
# The build provisions Payara (mvn -Dtether.payara: server-config/target/payara6). The node's
# domain (target/payara-nodes/NAME) is made on the first run and kept: users added to it with
# asadmin create-file-user stay. Every run configures it (src/main/payara/configure-payara-domain.sh,
# idempotent), starts it, deploys the EAR and prints the URL and logins, last. Payara's log:
# target/payara-nodes/NAME/logs/server.log. Stop with Ctrl-C, or server-config/stop-payara-node.sh.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER_CONFIG_DIR="$REPO_DIR/server-config"
PAYARA_HOME="$SERVER_CONFIG_DIR/target/payara6"
DOMAINS_DIR="$SERVER_CONFIG_DIR/target/payara-nodes"
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
PORT_BASE=$((8000 + PORT_OFFSET))
ADMIN_PORT=$((PORT_BASE + 48))
HTTP_PORT=$((PORT_BASE + 80))
DOMAIN_DIR="$DOMAINS_DIR/$NODE_NAME"
URL="http://127.0.0.1:$HTTP_PORT/tether/"

log() { printf '[tether] %s\n' "$*" 2>/dev/null || true; }
asadmin() { "$PAYARA_HOME/bin/asadmin" --interactive=false "$@"; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
domain_pid() { cat "$DOMAIN_DIR/config/pid" 2>/dev/null || true; }

# 1. Build everything: the EAR, and the provisioned Payara (server-config, profile payara).
if [ "${TETHER_SKIP_BUILD:-0}" != "1" ]; then
  log "Building with Maven (mvn -B -q -DskipTests -Dtether.payara install) ..."
  (cd "$REPO_DIR" && mvn -B -q -DskipTests -Dtether.payara install)
fi
for required in "$PAYARA_HOME/bin/asadmin" "$EAR"; do
  if [ ! -f "$required" ]; then
    echo "Missing $required: run the build (without TETHER_SKIP_BUILD) first." >&2
    exit 1
  fi
done

# 2. Refuse to start twice, or on ports something else holds.
pid=$(domain_pid)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  echo "Payara node '$NODE_NAME' is already running (pid $pid); stop it with server-config/stop-payara-node.sh" >&2
  exit 1
fi
for port in "$HTTP_PORT" "$ADMIN_PORT"; do
  if port_in_use "$port"; then
    echo "Port $port on 127.0.0.1 is in use; stop what holds it or set TETHER_PORT_OFFSET." >&2
    exit 1
  fi
done

# Each user's shell runs as an operating-system account of its own (docs/isolation.md), kept off
# this node's internal ports: Payara's own and Tether's Hazelcast member
# (src/main/payara/payara-internal-ports.sh). No offset for setup-shell-accounts.sh: it would shift
# WildFly's ports by it.
TETHER_PORT_OFFSETS=0 TETHER_PORT_OFFSET=0 \
  TETHER_INTERNAL_PORTS="$("$SERVER_CONFIG_DIR/src/main/payara/payara-internal-ports.sh" "$PORT_OFFSET") ${TETHER_INTERNAL_PORTS:-}" \
  "$SERVER_CONFIG_DIR/setup-shell-accounts.sh"

# 3. The domain, configured and started.
stopping=0
stop_domain() {
  [ "$stopping" = 1 ] && return
  stopping=1
  log "Stopping Payara node '$NODE_NAME' ..."
  # Undeployed first: Payara loading a deployed EAR at its next start, then deploying it again,
  # can leave it with the old classes (see server-config/README.md).
  asadmin --host 127.0.0.1 --port "$ADMIN_PORT" --user admin undeploy tether >/dev/null 2>&1 || true
  asadmin stop-domain --domaindir "$DOMAINS_DIR" "$NODE_NAME" >/dev/null 2>&1 || true
}
trap stop_domain INT TERM HUP PIPE
trap 'pid=$(domain_pid); if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then stop_domain; fi' EXIT

"$SERVER_CONFIG_DIR/src/main/payara/configure-payara-domain.sh" \
  "$PAYARA_HOME" "$DOMAINS_DIR" "$NODE_NAME" "$PORT_OFFSET"

# 4. Deploy the EAR on a domain that has none: one a previous run left deployed (a node killed,
#    not stopped) is removed and the domain restarted first.
if asadmin --host 127.0.0.1 --port "$ADMIN_PORT" --user admin list-applications 2>/dev/null | grep -q '^tether '; then
  log "Removing the EAR a previous run left deployed, and restarting the domain ..."
  asadmin --host 127.0.0.1 --port "$ADMIN_PORT" --user admin undeploy tether >/dev/null || true
  asadmin restart-domain --domaindir "$DOMAINS_DIR" "$NODE_NAME" >/dev/null
fi
log "Deploying $EAR ..."
if ! asadmin --host 127.0.0.1 --port "$ADMIN_PORT" --user admin deploy --force=true --name tether "$EAR"; then
  log "Deployment FAILED; see $DOMAIN_DIR/logs/server.log. Ctrl-C stops the server."
else
  cat <<BANNER

==========================================================================
  Tether is up on Payara:   $URL
  Dev logins (the file realm, from server-config/src/main/users/dev-users.txt):
$(awk '!/^#/ && NF { printf "    %-8s / %-12s groups: %s\n", $1, $2, $3 }' "$USERS_FILE")
  Add a user:     $PAYARA_HOME/bin/asadmin --port $ADMIN_PORT create-file-user --groups user NAME
  Admin:          http://127.0.0.1:$ADMIN_PORT  (asadmin --port $ADMIN_PORT ...)
  Log:            $DOMAIN_DIR/logs/server.log
  Ctrl-C stops the server.
==========================================================================

BANNER
fi

# 5. Stay in the foreground until the domain's process is gone.
pid=$(domain_pid)
while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
  sleep 1
done
log "Payara node '$NODE_NAME' stopped."
