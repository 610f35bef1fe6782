#!/usr/bin/env bash
# What isolating shells costs (docs/isolation.md, docs/benchmark.md): setup-to-prompt time and
# keystroke-to-echo latency of shells started isolated (the user's own account, bubblewrap, a
# cgroup), cold and from the sandbox made ahead (warm), beside the unsafe single-user mode, one of
# each per round in one run; no server needed.
#
# Usage: ./bench/run-isolation.sh   (as root; BENCH_JAVA_OPTS="-Dbench.isolation.rounds=40")
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_DIR"
./server-config/setup-shell-accounts.sh alice
mvn -B -q -o compile dependency:build-classpath -pl ejb,bench \
  -Dmdep.outputFile=target/classpath-isolation.txt
mkdir -p bench/target/tmp bench/target/jna
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
exec java -Djava.io.tmpdir=bench/target/tmp -Djna.tmpdir=bench/target/jna ${BENCH_JAVA_OPTS:-} \
  -cp "bench/target/classes:ejb/target/classes:$(cat bench/target/classpath-isolation.txt)" \
  io.tether.bench.IsolationBenchmark
