# Sourced by bench/run.sh and bench/run-relay.sh (needs REPO_DIR and TARGET): defines log(),
# builds everything unless BENCH_SKIP_BUILD=1 (the EAR, the provisioned WildFly, this module), and
# sets CLASSPATH for the benchmark JVM.

log() { printf '[bench] %s\n' "$*" 2>/dev/null || true; }

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
