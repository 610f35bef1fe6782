#!/usr/bin/env bash
# Makes sure nginx is installed (Debian's package) and prints the path of its binary. Used by
# start-cluster.sh and by the test run (the load balancer IT runs the shipped configuration).
#
# The package would start the system-wide nginx (port 80) on install; a policy-rc.d that denies
# every service start keeps it from doing so.
set -euo pipefail
log() { printf '[tether] %s\n' "$*" >&2; }

NGINX=$(command -v nginx || true)
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
if [ -z "$NGINX" ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "nginx is not installed and there is no sudo: apt-get install nginx" >&2; exit 1; }
    SUDO=sudo
  fi
  log "nginx is not installed: installing Debian's package (apt-get install nginx) ..."
  POLICY=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\n# tether install-nginx.sh: no service starts while nginx is installed\nexit 101\n' \
      | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    made_policy=1
  fi
  install_status=0
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nginx >&2 \
    || { DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -q >&2 \
         && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nginx >&2; } \
    || install_status=$?
  [ "$made_policy" = 1 ] && $SUDO rm -f "$POLICY"
  [ "$install_status" = 0 ] || { echo "Could not install nginx." >&2; exit 1; }
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi

echo "$NGINX"
