#!/usr/bin/env bash
# Makes and configures a Payara Server domain for one Tether node, idempotently, and leaves it running.
#
# Usage: configure-payara-domain.sh PAYARA_HOME DOMAINS_DIR NODE_NAME PORT_OFFSET
#
#   PAYARA_HOME   an unpacked Payara Server 6 (server-config/target/payara6: mvn -Dtether.payara)
#   DOMAINS_DIR   where the node's domain lives (DOMAINS_DIR/NODE_NAME)
#   NODE_NAME     the domain's name and the node's name (tether.node.name)
#   PORT_OFFSET   the node's port offset, as for WildFly: the domain is made with
#                 --portbase 8000+PORT_OFFSET, so its HTTP port is 8080+PORT_OFFSET as WildFly's
#                 (admin 8048+offset, HTTPS 8081+offset; Payara's other ports are base+N too)
#
# What it ensures, each step checking before it changes anything (a second run changes nothing and
# does not restart the domain):
#   1. the domain exists (create-domain --portbase, no admin password: it listens on 127.0.0.1 only);
#   2. it runs (start-domain);
#   3. its listeners (HTTP, HTTPS, admin) bind to 127.0.0.1, as WildFly's -b=127.0.0.1, and its
#      internal services listen on fixed ports (OpenMQ's jms, admin and JMX: base+77, +78, +79;
#      the H2 databases without a TCP server), so that firewall rules can name every port;
#   4. JVM options: a 768 MB heap (WildFly's run scripts give the same), java.io.tmpdir and
#      jna.tmpdir (JNA's native library) under the domain, as WildFly's standalone.conf does;
#   5. Tether's system properties (MicroProfile Config reads them): the node's name, its Hazelcast
#      member's port (5701+offset), its public ports (HTTP, HTTPS) and its own URL;
#   6. the development users of src/main/users/dev-users.txt in the file realm, their roles as
#      groups (user, admin), which the EAR's glassfish-application.xml maps to Tether's roles.
# A change to 3 or 4 restarts the domain (they take effect at start only).
#
# Environment: TETHER_PAYARA_PROPERTIES, more system properties to ensure, as name=value words
# (e.g. "tether.heartbeat.interval-millis=1000 tether.ticket.ttl-seconds=5", or as -Dname=value;
# the ITs use it).
# TETHER_PAYARA_JMS_BROKER=host:port: a cluster's node, whose JMS service uses that one external
# OpenMQ broker (jms-service type REMOTE) instead of its own embedded one (start-payara-cluster.sh).
#
# Messaging and concurrency need nothing here: Payara's embedded OpenMQ broker serves the EAR's
# @JMSDestinationDefinition topics and java:comp/DefaultJMSConnectionFactory on one node, and the
# default managed executor and thread factory are there from the start.
set -euo pipefail

if [ $# -ne 4 ] || [ ! -x "$1/bin/asadmin" ]; then
  echo "usage: $0 PAYARA_HOME DOMAINS_DIR NODE_NAME PORT_OFFSET (PAYARA_HOME: an unpacked Payara)" >&2
  exit 2
fi
PAYARA_HOME=$(cd "$1" && pwd)
mkdir -p "$2"
DOMAINS_DIR=$(cd "$2" && pwd)
NODE_NAME=$3
PORT_OFFSET=$4
if ! [[ "$NODE_NAME" =~ ^[A-Za-z0-9._-]+$ ]]; then
  echo "NODE_NAME may only hold letters, digits, '.', '_' and '-', not '$NODE_NAME'" >&2
  exit 2
fi
if ! [[ "$PORT_OFFSET" =~ ^[0-9]+$ ]] || [ "$PORT_OFFSET" -gt 50000 ]; then
  echo "PORT_OFFSET must be a number between 0 and 50000, not '$PORT_OFFSET'" >&2
  exit 2
fi

MODULE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
USERS_FILE="$MODULE_DIR/src/main/users/dev-users.txt"
PORT_BASE=$((8000 + PORT_OFFSET))
ADMIN_PORT=$((PORT_BASE + 48))
HTTP_PORT=$((PORT_BASE + 80))
HTTPS_PORT=$((PORT_BASE + 81))
DOMAIN_DIR="$DOMAINS_DIR/$NODE_NAME"
STATE_DIR="$DOMAIN_DIR/.tether"

log() { printf '[tether] %s\n' "$*"; }
asadmin() { "$PAYARA_HOME/bin/asadmin" --interactive=false "$@"; }
# A remote command to this domain's admin listener (no admin password: see create-domain below).
remote() { asadmin --host 127.0.0.1 --port "$ADMIN_PORT" --user admin "$@"; }
running() { remote uptime >/dev/null 2>&1; }

# 1. The domain. --nopassword: the admin user "admin" has no password, which Payara accepts only
#    from 127.0.0.1 (secure admin stays off), as WildFly's local management does.
if [ ! -f "$DOMAIN_DIR/config/domain.xml" ]; then
  log "Creating the Payara domain '$NODE_NAME' in $DOMAINS_DIR (port base $PORT_BASE: HTTP $HTTP_PORT, admin $ADMIN_PORT)"
  asadmin create-domain --domaindir "$DOMAINS_DIR" --portbase "$PORT_BASE" --nopassword=true \
    --checkports=true "$NODE_NAME" >/dev/null
else
  actual=$({ grep -o '<network-listener [^>]*name="http-listener-1"[^>]*>' \
    "$DOMAIN_DIR/config/domain.xml" || true; } | head -n 1 | grep -o 'port="[0-9]*"' | tr -dc '0-9' || true)
  if [ -n "$actual" ] && [ "$actual" != "$HTTP_PORT" ]; then
    echo "The domain $DOMAIN_DIR serves HTTP on $actual, not $HTTP_PORT: remove it (or pick its offset) to change its ports." >&2
    exit 1
  fi
fi
mkdir -p "$STATE_DIR" "$DOMAIN_DIR/tmp/jna"

# 2. Running.
if ! running; then
  log "Starting the Payara domain '$NODE_NAME' (30 to 45 s) ..."
  asadmin start-domain --domaindir "$DOMAINS_DIR" "$NODE_NAME" >/dev/null
fi

# 3 to 5 read the domain's settings in one asadmin call and change what differs in one more
# (multimode: one asadmin JVM for many commands; one call per command took minutes on a loaded
# machine).
settings=$(remote multimode --file <(
  echo 'get configs.config.server-config.network-config.network-listeners.network-listener.*.address'
  echo 'get configs.config.server-config.jms-service.property.*'
  echo 'get configs.config.server-config.jms-service.type'
  echo 'get configs.config.server-config.jms-service.jms-host.default_JMS_host.*'
  echo 'get resources.jdbc-connection-pool.__TimerPool.property.*'
  echo 'get resources.jdbc-connection-pool.H2Pool.property.*'
  echo 'list-jvm-options'
  echo 'list-system-properties server'
  echo 'list-file-users'
) 2>/dev/null) # a fresh domain has no jms-service property yet: that get fails, the others answer
commands=()  # the changes, asadmin commands for one multimode call
restart=0    # whether a change takes effect at the domain's start only
shown=()     # what the log says was changed
ensure_set() { # KEY VALUE: asadmin set KEY=VALUE, unless the domain has it (KEY escaped for set)
  if ! grep -qxF -- "${1//\\/}=$2" <<<"$settings"; then
    commands+=("set $1=$2")
    shown+=("${1//\\/} = $2")
    restart=1
  fi
}

# 3. Listeners on 127.0.0.1 only.
for listener in http-listener-1 http-listener-2 admin-listener; do
  ensure_set "configs.config.server-config.network-config.network-listeners.network-listener.$listener.address" 127.0.0.1
done

# 3b. Payara's internal services on fixed ports (base+77..79), so the firewall rules can name them
#     (payara-internal-ports.sh): OpenMQ's jms and admin services and its JMX connector, which
#     otherwise take ports chosen at each start; and the H2 databases of the EJB timer service and
#     jdbc/__default without AUTO_SERVER, which opens a TCP server on a port chosen at start.
jms='configs.config.server-config.jms-service.property'
ensure_set "$jms.imq\\.jms\\.tcp\\.port" "$((PORT_BASE + 77))"
ensure_set "$jms.imq\\.admin\\.tcp\\.port" "$((PORT_BASE + 78))"
ensure_set "$jms.imq\\.jmx\\.connector\\.jmxrmi\\.port" "$((PORT_BASE + 79))"
# shellcheck disable=SC2016 # ${com.sun.aas.instanceRoot} is Payara's
databases='jdbc:h2:${com.sun.aas.instanceRoot}/lib/databases'
ensure_set resources.jdbc-connection-pool.__TimerPool.property.URL "$databases/ejbtimer"
ensure_set resources.jdbc-connection-pool.H2Pool.property.URL "$databases/embedded_default"

# 3c. A cluster's JMS (TETHER_PAYARA_JMS_BROKER=host:port): the domain's JMS service uses that one
#     broker, shared by every node, instead of an embedded broker of its own, so the EAR's topics
#     cross nodes.
if [ -n "${TETHER_PAYARA_JMS_BROKER:-}" ]; then
  jms_host='configs.config.server-config.jms-service.jms-host.default_JMS_host'
  ensure_set configs.config.server-config.jms-service.type REMOTE
  ensure_set "$jms_host.host" "${TETHER_PAYARA_JMS_BROKER%:*}"
  ensure_set "$jms_host.port" "${TETHER_PAYARA_JMS_BROKER##*:}"
fi

# 4. JVM options (list-jvm-options prints one option a line, some followed by a note).
has_option() { awk -v option="$1" '$1 == option { found = 1 } END { exit !found }' <<<"$settings"; }
for option in -Xmx512m; do
  if has_option "$option"; then
    commands+=("delete-jvm-options -- $option")
    shown+=("no JVM option $option")
    restart=1
  fi
done
# shellcheck disable=SC2016 # ${com.sun.aas.instanceRoot} is Payara's, expanded at its start
for option in -Xmx768m '-Djava.io.tmpdir=${com.sun.aas.instanceRoot}/tmp' \
  '-Djna.tmpdir=${com.sun.aas.instanceRoot}/tmp/jna'; do
  if ! has_option "$option"; then
    commands+=("create-jvm-options -- $option")
    shown+=("JVM option $option")
    restart=1
  fi
done

# 5. Tether's settings, as system properties of the server (asadmin takes ':' as a separator, so
#    the URL's colons are escaped). They take effect without a restart.
declare -A wanted=(
  [tether.node.name]="$NODE_NAME"
  [tether.cluster.port]="$((5701 + PORT_OFFSET))"
  [tether.isolation.public-ports]="$HTTP_PORT,$HTTPS_PORT"
  [tether.cluster.url]="http://127.0.0.1:$HTTP_PORT/tether/"
)
for setting in ${TETHER_PAYARA_PROPERTIES:-}; do
  setting=${setting#-D} # also as WildFly's JVM arguments
  wanted[${setting%%=*}]=${setting#*=}
done
changes=()
for name in "${!wanted[@]}"; do
  if ! grep -qxF -- "$name=${wanted[$name]}" <<<"$settings"; then
    changes+=("$name=${wanted[$name]//:/\\:}")
    case "$name" in
      *secret* | *password*) shown+=("system property $name=(set)") ;;
      *) shown+=("system property $name=${wanted[$name]}") ;;
    esac
  fi
done
if [ ${#changes[@]} -gt 0 ]; then
  commands+=("create-system-properties --target server $(IFS=:; echo "${changes[*]}")")
fi

if [ ${#commands[@]} -gt 0 ]; then
  # multimode reads a backslash as an escape: the ones set and create-system-properties need are
  # doubled.
  output=$(remote multimode --file <(printf '%s\n' "${commands[@]//\\/\\\\}") 2>&1)
  # multimode itself succeeds when one of its commands fails: each says so.
  if grep -q '^Command .* failed' <<<"$output"; then
    printf '%s\n' "$output" >&2
    echo "Configuring the domain '$NODE_NAME' failed (above)." >&2
    exit 1
  fi
  printf '[tether] %s\n' "${shown[@]}"
fi

# 6. The development users, in the file realm. The realm stores salted hashes, so what was last
#    set is remembered (a hash of name, password and groups); a user is created or updated when it
#    is missing or differs from that.
users=$settings # list-file-users: one name a line
applied="$STATE_DIR/file-users.sha256"
touch "$applied"
password_file="$STATE_DIR/user-password"
trap 'rm -f "$password_file"' EXIT
while read -r name password roles; do
  case "$name" in '' | '#'*) continue ;; esac
  groups=${roles//,/:}
  stamp="$name $(printf '%s\n' "$name" "$password" "$groups" | sha256sum | cut -d' ' -f1)"
  exists=0
  grep -qxF -- "$name" <<<"$users" && exists=1
  if [ "$exists" = 1 ] && grep -qxF -- "$stamp" "$applied"; then
    continue
  fi
  (umask 077 && printf 'AS_ADMIN_USERPASSWORD=%s\n' "$password" >"$password_file")
  if [ "$exists" = 1 ]; then
    remote --passwordfile "$password_file" update-file-user --groups "$groups" "$name" >/dev/null
    log "User $name updated (groups $groups)."
  else
    remote --passwordfile "$password_file" create-file-user --groups "$groups" "$name" >/dev/null
    log "User $name added (groups $groups)."
  fi
  rm -f "$password_file"
  grep -v -- "^$name " "$applied" >"$applied.new" || true
  echo "$stamp" >>"$applied.new"
  mv "$applied.new" "$applied"
done <"$USERS_FILE"

if [ "$restart" = 1 ]; then
  log "Restarting the domain '$NODE_NAME' for its new listeners, JVM options or JMS service ..."
  asadmin restart-domain --domaindir "$DOMAINS_DIR" "$NODE_NAME" >/dev/null
fi
log "Payara domain '$NODE_NAME' configured and running: HTTP $HTTP_PORT, admin $ADMIN_PORT ($DOMAIN_DIR)."
