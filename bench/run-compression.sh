#!/usr/bin/env bash
# permessage-deflate on and off through one Tether node, in one run (docs/benchmark.md,
# "Compression"): builds, starts one node with tether.web.compression=always (so that a client on
# loopback gets the extension when it offers it), and runs bench/node/compression.mjs, which
# offers the extension or not, turn about: bulk output on loopback (MB/s, bytes on the wire, the
# server's CPU, checked byte for byte), keystroke echo, and bulk through slow links it simulates
# itself (a throttling TCP proxy inside the client process: nothing of the machine's network
# changes). Prints every run and a summary; stops the node, also on failure or Ctrl-C.
#
# Usage: ./bench/run-compression.sh
#   BENCH_SKIP_BUILD=1       reuse the last build
#   TETHER_PORT_OFFSET=N     the node's port offset (default 2700)
#   BENCH_ROUNDS=N           rounds, each mode once per round (default 5)
#   BENCH_ARGS="..."         more options for compression.mjs (--bulk, --link-mbit, --link-rtt-ms, ...)
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET="$REPO_DIR/bench/target"
OFFSET=${TETHER_PORT_OFFSET:-2700}
ROUNDS=${BENCH_ROUNDS:-5}
NODE_NAME=compression
CLIENT="$TARGET/node-client"

. "$REPO_DIR/bench/build.sh"

mkdir -p "$CLIENT"
cp "$REPO_DIR"/bench/node/*.mjs "$REPO_DIR/bench/node/package.json" "$CLIENT/"
(cd "$CLIENT" && npm install --prefer-offline --no-audit --no-fund --silent)

start_bench_node "tether.web.compression=always" \
  TETHER_WEB_COMPRESSION=always TETHER_SHELL_COMMAND=/bin/bash,--norc,--noprofile

REPORT="$TARGET/benchmark-compression-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086 # BENCH_ARGS is a list of options
  node "$CLIENT/compression.mjs" --base "$BASE" --pid "$PID" --rounds "$ROUNDS" ${BENCH_ARGS:-}
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$REPORT"
log "Report: $REPORT"
