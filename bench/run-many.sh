#!/usr/bin/env bash
# Two thousand live sessions on one node, in one run (docs/benchmark.md, "Many sessions on one
# node"): builds, starts one node with its default settings (isolated shells, the default -Xmx with -Xms equal to it),
# except the per-user session limit (the run's sessions belong to two users), and runs
# bench/node/many.mjs against it: it opens the sessions (each a real `bash --norc --noprofile` in
# its user's sandbox), has 100 of them type at 5 keys/s while measuring every echo, counts refused
# sessions, reads the node's heap (live after a full collection), RSS, threads and descriptors, then
# closes them all, and opens and closes them again in waves. Stops the node at the end, also on
# failure or Ctrl-C; every session ends with it.
#
# Usage: ./bench/run-many.sh
#   BENCH_SKIP_BUILD=1       reuse the last build
#   TETHER_PORT_OFFSET=N     the node's port offset (default 2800)
#   BENCH_SESSIONS=N         sessions (default 2000)
#   BENCH_ARGS="..."         more options for many.mjs (--typists, --rate, --type-seconds, --waves, --concurrency,
#                            --close-seconds, --warmup-seconds, --samples-file)
#   JBOSS_JAVA_SIZING        the node's heap (default: run-single-node.sh's -Xmx768m, with -Xms equal to it as
#                            docs/configuration.md advises for a node of thousands of sessions)
#   BENCH_NODE_ENV="A=1 B=2"  more settings for the node (e.g. TETHER_HEARTBEAT_INTERVAL_MILLIS=60000)
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET="$REPO_DIR/bench/target"
OFFSET=${TETHER_PORT_OFFSET:-2800}
SESSIONS=${BENCH_SESSIONS:-2000}
NODE_NAME=many
CLIENT="$TARGET/node-client"

. "$REPO_DIR/bench/build.sh"

mkdir -p "$CLIENT"
cp "$REPO_DIR"/bench/node/*.mjs "$REPO_DIR/bench/node/package.json" "$CLIENT/"
(cd "$CLIENT" && npm install --prefer-offline --no-audit --no-fund --silent)

# Each session holds a PTY and a socket in the server and a few processes (docs/configuration.md,
# "How many sessions a node takes"): check the machine's limits before starting.
PER_USER=$(((SESSIONS + 1) / 2))
need_fds=$((SESSIONS * 4 + 2000))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need_fds" ]; then
  ulimit -n "$need_fds" 2>/dev/null || { echo "ulimit -n is $(ulimit -n); $need_fds descriptors needed" >&2; exit 2; }
fi
log "Limits: descriptors $(ulimit -n), processes $(ulimit -u), kernel.pid_max $(cat /proc/sys/kernel/pid_max), kernel.pty.max $(cat /proc/sys/kernel/pty/max) ($(cat /proc/sys/kernel/pty/nr) in use)"

export JBOSS_JAVA_SIZING="${JBOSS_JAVA_SIZING:--Xms768m -Xmx768m}"
start_bench_node "default settings, $PER_USER sessions per user allowed" ${BENCH_NODE_ENV:-} \
  TETHER_SESSION_MAX_PER_USER="$PER_USER" TETHER_SHELL_COMMAND=/bin/bash,--norc,--noprofile
log "Node's JVM: pid $PID, $(tr '\0' ' ' <"/proc/$PID/cmdline" | grep -o -- '-Xm[sx][^ ]*' | tr '\n' ' ')"

REPORT="$TARGET/benchmark-many-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086 # BENCH_ARGS is a list of options
  node "$CLIENT/many.mjs" --base "$BASE" --pid "$PID" --sessions "$SESSIONS" \
    --users alice:alice-pass,bob:bob-pass ${BENCH_ARGS:-}
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$REPORT"
log "Report: $REPORT"
