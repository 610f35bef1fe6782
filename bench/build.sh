# Sourced by bench/run.sh and bench/run-relay.sh (needs REPO_DIR and TARGET): defines log(),
# run_benchmark() and stop_benchmark(), builds everything unless BENCH_SKIP_BUILD=1 (the EAR, the
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
