#!/usr/bin/env bash
# Allocation per message on the Linux engines' loop threads (see docs/bench/linux-hotpath.md).
# Usage: bench/linux-hotpath.sh [models, default all five] [warm-up messages] [measured messages]
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=$(bin/find-java); export JAVA_HOME
mvn -B -q -ntp -pl linux -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile="$PWD/linux/target/bench.classpath" -Dmdep.includeScope=test >/dev/null
CP="linux/target/test-classes:linux/target/classes:core/target/classes:core/target/test-classes:$(cat linux/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED \
    -Xms256m -Xmx256m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$CP" dev.polyserve.linux.bench.HotPathProbe "$@"
