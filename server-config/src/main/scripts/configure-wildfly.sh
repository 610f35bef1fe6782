#!/usr/bin/env bash
# Configures an unpacked WildFly for Tether, offline and idempotently: the CLI scripts, the dev users, temp dirs.
#
# Usage: configure-wildfly.sh WILDFLY_HOME
#
# Two server configurations are configured: standalone-full.xml (one node) with src/main/cli/*.cli, and
# standalone-full-ha.xml (a cluster: start-cluster.sh, the cluster ITs) with the same scripts plus
# src/main/cli/ha/*.cli (JGroups over TCPPING, clustered Artemis credentials, no mod_cluster advertising).
#
# Every step checks the actual state before it changes anything, so running it again on a configured
# server changes nothing. Only the CLI step is skipped outright (it boots an embedded server, a few
# seconds) when both configuration files are byte for byte what these same CLI scripts produced last
# time; a re-unpacked distribution (new zip in the local repository) is therefore configured again.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/bin/jboss-cli.sh" ]; then
  echo "usage: $0 WILDFLY_HOME (an unpacked WildFly distribution)" >&2
  exit 2
fi

WILDFLY_HOME=$(cd "$1" && pwd)
MODULE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
CLI_DIR="$MODULE_DIR/src/main/cli"
HA_CLI_DIR="$CLI_DIR/ha"
USERS_FILE="$MODULE_DIR/src/main/users/dev-users.txt"
SERVER_CONFIG=standalone-full.xml
HA_SERVER_CONFIG=standalone-full-ha.xml
CONFIG_DIR="$WILDFLY_HOME/standalone/configuration"
STATE_DIR="$WILDFLY_HOME/.tether"
STAMP="$STATE_DIR/cli-applied.sha256"

# Never let a JBOSS_HOME from the caller's environment point the scripts at another installation.
export JBOSS_HOME="$WILDFLY_HOME"
mkdir -p "$STATE_DIR"

# What the CLI step depends on: the scripts, and the configuration files they were applied to.
cli_state() {
  printf '%s %s %s\n' \
    "$(cat "$CLI_DIR"/*.cli "$HA_CLI_DIR"/*.cli "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)" \
    "$(sha256sum "$CONFIG_DIR/$SERVER_CONFIG" | cut -d' ' -f1)" \
    "$(sha256sum "$CONFIG_DIR/$HA_SERVER_CONFIG" | cut -d' ' -f1)"
}

# Unpacking with Maven may not keep the executable bits of the launch scripts.
chmod +x "$WILDFLY_HOME"/bin/*.sh

# 1. The CLI scripts, one embedded (offline) server session per configuration file, all in one CLI
#    run: they stay free of embed-server themselves, so an operator can also apply them to a running
#    server with `jboss-cli.sh -c --file=`.
embedded_session() { # CONFIG_FILE SCRIPT...
  local config=$1 script
  shift
  echo "embed-server --server-config=$config --std-out=discard"
  for script in "$@"; do
    echo "# ---- $config: $(basename "$script")"
    cat "$script"
    echo
  done
  echo "stop-embedded-server"
}
combined="$STATE_DIR/configure-offline.cli"
{
  embedded_session "$SERVER_CONFIG" "$CLI_DIR"/*.cli
  embedded_session "$HA_SERVER_CONFIG" "$CLI_DIR"/*.cli "$HA_CLI_DIR"/*.cli
} > "$combined"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(cli_state)" ]; then
  echo "[tether] $SERVER_CONFIG and $HA_SERVER_CONFIG are already configured by these CLI scripts."
else
  echo "[tether] Applying $(ls "$CLI_DIR"/*.cli | wc -l) CLI scripts to $SERVER_CONFIG, and $(ls "$HA_CLI_DIR"/*.cli | wc -l) more to $HA_SERVER_CONFIG (offline)"
  "$WILDFLY_HOME/bin/jboss-cli.sh" --file="$combined"
  cli_state > "$STAMP"
fi

# 2. ApplicationRealm users. The users file stores HEX(MD5(name:ApplicationRealm:password)), so the
#    desired state can be checked exactly; add-user.sh runs only for a user that is missing or differs.
while read -r name password roles; do
  case "$name" in ''|'#'*) continue ;; esac
  hash=$(printf '%s' "$name:ApplicationRealm:$password" | md5sum | cut -d' ' -f1)
  if grep -qx "$name=$hash" "$CONFIG_DIR/application-users.properties" \
      && grep -qx "$name=$roles" "$CONFIG_DIR/application-roles.properties"; then
    echo "[tether] User $name is present."
  else
    "$WILDFLY_HOME/bin/add-user.sh" -a -u "$name" -p "$password" -g "$roles" -sc "$CONFIG_DIR" -s
    echo "[tether] User $name added (roles $roles)."
  fi
done < "$USERS_FILE"

# 3. JVM temp dirs: JNA unpacks a native library. Keep it, and every temp file, inside
#    the server's own base dir (under target/), never in a shared /tmp. standalone.conf is sourced
#    before standalone.sh parses -Djboss.server.base.dir, so the base dir comes from JBOSS_BASE_DIR
#    (run-single-node.sh exports it) or defaults to this server's standalone/ folder.
CONF="$WILDFLY_HOME/bin/standalone.conf"
MARKER="# tether: temp dirs under the server base dir"
if ! grep -qF "$MARKER" "$CONF"; then
  cat >> "$CONF" <<'CONF_EOF'

# tether: temp dirs under the server base dir (JNA unpacks a native library at run time).
TETHER_SERVER_BASE_DIR="${JBOSS_BASE_DIR:-$JBOSS_HOME/standalone}"
mkdir -p "$TETHER_SERVER_BASE_DIR/tmp/jna"
JAVA_OPTS="$JAVA_OPTS -Djava.io.tmpdir=$TETHER_SERVER_BASE_DIR/tmp -Djna.tmpdir=$TETHER_SERVER_BASE_DIR/tmp/jna"
CONF_EOF
  echo "[tether] standalone.conf: java.io.tmpdir and jna.tmpdir set under the server base dir."
else
  echo "[tether] standalone.conf already sets the temp dirs."
fi

# 4. Hazelcast (in the EAR) asks for access to a few JDK internals at every start; give it. (No
#    --add-modules here: standalone.sh adds its own module options only when JAVA_OPTS has none.)
MARKER="# tether: JDK internals Hazelcast asks for"
HAZELCAST_OPTS='JAVA_OPTS="$JAVA_OPTS --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"'
if ! grep -qxF "$HAZELCAST_OPTS" "$CONF"; then
  sed -i "/^$MARKER/,+1d" "$CONF" # an older version of these lines
  printf '%s\n%s\n' "$MARKER (its start-up warning lists them)." "$HAZELCAST_OPTS" >> "$CONF"
  echo "[tether] standalone.conf: the JVM options Hazelcast asks for added."
fi

# 4b. The boot log configuration (logging.properties, which the server rewrites from the XML once
#     its logging subsystem starts) says what 60-logging.cli says: the console without colour codes
#     from the first line on.
LOGGING_PROPERTIES="$CONFIG_DIR/logging.properties"
if grep -q '^handler.CONSOLE.formatter=COLOR-PATTERN$' "$LOGGING_PROPERTIES"; then
  sed -i 's/^handler.CONSOLE.formatter=COLOR-PATTERN$/handler.CONSOLE.formatter=PATTERN/' "$LOGGING_PROPERTIES"
  echo "[tether] logging.properties: the boot console log without colour codes."
fi

# 5. The key store the stock HTTPS listener names (applicationKS): made here, with a self-signed
#    certificate for localhost, instead of WildFly warning at every start that it is missing.
KEYSTORE="$CONFIG_DIR/application.keystore"
if [ ! -f "$KEYSTORE" ]; then
  keytool -genkeypair -alias localhost -keyalg RSA -keysize 2048 -validity 3650 -dname "CN=localhost" \
    -storetype JKS -keystore "$KEYSTORE" -storepass password -keypass password 2>/dev/null
  echo "[tether] application.keystore made (self-signed, localhost) for the HTTPS listener."
fi

echo "[tether] $WILDFLY_HOME configured ($SERVER_CONFIG, $HA_SERVER_CONFIG)."
