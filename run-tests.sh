#!/usr/bin/env bash
# Runs Tether's whole test suite on a fresh machine: installs what the tests need that the machine
# lacks (Chromium and its driver, from Debian's packages, for the real-browser test; nginx; the test
# users' shell accounts), then builds everything and runs every test tier on both servers:
#   1. WildFly: unit tests (Java and the front end's), then the integration tests against real
#      WildFly servers with real shells (`mvn -B verify`);
#   2. Payara Server: provisioned from Maven Central, then the integration tests of the Maven
#      profiles payara-its and payara-cluster-its, from the same test code (docs/payara.md): the
#      ITs with default settings and the idle sweep on one domain, and the cluster ITs on two
#      domains with one broker. The unit tests ran in 1.
#
#   TETHER_TEST_SERVERS="wildfly payara"  the default; "wildfly" or "payara" runs one part alone
#   TETHER_PAYARA_PORT_OFFSET=0           the Payara domain's port offset (HTTP 8080+n, admin 8048+n)
# Arguments go to the WildFly part's `mvn -B verify`.
set -euo pipefail
cd "$(dirname "$0")"
servers="${TETHER_TEST_SERVERS:-wildfly payara}"

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

# The failing tests, last, so that they are what the tail of a long log shows.
failed_tests() {
  echo "== failed tests of the $1 part (from the surefire and failsafe reports)"
  shift
  grep -l -E '<<< (FAILURE|ERROR)' "$@" 2>/dev/null \
    | while read -r report; do
        echo "-- $report"
        grep -E -A 6 '<<< (FAILURE|ERROR)' "$report" | head -40
      done || true
}

status=0
if [[ " $servers " == *" wildfly "* ]]; then
  echo "== mvn -B verify"
  wildfly=0
  mvn -B verify "$@" || wildfly=$?
  if [[ $wildfly -ne 0 ]]; then
    status=$wildfly
    failed_tests WildFly */target/surefire-reports/*.txt */target/failsafe-reports/*.txt
  fi
fi

if [[ " $servers " == *" payara "* ]]; then
  # The same EAR on Payara Server: its ITs from the same test code (the profiles payara-its and
  # payara-cluster-its), on fresh domains the build makes and stops. The unit tests, Java and
  # front end, ran in the WildFly part; its reports are kept beside the Payara part's.
  started=$SECONDS
  offset="${TETHER_PAYARA_PORT_OFFSET:-0}"
  if [[ -d ear/target/failsafe-reports ]]; then
    rm -rf ear/target/failsafe-reports-wildfly
    mv ear/target/failsafe-reports ear/target/failsafe-reports-wildfly
  fi
  # Installed, with the parent POM, not only packaged: the EAR module depends on this module's POM
  # (to order the reactor), and the next build leaves both out of its reactor (-pl ejb,web,ear),
  # so on a machine whose local repository never held them, the EAR's dependencies would not
  # resolve.
  echo "== Payara Server from Maven Central (mvn -Dtether.payara install -pl .,server-config)"
  payara=0
  mvn -B -q -DskipTests -Dtether.payara install -pl .,server-config || payara=$?
  if [[ $payara -eq 0 ]]; then
    echo "== mvn -B verify -Dtether.it.payara -Dtether.it.payara.cluster (the ITs on Payara, port offset $offset)"
    mvn -B verify -pl ejb,web,ear -Dtether.it.payara -Dtether.it.payara.cluster \
      -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false -DskipFrontendTests=true \
      -Dtether.it.port-offset="$offset" -Dtether.it.http-port=$((8080 + offset)) \
      -Dtether.it.management-port=$((8048 + offset)) || payara=$?
  fi
  echo "== the Payara part took $((SECONDS - started)) s"
  if [[ $payara -ne 0 ]]; then
    status=$payara
    failed_tests Payara ear/target/failsafe-reports/*.txt
  fi
fi
exit $status
