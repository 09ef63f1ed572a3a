#!/usr/bin/env bash
# Coverage-guided fuzzing of polyserve's parsers (issue #16), one @FuzzTest target at a time, for real
# (JAZZER_FUZZ=1). A plain test run only replays the committed corpora; this finds new inputs.
#
#   bench/fuzz.sh                          # every target, 180 s each
#   bench/fuzz.sh HttpRequestParserFuzzTest 300
#   bench/fuzz.sh list                     # the targets
#
# What libFuzzer kept (its corpus only holds inputs that reached new coverage, already reduced) is copied into the
# target's committed inputs, src/test/resources/<package>/<Class>Inputs/<method>/, smallest first, up to
# KEEP_BYTES and KEEP_FILES per target, so the replay in CI stays fast. A crash fails the run; Jazzer writes the crashing input
# into that same directory, where it becomes a regression test once fixed. The last libFuzzer status line per
# target (executions, exec/s, cov = coverage edges, ft = features, corp = corpus) goes to OUT (default
# /tmp/polyserve-fuzz/summary.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:-all}
SECONDS_EACH=${2:-180}
KEEP_BYTES=${KEEP_BYTES:-65536}
KEEP_FILES=${KEEP_FILES:-200}
OUT=${OUT:-/tmp/polyserve-fuzz}
# Small heap: the machine is shared, and a parser target needs little.
HEAP=${HEAP:-512m}
mkdir -p "$OUT"

targets() {
  grep -rl --include='*FuzzTest.java' '@FuzzTest' core process services | grep '/src/test/java/' | sort
}
if [ "$TARGET" = list ]; then targets | sed 's#.*/##; s#\.java$##'; exit 0; fi

fuzz_one() {  # fuzz_one path/to/XFuzzTest.java
  local file=$1 module class pkg method
  module=${file%%/*}
  class=$(basename "$file" .java)
  pkg=$(sed -n 's/^package \(.*\);/\1/p' "$file")
  for method in $(grep -A2 '@FuzzTest' "$file" | sed -n 's/.*void \([A-Za-z0-9_]*\)(.*/\1/p'); do
    echo "== $class#$method: ${SECONDS_EACH}s"
    local log=$OUT/$class-$method.log rc=0
    JAZZER_FUZZ=1 ./run-tests -pl "$module" -am -Dtest="$class#$method" -Dsurefire.failIfNoSpecifiedTests=false -Dorg.slf4j.simpleLogger.defaultLogLevel=off \
      -Djazzer.max_duration="${SECONDS_EACH}s" -Dsurefire.argLine="-ea --enable-native-access=ALL-UNNAMED -XX:+EnableDynamicAgentLoading -Xmx$HEAP" \
      test >"$log" 2>&1 || rc=$?
    local status
    status=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 || true)
    echo "$class#$method rc=$rc $status" | tee -a "$OUT/summary.txt"
    if [ $rc -ne 0 ]; then
      echo "   FAILED: see $log (crashing inputs land in the target's Inputs directory)"; grep -m3 -E 'FuzzTestFinding|Exception|Error' "$log" || true
    fi
    local generated=$module/.cifuzz-corpus/$pkg.$class/$method
    local inputs=$module/src/test/resources/${pkg//.//}/${class}Inputs/$method
    mkdir -p "$inputs"
    if [ -d "$generated" ]; then
      local used=0 f size
      used=$(du -cb "$inputs" 2>/dev/null | tail -1 | cut -f1)
      while read -r size f; do
        [ $((used + size)) -le "$KEEP_BYTES" ] && [ "$(find "$inputs" -type f | wc -l)" -lt "$KEEP_FILES" ] || break
        cp -n "$f" "$inputs/" && used=$((used + size))
      done < <(find "$generated" -type f -printf '%s %p\n' | sort -n)
      echo "   corpus: $(find "$generated" -type f | wc -l) generated, $(find "$inputs" -type f | wc -l) kept in $inputs"
    fi
  done
}

if [ "$TARGET" = all ]; then
  for f in $(targets); do fuzz_one "$f"; done
else
  f=$(targets | grep "/$TARGET.java$" || true)
  [ -n "$f" ] || { echo "bench/fuzz.sh: no target $TARGET (try: bench/fuzz.sh list)" >&2; exit 2; }
  fuzz_one "$f"
fi
