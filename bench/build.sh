# Sourced by the bench/run*.sh scripts (needs REPO_DIR and TARGET): defines log(),
# run_benchmark(), stop_benchmark() and, for a script with one node, start_bench_node(); builds everything unless BENCH_SKIP_BUILD=1 (the EAR, the
# provisioned WildFly, this module), and sets CLASSPATH for the benchmark JVM.

log() { printf '[bench] %s\n' "$*" 2>/dev/null || true; }

BENCH_PID=""
TAIL_PID=""

# run_benchmark REPORT [-Dbench.x=y ...]: runs io.tether.bench.Benchmark, or BENCH_MAIN (temp files and JNA's
# native library under bench/target, plus BENCH_JAVA_OPTS) with its output in REPORT, shown as it
# grows; returns the benchmark's exit status. Waiting (rather than running tail in the foreground)
# lets a signal reach the caller's traps at once.
run_benchmark() {
  local report=$1 status=0
  shift
  : >"$report"
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
  java -Xms256m -Xmx512m -Djava.io.tmpdir="$TARGET/tmp" -Djna.tmpdir="$TARGET/jna" "$@" \
    ${BENCH_JAVA_OPTS:-} -cp "$CLASSPATH" "${BENCH_MAIN:-io.tether.bench.Benchmark}" >"$report" 2>&1 &
  BENCH_PID=$!
  tail -n +1 -f --pid="$BENCH_PID" "$report" &
  TAIL_PID=$!
  wait "$BENCH_PID" || status=$?
  BENCH_PID=""
  wait "$TAIL_PID" 2>/dev/null || true
  TAIL_PID=""
  log "Report: $report"
  return "$status"
}

# stop_benchmark: for the callers' traps, ends a running benchmark and its tail.
stop_benchmark() {
  if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then
    log "Stopping the benchmark ..."
    kill -TERM "$BENCH_PID" 2>/dev/null || true
    wait "$BENCH_PID" 2>/dev/null || true
  fi
  if [ -n "$TAIL_PID" ]; then
    kill -TERM "$TAIL_PID" 2>/dev/null || true
    wait "$TAIL_PID" 2>/dev/null || true
  fi
}

# start_bench_node DESCRIPTION [VAR=value ...]: starts one node (NODE_NAME, port offset OFFSET) in
# the background with these settings added to its environment, its output in
# bench/target/node-NAME.log; sets traps that stop it (and a running benchmark) on exit, failure or
# a signal; waits until it issues a ticket, then sets BASE (its application root) and PID (its JVM).
start_bench_node() {
  local description=$1
  shift
  trap stop_bench_node EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  BASE="http://127.0.0.1:$((8080 + OFFSET))/tether"
  log "Starting node '$NODE_NAME' on $BASE ($description) ..."
  env "$@" TETHER_SKIP_BUILD=1 TETHER_NODE_NAME="$NODE_NAME" TETHER_PORT_OFFSET="$OFFSET" \
    "$REPO_DIR/server-config/run-single-node.sh" >"$TARGET/node-$NODE_NAME.log" 2>&1 &
  for _ in $(seq 1 240); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -u alice:alice-pass -X POST "$BASE/api/tickets" || true)" = 201 ]; then
      PID=$(cat "$REPO_DIR/server-config/target/nodes/$NODE_NAME/server.pid")
      return 0
    fi
    sleep 1
  done
  log "The node did not come up within 240 s; see $TARGET/node-$NODE_NAME.log"
  return 1
}

# stop_bench_node: the trap of start_bench_node. A script that runs more than this node defines
# stop_bench_extras, which this runs first (bench/run-servers.sh stops its Payara node there).
stop_bench_node() {
  local status=$?
  trap - EXIT INT TERM HUP
  stop_benchmark
  if declare -F stop_bench_extras >/dev/null; then
    stop_bench_extras || true
  fi
  log "Stopping node '$NODE_NAME' ..."
  TETHER_NODE_NAME=$NODE_NAME TETHER_PORT_OFFSET=$OFFSET \
    "$REPO_DIR/server-config/stop-single-node.sh" >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  exit "$status"
}

# 1. Build everything (the EAR, the provisioned WildFly, this module), then the benchmark's classpath.
if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  log "Building with Maven (mvn -B -q -Dstyle.color=never install -DskipTests) ..."
  (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never install -DskipTests)
fi
mkdir -p "$TARGET/tmp" "$TARGET/jna"
if [ "${BENCH_SKIP_BUILD:-0}" != "1" ] || [ ! -s "$TARGET/classpath.txt" ]; then
  (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -o -f bench/pom.xml dependency:build-classpath \
    -Dmdep.outputFile="$TARGET/classpath.txt" -Dmdep.includeScope=runtime) \
    || (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -f bench/pom.xml dependency:build-classpath \
      -Dmdep.outputFile="$TARGET/classpath.txt" -Dmdep.includeScope=runtime)
fi
if [ ! -d "$TARGET/classes/io/tether/bench" ]; then
  echo "Missing $TARGET/classes: run the build (without BENCH_SKIP_BUILD) first." >&2
  exit 1
fi
CLASSPATH="$TARGET/classes:$(cat "$TARGET/classpath.txt")"
