#!/usr/bin/env bash
# Builds Tether and starts a local cluster of N Payara Server nodes (default 2) behind nginx, with one
# external JMS broker that every node uses, in the background. `start-cluster.sh --server payara [N]`
# runs this; the same EAR as on WildFly.
#
# Usage (from anywhere; paths are taken relative to this script):
#   ./server-config/start-payara-cluster.sh [N]          N = 1..9 nodes (default 2)
#   ./server-config/stop-payara-cluster.sh               stops nginx, every node and the broker
#
# Environment:
#   TETHER_SKIP_BUILD   1 = reuse the last build instead of running Maven
#   TETHER_LB_PORT      the load balancer's port on 127.0.0.1 (default 8000)
#   TETHER_CLUSTER_DIR  where the domains, the broker, nginx and the settings go (default
#                       server-config/target/payara-cluster); stop-payara-cluster.sh needs the same
#   TETHER_PORT_OFFSET  added to every port (default 0), to run beside other servers
#   TETHER_PAYARA_NODES_ONLY   1 = the broker and the domains only: no EAR, no nginx (the cluster ITs
#                       deploy the EAR themselves and start their own nginx)
#   TETHER_PAYARA_PROPERTIES   more system properties for every node, as name=value words
#
# Node K (1..N) is the Payara domain nodeK (TETHER_CLUSTER_DIR/domains/nodeK), made afresh at each
# start by src/main/payara/configure-payara-domain.sh at port offset (K-1)*100 (plus
# TETHER_PORT_OFFSET): HTTP 8080+offset, admin 8048+offset, Tether's Hazelcast member 5701+offset.
# Events and commands: the EAR's topics live on one OpenMQ broker (Payara's own, mq/bin/imqbrokerd),
# which every node's JMS service uses (jms-service type REMOTE) instead of an embedded broker of its
# own: its port mapper on 127.0.0.1:7676+TETHER_PORT_OFFSET, its jms, admin and JMX services on the
# three ports after it. Tether's registry and tickets are its own Hazelcast members, joined as on
# WildFly (tether.cluster.members); relays go to each node's own URL. nginx balances round robin
# over the nodes, without stickiness (write-nginx-conf.sh, as for WildFly). The cluster's relay
# secret is made for each start.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER_CONFIG_DIR="$REPO_DIR/server-config"
PAYARA_HOME="$SERVER_CONFIG_DIR/target/payara6"
EAR="$REPO_DIR/ear/target/tether.ear"
USERS_FILE="$SERVER_CONFIG_DIR/src/main/users/dev-users.txt"
CLUSTER_DIR=${TETHER_CLUSTER_DIR:-"$SERVER_CONFIG_DIR/target/payara-cluster"}
DOMAINS_DIR="$CLUSTER_DIR/domains"
BROKER_DIR="$CLUSTER_DIR/broker"
NGINX_DIR="$CLUSTER_DIR/nginx"

NODES=${1:-2}
LB_PORT=${TETHER_LB_PORT:-8000}
BASE_OFFSET=${TETHER_PORT_OFFSET:-0}
if ! [[ "$NODES" =~ ^[0-9]+$ ]] || [ "$NODES" -lt 1 ] || [ "$NODES" -gt 9 ]; then
  echo "usage: $0 [N]   (N = number of nodes, 1 to 9; default 2)" >&2
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
BROKER_PORT=$((7676 + BASE_OFFSET))

log() { printf '[tether] %s\n' "$*" 2>/dev/null || true; }
asadmin() { "$PAYARA_HOME/bin/asadmin" --interactive=false "$@"; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
offset_of() { echo $((BASE_OFFSET + ($1 - 1) * 100)); }
http_port() { echo $((8080 + $(offset_of "$1"))); }
admin_port() { echo $((8048 + $(offset_of "$1"))); }
node_url() { echo "http://127.0.0.1:$(http_port "$1")/tether/"; }
http_status() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true; }

# 1. Build everything: the EAR, and the provisioned Payara (server-config, profile payara).
if [ "${TETHER_SKIP_BUILD:-0}" != "1" ]; then
  log "Building with Maven (mvn -B -q -DskipTests -Dtether.payara package) ..."
  (cd "$REPO_DIR" && mvn -B -q -DskipTests -Dtether.payara package)
fi
for required in "$PAYARA_HOME/bin/asadmin" "$PAYARA_HOME/mq/bin/imqbrokerd" "$EAR"; do
  if [ ! -f "$required" ]; then
    echo "Missing $required: run the build (without TETHER_SKIP_BUILD) first." >&2
    exit 1
  fi
done

# 2. nginx, from Debian's package (install-nginx.sh).
NGINX=$("$SERVER_CONFIG_DIR/install-nginx.sh")

# Each user's shell runs as an operating-system account of its own (docs/isolation.md), kept off
# every node's internal ports (Payara's and Tether's Hazelcast member) and the broker's.
internal="$BROKER_PORT $((BROKER_PORT + 1)) $((BROKER_PORT + 2)) $((BROKER_PORT + 3))"
for k in $(seq 1 "$NODES"); do
  internal="$internal $("$SERVER_CONFIG_DIR/src/main/payara/payara-internal-ports.sh" "$(offset_of "$k")")"
done
TETHER_PORT_OFFSETS=0 TETHER_PORT_OFFSET=0 TETHER_INTERNAL_PORTS="$internal" \
  "$SERVER_CONFIG_DIR/setup-shell-accounts.sh"

# 3. Refuse to start twice, or on ports something else holds.
running=$(
  for pid_file in "$DOMAINS_DIR"/node*/config/pid "$BROKER_DIR/broker.pid" "$NGINX_DIR/nginx.pid"; do
    [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null && echo "$pid_file"
  done || true
)
if [ -n "$running" ]; then
  echo "A Payara cluster is already running ($(echo $running)); stop it with server-config/stop-payara-cluster.sh" >&2
  exit 1
fi
busy=""
for k in $(seq 1 "$NODES"); do
  for port in $(http_port "$k") $(admin_port "$k") $((5701 + $(offset_of "$k"))); do
    port_in_use "$port" && busy="$busy $port"
  done
done
for port in "$LB_PORT" "$BROKER_PORT" $((BROKER_PORT + 1)); do
  port_in_use "$port" && busy="$busy $port"
done
if [ -n "$busy" ]; then
  echo "Port(s)$busy on 127.0.0.1 are in use; stop what holds them, or set TETHER_PORT_OFFSET or TETHER_LB_PORT." >&2
  exit 1
fi

# 4. The cluster's settings: its members, and a fresh relay secret. Every start makes fresh
#    domains (no deployment, data or settings of an earlier run).
rm -rf "$DOMAINS_DIR" "$BROKER_DIR"
mkdir -p "$DOMAINS_DIR" "$BROKER_DIR"
members=""
for k in $(seq 1 "$NODES"); do
  members="$members${members:+,}127.0.0.1:$((5701 + $(offset_of "$k")))"
done
secret=$(head -c 32 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_')
cat > "$CLUSTER_DIR/cluster.env" <<ENV
# Written by start-payara-cluster.sh: the shape of the running cluster, for stop-payara-cluster.sh.
SERVER=payara
NODES=$NODES
BASE_OFFSET=$BASE_OFFSET
LB_PORT=$LB_PORT
BROKER_PORT=$BROKER_PORT
ENV

# However this script fails or is interrupted from here on, it leaves no node, broker or nginx.
started=0
on_exit() {
  if [ "$started" != 1 ]; then
    log "Start-up did not complete: stopping what was started ..."
    TETHER_CLUSTER_DIR="$CLUSTER_DIR" "$SERVER_CONFIG_DIR/stop-payara-cluster.sh" || true
  fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM HUP

# 5. The broker: Payara's OpenMQ, standalone, bound to 127.0.0.1 on fixed ports, its data under
#    the cluster's directory.
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
log "Starting the JMS broker (OpenMQ, 127.0.0.1:$BROKER_PORT) ..."
setsid nohup "$PAYARA_HOME/mq/bin/imqbrokerd" -javahome "$java_home" -varhome "$BROKER_DIR/var" \
  -name tether -port "$BROKER_PORT" -silent \
  -Dimq.hostname=127.0.0.1 \
  -Dimq.jms.tcp.port=$((BROKER_PORT + 1)) \
  -Dimq.admin.tcp.port=$((BROKER_PORT + 2)) \
  -Dimq.jmx.connector.jmxrmi.port=$((BROKER_PORT + 3)) \
  > "$BROKER_DIR/console.log" 2>&1 < /dev/null &
echo $! > "$BROKER_DIR/broker.pid"
for _ in $(seq 1 300); do
  port_in_use $((BROKER_PORT + 1)) && break
  kill -0 "$(cat "$BROKER_DIR/broker.pid")" 2>/dev/null || break
  sleep 0.2
done
if ! port_in_use $((BROKER_PORT + 1)); then
  echo "The JMS broker did not start; see $BROKER_DIR/console.log" >&2
  exit 1
fi

# 6. The nodes: each domain made, configured (the broker, the cluster's settings) and started,
#    then the EAR deployed; node1 first, so the others join its Hazelcast cluster.
for k in $(seq 1 "$NODES"); do
  TETHER_PAYARA_JMS_BROKER="127.0.0.1:$BROKER_PORT" \
    TETHER_PAYARA_PROPERTIES="tether.cluster.members=$members tether.cluster.secret=$secret ${TETHER_PAYARA_PROPERTIES:-}" \
    "$SERVER_CONFIG_DIR/src/main/payara/configure-payara-domain.sh" \
    "$PAYARA_HOME" "$DOMAINS_DIR" "node$k" "$(offset_of "$k")"
  if [ "${TETHER_PAYARA_NODES_ONLY:-0}" = 1 ]; then
    continue
  fi
  log "Deploying the EAR to node$k ..."
  asadmin --host 127.0.0.1 --port "$(admin_port "$k")" --user admin \
    deploy --name tether "$EAR" >/dev/null
  if [ "$(http_status "$(node_url "$k")login.html")" != 200 ]; then
    echo "node$k does not serve $(node_url "$k")login.html; see $DOMAINS_DIR/node$k/logs/server.log" >&2
    exit 1
  fi
  log "node$k is up: $(node_url "$k")"
done

if [ "${TETHER_PAYARA_NODES_ONLY:-0}" = 1 ]; then
  started=1
  log "The broker and $NODES Payara domain(s) are up, without the EAR (TETHER_PAYARA_NODES_ONLY)."
  exit 0
fi

# 7. nginx in front, as for WildFly's cluster.
# shellcheck disable=SC2046 # one argument per node port
"$SERVER_CONFIG_DIR/start-nginx.sh" "$NGINX" "$NGINX_DIR" "$LB_PORT" $(for k in $(seq 1 "$NODES"); do http_port "$k"; done)
LB_URL="http://127.0.0.1:$LB_PORT/tether/"
started=1

cat <<BANNER

==========================================================================
  Tether cluster of $NODES Payara node(s) is up, behind nginx (round robin, no stickiness):
    $LB_URL
  Nodes:
$(for k in $(seq 1 "$NODES"); do
    printf '    node%-3s %-34s admin 127.0.0.1:%s\n' "$k" "$(node_url "$k")" "$(admin_port "$k")"
  done)
  JMS broker:     OpenMQ on 127.0.0.1:$BROKER_PORT ($BROKER_DIR)
  Dev logins (the file realm, from server-config/src/main/users/dev-users.txt):
$(awk '!/^#/ && NF { printf "    %-8s / %-12s roles: %s\n", $1, $2, $3 }' "$USERS_FILE")
  Logs:           $DOMAINS_DIR/nodeK/logs/server.log, $BROKER_DIR/console.log, $NGINX_DIR/logs/
  Stop with:      server-config/stop-cluster.sh --server payara
==========================================================================

BANNER
