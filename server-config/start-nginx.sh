#!/usr/bin/env bash
# Starts the load balancer of a local Tether cluster (WildFly's or Payara's): writes its
# configuration with write-nginx-conf.sh, checks it, starts nginx as a daemon with everything under
# NGINX_DIR, and waits until it serves the login page through a node.
#
# Usage: start-nginx.sh NGINX NGINX_DIR LB_PORT NODE_HTTP_PORT...   (NGINX: install-nginx.sh's answer)
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: $0 NGINX NGINX_DIR LB_PORT NODE_HTTP_PORT..." >&2
  exit 2
fi
NGINX=$1
NGINX_DIR=$2
LB_PORT=$3
shift 3

"$(dirname "$0")/write-nginx-conf.sh" "$NGINX_DIR" "$LB_PORT" "$@"
"$NGINX" -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/logs/error.log" -t -q
"$NGINX" -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/logs/error.log" -g 'daemon on;'
login="http://127.0.0.1:$LB_PORT/tether/login.html"
status() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$login" 2>/dev/null || true; }
for _ in $(seq 1 50); do
  [ "$(status)" = 200 ] && exit 0
  sleep 0.2
done
echo "nginx does not serve $login; see $NGINX_DIR/logs/error.log" >&2
exit 1
