#!/usr/bin/env bash
# Prepares this machine for isolated shells (docs/isolation.md), idempotently: installs bubblewrap
# (and util-linux's setpriv) and iptables where missing, creates the operating-system account of
# every development user (server-config/src/main/users/dev-users.txt) with the default mapping
# (Tether user alice runs her shells as account tether-alice, with home /home/tether-alice), puts
# the accounts in the group tether-shells, and installs the firewall rules that keep that group
# off the server's internal ports (Hazelcast, JGroups, management, AJP, ...), in chain
# TETHER-SHELLS of iptables and ip6tables. A second run adds only what is missing.
#
# Usage: ./server-config/setup-shell-accounts.sh [tether-user...]   (default: the development users)
#        ./server-config/setup-shell-accounts.sh --remove-firewall   (removes the rules and chain)
# Environment:
#   TETHER_ACCOUNT_PREFIX   default tether-, as tether.isolation.account-prefix
#   TETHER_SHELLS_GROUP     default tether-shells, as tether.isolation.shells-group
#   TETHER_PORT_OFFSETS     the servers' port offsets (jboss.socket.binding.port-offset), default
#                           $TETHER_PORT_OFFSET or 0; offset 0 is always covered
#   TETHER_INTERNAL_PORTS   more ports to keep shells off, as they are (not shifted), e.g. "5432 6379"
#   TETHER_FIREWALL=off     leave the firewall alone (an operator who keeps the rules elsewhere)
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
USERS_FILE="$REPO_DIR/server-config/src/main/users/dev-users.txt"
PREFIX=${TETHER_ACCOUNT_PREFIX-tether-}
SHELLS_GROUP=${TETHER_SHELLS_GROUP-tether-shells}
WILDFLY_CONFIG="$REPO_DIR/server-config/target/wildfly/standalone/configuration/standalone-full-ha.xml"
CHAIN=TETHER-SHELLS

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

# The rules jump from OUTPUT to the chain for every socket of a process in the group, whether
# it is the process's group or one of its supplementary groups (xt_owner).
jump() { echo "OUTPUT -m owner --gid-owner $SHELLS_GROUP --suppl-groups -j $CHAIN"; }

if [[ ${1-} == --remove-firewall ]]; then
  for tables in iptables ip6tables; do
    command -v $tables >/dev/null || continue
    # shellcheck disable=SC2046 # the rule's words
    while $sudo $tables -C $(jump) 2>/dev/null; do $sudo $tables -D $(jump); done
    if $sudo $tables -S $CHAIN >/dev/null 2>&1; then
      $sudo $tables -F $CHAIN
      $sudo $tables -X $CHAIN
    fi
  done
  echo "[tether] removed the firewall rules of group $SHELLS_GROUP"
  exit 0
fi

firewall=${TETHER_FIREWALL:-on}
packages=()
[[ -x /usr/bin/bwrap && -x /usr/bin/setpriv ]] || packages+=(bubblewrap util-linux)
[[ $firewall == off ]] || command -v iptables >/dev/null || [[ -x /usr/sbin/iptables ]] \
  || packages+=(iptables)
if [[ ${#packages[@]} -gt 0 ]]; then
  echo "[tether] installing ${packages[*]} (Debian packages) for isolated shells"
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${packages[@]}"
fi
export PATH="$PATH:/usr/sbin:/sbin"

if ! getent group "$SHELLS_GROUP" >/dev/null; then
  $sudo groupadd --system "$SHELLS_GROUP"
  echo "[tether] created group $SHELLS_GROUP (every shell account; the firewall rules match it)"
fi

if [[ $# -gt 0 ]]; then
  users=("$@")
else
  mapfile -t users < <(awk '!/^#/ && NF { print $1 }' "$USERS_FILE")
fi
for user in "${users[@]}"; do
  account="$PREFIX$user"
  if ! id "$account" >/dev/null 2>&1; then
    $sudo useradd --create-home --user-group --shell /bin/bash \
      --comment "Tether user $user" "$account"
    echo "[tether] created account $account for Tether user $user"
  fi
  home=$(getent passwd "$account" | cut -d: -f6)
  if [[ ! -d "$home" ]]; then
    $sudo mkdir -p "$home"
    $sudo cp -rT /etc/skel "$home"
    $sudo chown -R "$account:" "$home"
  fi
  $sudo chmod 700 "$home"
  if ! id -nG "$account" | tr ' ' '\n' | grep -qx "$SHELLS_GROUP"; then
    $sudo usermod --append --groups "$SHELLS_GROUP" "$account"
  fi
done

[[ $firewall == off ]] && exit 0

# The server's internal ports: every socket binding of WildFly's configuration but the public
# web ports (http, https), read from the provisioned standalone-full-ha.xml (a superset of
# standalone-full.xml) when it is there, else WildFly 39's defaults; Tether's Hazelcast member
# (tether.cluster.port, 5701); each shifted by every port offset; then TETHER_INTERNAL_PORTS.
# Artemis clusters over the http port (HTTP upgrade, with a cluster password): nothing separate.
wildfly_ports() {
  if [[ -r $WILDFLY_CONFIG ]]; then
    sed -n '/<socket-binding-group/,/<\/socket-binding-group>/p' "$WILDFLY_CONFIG" \
      | grep -o '<socket-binding [^>]*>' | grep -Ev 'name="https?"' \
      | grep -Eo '(multicast-)?port="[^"]*"' | grep -Eo '[0-9]+}?"$' | tr -d '}"' | grep -vx 0
  else
    # ajp, iiop, iiop-ssl, jgroups-mping, -tcp, -udp, -udp-fd, management-http, -https,
    # modcluster, txn-recovery-environment, txn-status-manager
    echo 8009 3528 3529 45700 7600 55200 45688 54200 9990 9993 23364 4712 4713 | tr ' ' '\n'
  fi
  echo 5701
}
read -r -a offsets <<<"0 ${TETHER_PORT_OFFSETS:-${TETHER_PORT_OFFSET:-0}}"
ports=$(
  for port in $(wildfly_ports); do
    for offset in "${offsets[@]}"; do echo $((port + offset)); done
  done
  for port in ${TETHER_INTERNAL_PORTS:-}; do echo "$port"; done
)
ports=$(sort -nu <<<"$ports" | tr '\n' ' ')

# Adds what is missing of the rules to one table (iptables or ip6tables); prints how many.
install_rules() {
  local tables=$1 unreachable=icmp-port-unreachable added=0 existing port rule
  [[ $tables == iptables ]] || unreachable=icmp6-port-unreachable
  $sudo "$tables" -S $CHAIN >/dev/null 2>&1 || $sudo "$tables" -N $CHAIN || return 1
  existing=$($sudo "$tables" -S $CHAIN) || return 1
  for port in $ports; do
    # TCP: a reset, so a connect fails at once ("Connection refused"); UDP: port unreachable.
    for rule in "-p tcp -m tcp --dport $port -j REJECT --reject-with tcp-reset" \
      "-p udp -m udp --dport $port -j REJECT --reject-with $unreachable"; do
      if ! grep -qxF -- "-A $CHAIN $rule" <<<"$existing"; then
        # shellcheck disable=SC2086 # the rule's words
        $sudo "$tables" -A $CHAIN $rule || return 1
        added=$((added + 1))
      fi
    done
  done
  # shellcheck disable=SC2046 # the rule's words
  $sudo "$tables" -C $(jump) 2>/dev/null || $sudo "$tables" -I $(jump) || return 1
  echo "$added"
}

# A machine where the rules cannot be installed (no netfilter, no CAP_NET_ADMIN) still gets its
# accounts: the server then warns at every start that shells can reach its internal ports.
total=0
for tables in iptables ip6tables; do
  if added=$(install_rules "$tables"); then
    total=$((total + added))
  else
    echo "[tether] WARNING: could not install the $tables rules of group $SHELLS_GROUP: shells" \
      "can reach the server's internal ports (docs/isolation.md)" >&2
  fi
done
[[ $total -eq 0 ]] || echo "[tether] firewall: $total rule(s) added; group $SHELLS_GROUP may not reach ports $ports"
