#!/usr/bin/env bash
# Runs Tether's whole test suite on a fresh machine: installs what the tests need that the machine
# lacks (Chromium and its driver, from Debian's packages, for the real-browser test), then builds
# everything and runs every test tier: unit tests (Java and the front end's), then the integration
# tests against real WildFly servers with real shells.
set -euo pipefail
cd "$(dirname "$0")"

if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
  echo "== installing Chromium and ChromeDriver (Debian packages) for the browser test"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    chromium chromium-driver
fi

echo "== nginx, for the load balancer test (the configuration start-cluster.sh ships)"
./server-config/install-nginx.sh >/dev/null

echo "== bubblewrap and the test users' shell accounts (docs/isolation.md)"
./server-config/setup-shell-accounts.sh

echo "== mvn -B verify"
status=0
mvn -B verify "$@" || status=$?
if [[ $status -ne 0 ]]; then
  # The failing tests, last, so that they are what the tail of a long log shows.
  echo "== failed tests (from the surefire and failsafe reports)"
  grep -l -E '<<< (FAILURE|ERROR)' */target/*-reports/*.txt 2>/dev/null \
    | while read -r report; do
        echo "-- $report"
        grep -E -A 6 '<<< (FAILURE|ERROR)' "$report" | head -40
      done || true
fi
exit $status
