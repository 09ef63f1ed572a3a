#!/usr/bin/env bash
# Server CPU per full TLS 1.3 handshake: the JDK's SSLEngine beside Conscrypt's (BoringSSL), in memory, same key.
#   bench/tls/handshake-cpu.sh [COUNT]        (default 400 counted handshakes each, after COUNT/2 warm-up)
# Fetches org.conscrypt:conscrypt-openjdk-uber with Maven (into ~/.m2), makes a cert with polyserve, runs both.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
COUNT=${1:-400}
CONSCRYPT=${CONSCRYPT:-2.5.2}
JAVA_HOME=$("$repo/bin/find-java"); export JAVA_HOME
mvn -B -q -ntp dependency:get -Dartifact="org.conscrypt:conscrypt-openjdk-uber:$CONSCRYPT" >&2
jar="$HOME/.m2/repository/org/conscrypt/conscrypt-openjdk-uber/$CONSCRYPT/conscrypt-openjdk-uber-$CONSCRYPT.jar"
work=$(mktemp -d /tmp/polyserve-tls-cpu.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$repo/polyserve" cert --out "$work/cert" >/dev/null 2>&1
echo "load (1 min) before: $(cut -d' ' -f1 /proc/loadavg)"
"$JAVA_HOME/bin/java" -cp "$jar" "$here/HandshakeProbe.java" jdk "$COUNT" "$work/cert"
# Conscrypt finds no certificate through the JDK's PKIX key manager (BoringSSL: NO_CERTIFICATE_SET); SunX509 works.
"$JAVA_HOME/bin/java" -Dkmf=SunX509 --enable-native-access=ALL-UNNAMED -cp "$jar" "$here/HandshakeProbe.java" conscrypt "$COUNT" "$work/cert"
echo "load (1 min) after: $(cut -d' ' -f1 /proc/loadavg)"
