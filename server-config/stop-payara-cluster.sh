#!/usr/bin/env bash
# Stops the local Payara cluster that start-payara-cluster.sh started: nginx first (no new
# connections), then every node (its EAR undeployed first, then the domain stopped), then the JMS
# broker, and waits until all of their processes have exited. `stop-cluster.sh --server payara`
# runs this.
#
# Usage: ./server-config/stop-payara-cluster.sh     (TETHER_CLUSTER_DIR as for the start)
set -euo pipefail

SERVER_CONFIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PAYARA_HOME="$SERVER_CONFIG_DIR/target/payara6"
CLUSTER_DIR=${TETHER_CLUSTER_DIR:-"$SERVER_CONFIG_DIR/target/payara-cluster"}
DOMAINS_DIR="$CLUSTER_DIR/domains"
BROKER_DIR="$CLUSTER_DIR/broker"
NGINX_DIR="$CLUSTER_DIR/nginx"
STOP_TIMEOUT_SECONDS=60

log() { printf '[tether] %s\n' "$*" 2>/dev/null || true; }
alive() { kill -0 "$1" 2>/dev/null; }
asadmin() { "$PAYARA_HOME/bin/asadmin" --interactive=false "$@"; }

# Waits until the pid has exited; SIGKILL after the timeout.
await_exit() {
  local pid=$1 what=$2
  for _ in $(seq 1 $((STOP_TIMEOUT_SECONDS * 5))); do
    alive "$pid" || return 0
    sleep 0.2
  done
  log "$what did not stop within $STOP_TIMEOUT_SECONDS s; killing pid $pid"
  kill -KILL "$pid" 2>/dev/null || true
  while alive "$pid"; do sleep 0.1; done
}

if [ ! -d "$CLUSTER_DIR" ]; then
  log "No Payara cluster was started here (no $CLUSTER_DIR)."
  exit 0
fi

# 1. nginx: QUIT lets the master finish its workers gracefully.
if [ -f "$NGINX_DIR/nginx.pid" ]; then
  pid=$(cat "$NGINX_DIR/nginx.pid")
  if alive "$pid"; then
    log "Stopping nginx (pid $pid) ..."
    kill -QUIT "$pid" 2>/dev/null || true
    await_exit "$pid" nginx
  fi
fi

# 2. The nodes: the EAR undeployed first (Payara loading a deployed EAR at a later start, then
#    deploying it again, can keep the old classes), then the domain stopped.
for domain in "$DOMAINS_DIR"/node*; do
  [ -d "$domain" ] || continue
  name=$(basename "$domain")
  pid=$(cat "$domain/config/pid" 2>/dev/null || true)
  [ -n "$pid" ] && alive "$pid" || continue
  admin_port=$({ grep -o '<network-listener [^>]*name="admin-listener"[^>]*>' \
    "$domain/config/domain.xml" || true; } | head -n 1 | grep -o 'port="[0-9]*"' | tr -dc '0-9' || true)
  log "Stopping $name (pid $pid) ..."
  if [ -n "$admin_port" ]; then
    asadmin --host 127.0.0.1 --port "$admin_port" --user admin undeploy tether >/dev/null 2>&1 || true
  fi
  asadmin stop-domain --domaindir "$DOMAINS_DIR" "$name" >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  await_exit "$pid" "$name"
done

# 3. The broker: imqbrokerd's script shuts its broker down on TERM; its Java process, found by
#    this cluster's own broker directory, is waited for (and killed after the timeout).
if [ -f "$BROKER_DIR/broker.pid" ]; then
  script_pid=$(cat "$BROKER_DIR/broker.pid")
  broker_pids=""
  for proc in /proc/[0-9]*; do
    if tr '\0' ' ' 2>/dev/null < "$proc/cmdline" | grep -qF -- "-Dimq.varhome=$BROKER_DIR/var "; then
      broker_pids="$broker_pids ${proc#/proc/}"
    fi
  done
  if alive "$script_pid" || [ -n "$broker_pids" ]; then
    log "Stopping the JMS broker ..."
    kill -TERM "$script_pid" 2>/dev/null || true
    for pid in $broker_pids; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in $script_pid $broker_pids; do await_exit "$pid" "the JMS broker"; done
  fi
  rm -f "$BROKER_DIR/broker.pid"
fi
log "Payara cluster stopped."
