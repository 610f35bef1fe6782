#!/usr/bin/env bash
# Writes the load balancer's nginx configuration for a local Tether cluster: round robin (nginx's
# default; no ip_hash, no sticky cookie), WebSocket upgrades passed through, long timeouts for idle
# terminals, no buffering (terminal output and the admin event stream flow as they come), and the
# nodes' internal relay endpoint kept off the public path, and nodes that are not ready (stopping,
# draining, cut off in a minority: they answer the balancer's requests with 503) left out of new
# connections. Run as the current user, with everything under NGINX_DIR. Used by start-nginx.sh
# (the cluster scripts) and by the load balancer IT, so the tests run what ships.
#
# Usage: write-nginx-conf.sh NGINX_DIR LB_PORT NODE_HTTP_PORT...
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 NGINX_DIR LB_PORT NODE_HTTP_PORT..." >&2
  exit 2
fi
NGINX_DIR=$1
LB_PORT=$2
shift 2

mkdir -p "$NGINX_DIR/logs" "$NGINX_DIR/tmp"
upstreams=""
for port in "$@"; do
  upstreams="$upstreams        server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"$'\n'
done
user_directive=""
if [ "$(id -u)" = 0 ]; then
  # A master started as root would run its workers as "nobody"; keep them the current user.
  user_directive="user $(id -un) $(id -gn);"
fi
cat > "$NGINX_DIR/nginx.conf" <<NGINX_CONF
# Written by server-config/write-nginx-conf.sh: a round-robin load balancer for the local Tether cluster.
$user_directive
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/logs/error.log warn;

events {
    worker_connections 1024;
}

http {
    # Which node served each request (\$upstream_addr): round robin is visible here.
    log_format upstream '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent '
                        'upstream=\$upstream_addr \$request_time s';
    access_log $NGINX_DIR/logs/access.log upstream;
    client_body_temp_path $NGINX_DIR/tmp/client_body;
    proxy_temp_path $NGINX_DIR/tmp/proxy;
    fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
    scgi_temp_path $NGINX_DIR/tmp/scgi;

    # Upgrade passes through for WebSocket handshakes only: an HTTP/2 upgrade (h2c, which e.g.
    # Java's HttpClient asks for) would otherwise turn a plain request into a tunnel to one node.
    map \$http_upgrade \$websocket_upgrade {
        "~*^websocket\$" websocket;
        default           "";
    }
    map \$websocket_upgrade \$connection_upgrade {
        websocket upgrade;
        default   close;
    }

    # Round robin, no stickiness: any request, any reconnect, may land on any node. A node that
    # fails a request (refused, timed out, or 503 because it is not ready) gets no new one for 10 s.
    upstream tether {
$upstreams    }

    server {
        listen 127.0.0.1:$LB_PORT;

        # The relay endpoint is for the nodes only: they reach each other directly (tether.url),
        # never through here. Matched on the decoded, normalized path, whatever the case, path
        # parameters (";x") or repeated slashes, so no spelling of it reaches a node.
        location ~* "^/+tether(;[^/]*)?/+ws(;[^/]*)?/+relay" {
            return 404;
        }

        proxy_http_version 1.1;
        proxy_set_header Upgrade \$websocket_upgrade;
        proxy_set_header Connection \$connection_upgrade;
        # The browser's Host, so the nodes' WebSocket Origin check sees their own origin.
        proxy_set_header Host \$http_host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$scheme;
        # Marks the request as balanced: a node that is not ready answers it with 503 (and serves
        # direct requests, such as relays, as ever), and nginx passes it to the next node. A
        # ticket is only issued by a node that answered, so retrying its POST is safe.
        proxy_set_header X-Tether-Balanced 1;
        proxy_next_upstream error timeout http_503 non_idempotent;
        proxy_connect_timeout 2s;
        proxy_buffering off;

        # A new terminal starts with a ticket: a frozen node must not hold it up for long.
        location ~ "^/tether/api/tickets\$" {
            proxy_pass http://tether;
            proxy_read_timeout 3s;
            proxy_send_timeout 3s;
        }

        location / {
            proxy_pass http://tether;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }
    }
}
NGINX_CONF
