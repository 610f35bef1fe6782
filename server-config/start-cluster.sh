#!/usr/bin/env bash
# Builds Tether and starts a local cluster of N WildFly nodes (default 3) behind nginx, in the background.
#
# Usage (from anywhere; paths are taken relative to this script):
#   ./server-config/start-cluster.sh [N]        N = 1..20 nodes (default 3)
#   ./server-config/start-cluster.sh --node K   starts node K again (after stop-cluster.sh --node K or
#                                               a crash), into the running cluster, without a build
#   ./server-config/stop-cluster.sh             stops nginx and every node
#   ./server-config/start-cluster.sh --server payara [N]   the same on Payara Server (default 2 nodes,
#                                               one external JMS broker: start-payara-cluster.sh)
#
# Environment:
#   TETHER_SKIP_BUILD   1 = reuse the last build instead of running Maven
#   TETHER_LB_PORT      the load balancer's port on 127.0.0.1 (default 8000)
#   TETHER_CLUSTER_DIR  where the nodes' base dirs, nginx and the settings go (default
#                       server-config/target/cluster); stop-cluster.sh needs the same
#   TETHER_PORT_OFFSET  added to every node's port offset (default 0), to run beside other servers
#   JBOSS_JAVA_SIZING   heap options of each node (default: -Xms64m -Xmx768m)
#
# Node K (1..N) runs standalone-full-ha.xml (as server-config configures it: JGroups over TCPPING, no
# multicast) from its own base dir, server-config/target/cluster/nodeK (a fresh copy of the
# provisioned standalone/configuration, the EAR in deployments/), with port offset (K-1)*100 (plus
# TETHER_PORT_OFFSET): HTTP 8080+offset, management 9990+offset, Hazelcast 5701+offset, JGroups
# 7600+offset. The cluster's
# secrets (tether.cluster.secret for relays, the Artemis cluster password) are generated for each start
# and handed to the nodes in a properties file readable only by you (target/cluster/cluster.properties),
# never on a command line. nginx balances 127.0.0.1:8000 round robin over the nodes, without
# stickiness, WebSocket upgrades included; its config, pid and logs are in target/cluster/nginx.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER_CONFIG_DIR="$REPO_DIR/server-config"
WILDFLY_HOME="$SERVER_CONFIG_DIR/target/wildfly"
EAR="$REPO_DIR/ear/target/tether.ear"
USERS_FILE="$SERVER_CONFIG_DIR/src/main/users/dev-users.txt"
CLUSTER_DIR=${TETHER_CLUSTER_DIR:-"$SERVER_CONFIG_DIR/target/cluster"}
NGINX_DIR="$CLUSTER_DIR/nginx"
PROPERTIES_FILE="$CLUSTER_DIR/cluster.properties"
STARTUP_TIMEOUT_SECONDS=180

# --server payara: the same cluster on Payara Server (start-payara-cluster.sh); --server wildfly, the default.
if [ "${1:-}" = "--server" ]; then
  case "${2:-}" in
    payara) shift 2; exec "$(dirname "${BASH_SOURCE[0]}")/start-payara-cluster.sh" "$@" ;;
    wildfly) shift 2 ;;
    *) echo "usage: $0 [--server wildfly|payara] ..." >&2; exit 2 ;;
  esac
fi

ONE_NODE=""
if [ "${1:-}" = "--node" ]; then
  ONE_NODE=${2:-}
  if ! [[ "$ONE_NODE" =~ ^[0-9]+$ ]] || [ "$ONE_NODE" -lt 1 ]; then
    echo "usage: $0 --node K   (K = the number of a node of the running cluster)" >&2
    exit 2
  fi
  # The cluster's shape as its start wrote it: a restarted node must use the same ports and members.
  if [ ! -f "$CLUSTER_DIR/cluster.env" ] || [ ! -f "$PROPERTIES_FILE" ]; then
    echo "No cluster was started here ($CLUSTER_DIR/cluster.env is missing): start one with $0 [N]" >&2
    exit 1
  fi
  # shellcheck source=/dev/null
  . "$CLUSTER_DIR/cluster.env"
  if [ "$ONE_NODE" -gt "$NODES" ]; then
    echo "The cluster has $NODES node(s): there is no node $ONE_NODE." >&2
    exit 2
  fi
  TETHER_SKIP_BUILD=1
else
  NODES=${1:-3}
  LB_PORT=${TETHER_LB_PORT:-8000}
  BASE_OFFSET=${TETHER_PORT_OFFSET:-0}
fi
if ! [[ "$NODES" =~ ^[0-9]+$ ]] || [ "$NODES" -lt 1 ] || [ "$NODES" -gt 20 ]; then
  echo "usage: $0 [N]   (N = number of nodes, 1 to 20; default 3)" >&2
  exit 2
fi
if ! [[ "$BASE_OFFSET" =~ ^[0-9]+$ ]] || [ "$BASE_OFFSET" -gt 50000 ]; then
  echo "TETHER_PORT_OFFSET must be a number between 0 and 50000, not '$BASE_OFFSET'" >&2
  exit 2
fi
if ! [[ "$LB_PORT" =~ ^[0-9]+$ ]] || [ "$LB_PORT" -lt 1 ] || [ "$LB_PORT" -gt 65535 ]; then
  echo "TETHER_LB_PORT must be a port number, not '$LB_PORT'" >&2
  exit 2
fi

log() { printf '[tether] %s\n' "$*" 2>/dev/null || true; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
offset_of() { echo $((BASE_OFFSET + ($1 - 1) * 100)); }
http_port() { echo $((8080 + $(offset_of "$1"))); }
node_url() { echo "http://127.0.0.1:$(http_port "$1")/tether/"; }
http_status() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true; }

start_node() {
  local k=$1 offset node_dir
  offset=$(offset_of "$k")
  node_dir="$CLUSTER_DIR/node$k"
  # A fresh base dir; log/ is kept so the previous run's server.log can still be read.
  mkdir -p "$node_dir"
  rm -rf "$node_dir/configuration" "$node_dir/deployments" "$node_dir/data" "$node_dir/tmp"
  cp -a "$WILDFLY_HOME/standalone/configuration" "$node_dir/configuration"
  rm -rf "$node_dir/configuration/standalone_xml_history"
  mkdir -p "$node_dir/deployments" "$node_dir/tmp/jna" "$node_dir/log"
  cp "$EAR" "$node_dir/deployments/"
  log "Starting node$k (port offset $offset, $(node_url "$k"))"
  # LAUNCH_JBOSS_IN_BACKGROUND makes standalone.sh write the JVM's pid; JBOSS_BASE_DIR makes
  # bin/standalone.conf put java.io.tmpdir and jna.tmpdir under the node's tmp/. setsid and nohup
  # detach the node from this terminal: it keeps running after the script exits.
  JBOSS_HOME="$WILDFLY_HOME" JBOSS_BASE_DIR="$node_dir" JBOSS_PIDFILE="$node_dir/server.pid" \
  LAUNCH_JBOSS_IN_BACKGROUND=1 JBOSS_JAVA_SIZING="${JBOSS_JAVA_SIZING:--Xms64m -Xmx768m}" \
    setsid nohup "$WILDFLY_HOME/bin/standalone.sh" \
      -c standalone-full-ha.xml \
      -b=127.0.0.1 -bmanagement=127.0.0.1 \
      -Djboss.server.base.dir="$node_dir" \
      -Djboss.node.name="node$k" \
      -Djboss.socket.binding.port-offset="$offset" \
      -Dtether.cluster.port=$((5701 + offset)) \
      -Dtether.cluster.url="$(node_url "$k")" \
      --properties="$PROPERTIES_FILE" \
      > "$node_dir/log/console.log" 2>&1 < /dev/null &
}

# Waits until node K serves its login page; fails on a failed deployment or a dead server.
await_node() {
  local k=$1 node_dir pid_file url deadline
  node_dir="$CLUSTER_DIR/node$k"
  pid_file="$node_dir/server.pid"
  url="$(node_url "$k")login.html"
  deadline=$((SECONDS + STARTUP_TIMEOUT_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if [ -f "$node_dir/deployments/tether.ear.failed" ]; then
      echo "node$k: deploying the EAR failed: $(cat "$node_dir/deployments/tether.ear.failed"); see $node_dir/log/server.log" >&2
      return 1
    fi
    if [ -f "$pid_file" ] && ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "node$k exited during start-up; see $node_dir/log/console.log and server.log" >&2
      return 1
    fi
    if [ -f "$node_dir/deployments/tether.ear.deployed" ] && [ "$(http_status "$url")" = 200 ]; then
      log "node$k is up: $(node_url "$k")"
      return 0
    fi
    sleep 1
  done
  echo "node$k did not serve $url within $STARTUP_TIMEOUT_SECONDS s; see $node_dir/log/server.log" >&2
  return 1
}

node_running() {
  local pid_file="$CLUSTER_DIR/node$1/server.pid"
  [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

# --node K: node K alone, into the running cluster, with the cluster's settings and secrets.
start_one_node() {
  local k=$1 offset busy="" port
  if node_running "$k"; then
    echo "node$k is already running (pid $(cat "$CLUSTER_DIR/node$k/server.pid")); stop it with server-config/stop-cluster.sh --node $k" >&2
    exit 1
  fi
  offset=$(offset_of "$k")
  for port in $((8080 + offset)) $((9990 + offset)) $((5701 + offset)) $((7600 + offset)); do
    port_in_use "$port" && busy="$busy $port"
  done
  if [ -n "$busy" ]; then
    echo "Port(s)$busy of node$k on 127.0.0.1 are in use (is its old process still exiting?)." >&2
    exit 1
  fi
  # However the start fails or is interrupted, it leaves no half-started node behind.
  ONE_NODE_UP=0
  trap '[ "$ONE_NODE_UP" = 1 ] || "$SERVER_CONFIG_DIR/stop-cluster.sh" --node "$ONE_NODE" || true' EXIT
  trap 'exit 130' INT TERM HUP
  start_node "$k"
  await_node "$k"
  ONE_NODE_UP=1
  log "node$k rejoined the cluster: $(node_url "$k")"
}

# 1. Build everything: the EAR, and the provisioned WildFly (server-config) it runs on.
if [ "${TETHER_SKIP_BUILD:-0}" != "1" ]; then
  log "Building with Maven (mvn -B -DskipTests install) ..."
  (cd "$REPO_DIR" && mvn -B -DskipTests install)
fi
for required in "$WILDFLY_HOME/bin/standalone.sh" "$WILDFLY_HOME/standalone/configuration/standalone-full-ha.xml" "$EAR"; do
  if [ ! -f "$required" ]; then
    echo "Missing $required: run the build (without TETHER_SKIP_BUILD) first." >&2
    exit 1
  fi
done
if ! grep -q 'tether.jgroups.hosts' "$WILDFLY_HOME/standalone/configuration/standalone-full-ha.xml"; then
  echo "$WILDFLY_HOME is not configured for clustering (no TCPPING): rebuild server-config (mvn -pl server-config install)." >&2
  exit 1
fi

if [ -n "$ONE_NODE" ]; then
  start_one_node "$ONE_NODE"
  exit 0
fi

# 2. nginx, from Debian's package (install-nginx.sh).
NGINX=$("$SERVER_CONFIG_DIR/install-nginx.sh")

# Each user's shell runs as an operating-system account of its own (docs/isolation.md): the
# accounts, and firewall rules that keep them off every node's internal ports (Hazelcast, JGroups,
# management) at the nodes' port offsets.
TETHER_PORT_OFFSETS="$(for k in $(seq 1 "$NODES"); do offset_of "$k"; done | tr '\n' ' ')" \
  "$SERVER_CONFIG_DIR/setup-shell-accounts.sh"

# 3. Refuse to start twice, or on ports something else holds.
running=$(
  for pid_file in "$CLUSTER_DIR"/node*/server.pid "$NGINX_DIR/nginx.pid"; do
    [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null && echo "$pid_file"
  done || true
)
if [ -n "$running" ]; then
  echo "A cluster is already running ($(echo $running)); stop it with server-config/stop-cluster.sh" >&2
  exit 1
fi
busy=""
for k in $(seq 1 "$NODES"); do
  offset=$(offset_of "$k")
  for port in $((8080 + offset)) $((9990 + offset)) $((5701 + offset)) $((7600 + offset)); do
    port_in_use "$port" && busy="$busy $port"
  done
done
port_in_use "$LB_PORT" && busy="$busy $LB_PORT"
if [ -n "$busy" ]; then
  echo "Port(s)$busy on 127.0.0.1 are in use; stop what holds them, or set TETHER_PORT_OFFSET (nodes) or TETHER_LB_PORT." >&2
  exit 1
fi

# 4. The cluster's settings, shared by every node: its members, and fresh secrets (kept off command
#    lines, where every user of the machine could read them).
mkdir -p "$CLUSTER_DIR"
members=""
jgroups_hosts=""
for k in $(seq 1 "$NODES"); do
  offset=$(offset_of "$k")
  members="$members${members:+,}127.0.0.1:$((5701 + offset))"
  jgroups_hosts="$jgroups_hosts${jgroups_hosts:+,}127.0.0.1[$((7600 + offset))]"
done
secret() { head -c 32 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }
cat > "$CLUSTER_DIR/cluster.env" <<ENV
# Written by start-cluster.sh: the shape of the running cluster, for start-cluster.sh --node K.
NODES=$NODES
BASE_OFFSET=$BASE_OFFSET
LB_PORT=$LB_PORT
ENV
(
  umask 077
  rm -f "$PROPERTIES_FILE"
  cat > "$PROPERTIES_FILE" <<PROPERTIES
# Written by start-cluster.sh for this start of a $NODES-node cluster. Contains secrets.
tether.cluster.members=$members
tether.cluster.secret=$(secret)
tether.jgroups.hosts=$jgroups_hosts
tether.messaging.cluster.password=$(secret)
PROPERTIES
)

# 5. Start the nodes: node1 first, alone, so the others join a running cluster (one Hazelcast
#    master, one JGroups coordinator) instead of racing to form their own; then the rest together.
#    However this script fails or is interrupted from here on, it leaves no node or nginx behind.
started=0
on_exit() {
  if [ "$started" != 1 ]; then
    log "Start-up did not complete: stopping what was started ..."
    "$SERVER_CONFIG_DIR/stop-cluster.sh" || true
  fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM HUP

start_node 1
await_node 1
if [ "$NODES" -gt 1 ]; then
  for k in $(seq 2 "$NODES"); do start_node "$k"; done
  for k in $(seq 2 "$NODES"); do await_node "$k"; done
fi

# 6. nginx in front, configured by write-nginx-conf.sh (round robin, WebSocket upgrades, no
#    buffering, the relay endpoint kept off the public path).
# shellcheck disable=SC2046 # one argument per node port
"$SERVER_CONFIG_DIR/start-nginx.sh" "$NGINX" "$NGINX_DIR" "$LB_PORT" $(for k in $(seq 1 "$NODES"); do http_port "$k"; done)
LB_URL="http://127.0.0.1:$LB_PORT/tether/"
started=1

cat <<BANNER

==========================================================================
  Tether cluster of $NODES node(s) is up, behind nginx (round robin, no stickiness):
    $LB_URL
  Nodes:
$(for k in $(seq 1 "$NODES"); do
    printf '    node%-3s %-34s management 127.0.0.1:%s\n' "$k" "$(node_url "$k")" $((9990 + $(offset_of "$k")))
  done)
  Dev logins (ApplicationRealm, from server-config/src/main/users/dev-users.txt):
$(awk '!/^#/ && NF { printf "    %-8s / %-12s roles: %s\n", $1, $2, $3 }' "$USERS_FILE")
  Logs:           $CLUSTER_DIR/nodeK/log/server.log, $NGINX_DIR/logs/
  Settings:       $PROPERTIES_FILE (contains the cluster's secrets)
  Stop with:      server-config/stop-cluster.sh
==========================================================================

BANNER
