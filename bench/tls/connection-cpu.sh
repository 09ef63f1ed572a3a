#!/usr/bin/env bash
# Server CPU per TLS connection, by phase (engine creation, handshake, one GET, close), in memory, through
# polyserve's TlsContext with each provider; the same EC P-256 certificate as the HTTPS benchmark.
#   bench/tls/connection-cpu.sh [COUNT]     (default 3000 counted connections for Conscrypt, a sixth of it for the JDK)
# Uses cli/target/polyserve.jar (build it first: ./run-tests -q -DskipTests package -pl cli -am); JAR=... for another.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
COUNT=${1:-3000}
JAR=${JAR:-$repo/cli/target/polyserve.jar}
JAVA_HOME=$("$repo/bin/find-java"); export JAVA_HOME
work=$(mktemp -d /tmp/polyserve-tls-conn.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/java" -jar "$JAR" cert --out "$work/cert" >/dev/null 2>&1
echo "load (1 min) before: $(cut -d' ' -f1 /proc/loadavg)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$JAR" "$here/ConnectionCost.java" conscrypt "$COUNT" "$work/cert" 2>&1 | grep -v ' INFO '
"$JAVA_HOME/bin/java" -cp "$JAR" "$here/ConnectionCost.java" jdk "$((COUNT / 6))" "$work/cert" 2>&1 | grep -v ' INFO '
echo "load (1 min) after: $(cut -d' ' -f1 /proc/loadavg)"
