#!/usr/bin/env bash
# Runs the listing benchmark (docs/benchmark.md, "Listing the sessions (admin console)"): builds
# the ejb and bench modules, then runs io.tether.bench.ListingBenchmark, which starts two Hazelcast
# members in its own JVM on 127.0.0.1 and times the admin console's listing of the cluster's
# sessions beside a naive listing, in the same run. No node, no application server.
#
# Usage (from anywhere):
#   ./bench/run-listing.sh
#
# Environment:
#   BENCH_SKIP_BUILD  1 = reuse the last build (bench/target/classes, ejb/target's jar and
#                     bench/target/listing-classpath.txt)
#   LISTING_PORT      the first member's port; the second takes the next one (default 5901)
#   BENCH_JAVA_OPTS   extra options for the benchmark JVM, e.g. -Dlisting.sizes=10000
#                     -Dlisting.rounds=50; the settings are listed in io.tether.bench.ListingBenchmark
#
# The report is printed and kept in bench/target/benchmark-listing-<date>.txt.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET="$REPO_DIR/bench/target"
PORT=${LISTING_PORT:-5901}
log() { printf '[bench] %s\n' "$*" 2>/dev/null || true; }

if ! [[ "$PORT" =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1024 ] || [ "$PORT" -gt 65534 ]; then
  echo "LISTING_PORT must be a number between 1024 and 65534, not '$PORT'" >&2
  exit 2
fi

# 1. Build. Not bench/build.sh: that one builds the whole project (the EAR, a provisioned WildFly)
#    and installs it; this benchmark needs only the ejb module and its own classes. `package`, not
#    `install`: the local Maven repository's tether jars, which a benchmark running from another
#    checkout may have on its classpath, stay as they are. In the reactor the bench module's
#    classpath points at ejb/target's jar; the relative outputFile is per module (bench's lands
#    in bench/target).
if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  log "Building the ejb and bench modules (mvn -B -q -pl bench -am package -DskipTests) ..."
  (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never -pl bench -am -DskipTests package \
    dependency:build-classpath -Dmdep.outputFile=target/listing-classpath.txt \
    -Dmdep.includeScope=runtime)
fi
if [ ! -f "$TARGET/classes/io/tether/bench/ListingBenchmark.class" ] \
  || [ ! -s "$TARGET/listing-classpath.txt" ]; then
  echo "Missing the build in $TARGET: run without BENCH_SKIP_BUILD first." >&2
  exit 1
fi

# 2. The members' ports must be free: the benchmark does not move to others (a member on an
#    unexpected port could meet a stranger's cluster).
for p in "$PORT" $((PORT + 1)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "Port $p on 127.0.0.1 is in use; stop what holds it or set LISTING_PORT." >&2
    exit 1
  fi
done

# 3. The benchmark JVM. It shuts its members down and ends by itself; on Ctrl-C the members'
#    shutdown hook stops them.
mkdir -p "$TARGET/tmp"
REPORT="$TARGET/benchmark-listing-$(date +%Y%m%d-%H%M%S).txt"
log "Load average before the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
java -Xms1g -Xmx1g -Djava.io.tmpdir="$TARGET/tmp" -Dlisting.port="$PORT" ${BENCH_JAVA_OPTS:-} \
  -cp "$TARGET/classes:$(cat "$TARGET/listing-classpath.txt")" io.tether.bench.ListingBenchmark \
  2>&1 | tee "$REPORT"
log "Report: $REPORT"
