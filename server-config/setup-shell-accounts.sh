#!/usr/bin/env bash
# Prepares this machine for isolated shells (docs/isolation.md), idempotently: installs bubblewrap
# (and util-linux's setpriv) where missing, and creates the operating-system account of every
# development user (server-config/src/main/users/dev-users.txt) with the default mapping:
# Tether user alice runs her shells as account tether-alice, with home /home/tether-alice.
#
# Usage: ./server-config/setup-shell-accounts.sh [tether-user...]   (default: the development users)
# Environment: TETHER_ACCOUNT_PREFIX (default tether-), as tether.isolation.account-prefix.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
USERS_FILE="$REPO_DIR/server-config/src/main/users/dev-users.txt"
PREFIX=${TETHER_ACCOUNT_PREFIX-tether-}

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

if [[ ! -x /usr/bin/bwrap || ! -x /usr/bin/setpriv ]]; then
  echo "[tether] installing bubblewrap and util-linux (Debian packages) for isolated shells"
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    bubblewrap util-linux
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
done
