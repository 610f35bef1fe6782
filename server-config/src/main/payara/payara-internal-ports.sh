#!/usr/bin/env bash
# Prints the internal ports of a Payara node at a port offset (its domain's port base is
# 8000+offset), one line, for setup-shell-accounts.sh's TETHER_INTERNAL_PORTS: the ports shells
# must not reach. Tether's own Hazelcast member (5701+offset); Payara's admin (base+48), its Data
# Grid (base+49; and 4900, its default), IIOP
# (base+37, +38, +39), JMS (OpenMQ: its port mapper base+76, its jms, admin and JMX services
# base+77, +78, +79, which configure-payara-domain.sh fixes), JMX (base+86), OSGi shell (base+66), debugger
# (base+9). Only HTTP (base+80) and HTTPS (base+81) stay open.
#
# Usage: payara-internal-ports.sh PORT_OFFSET
set -euo pipefail
if [ $# -ne 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]] || [ "$1" -gt 50000 ]; then
  echo "usage: $0 PORT_OFFSET (0 to 50000)" >&2
  exit 2
fi
base=$((8000 + $1))
echo "$((5701 + $1)) $((base + 48)) $((base + 49)) $((base + 77)) $((base + 78)) $((base + 79)) $((base + 37)) $((base + 38)) $((base + 39)) $((base + 76)) $((base + 86)) $((base + 66)) $((base + 9)) 4900"
