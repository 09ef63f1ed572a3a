#!/usr/bin/env bash
# Connection set-up cost per model: for each server, start it, warm it up, then time COUNT fresh connections one
# after another (connect, one line, its echo, close) with bench/process/connect_cost.py, which also reads the
# server process tree's CPU time from /proc. Appends one Markdown row per server to OUT.
#
#   bench/process/connect-cost.sh [-n COUNT] [-o OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=200
OUT=bench/results/connect-cost.md
while [ $# -gt 0 ]; do
  case "$1" in
    -n) COUNT=$2; shift 2 ;;
    -o) OUT=$2; shift 2 ;;
    *) echo "connect-cost.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
# Warm-up connections before measuring: JIT for the in-process models, the CDS archive for process children.
WARMUP=20
START_TIMEOUT_S=60

./polyserve --help >/dev/null   # build first, not during a measurement
mkdir -p "$(dirname "$OUT")"
[ -s "$OUT" ] || { echo "| server | connections | median ms | p90 ms | p99 ms | conn/s | server CPU ms/conn | load1 |"; echo "|---|--:|--:|--:|--:|--:|--:|--:|"; } >"$OUT"

run() {
  local name=$1; shift
  local log; log=$(mktemp)
  setsid ./polyserve "$@" >"$log" 2>"$log.err" </dev/null &
  local pid=$!
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until grep -q '^listening on' "$log"; do
    if [ $SECONDS -gt $deadline ] || ! kill -0 $pid 2>/dev/null; then echo "$name did not start:" >&2; cat "$log.err" >&2; kill $pid 2>/dev/null; return 1; fi
    sleep 0.1
  done
  local port; port=$(sed -n 's/^listening on .*:\([0-9]*\) (.*/\1/p' "$log")
  python3 bench/process/connect_cost.py "$port" $WARMUP >/dev/null
  local result; result=$(python3 bench/process/connect_cost.py "$port" "$COUNT" --server-pid $pid)
  echo "$name: $result" >&2
  kill -TERM $pid; wait $pid || true
  rm -f "$log" "$log.err"
  # connections 200  median 0.181 ms  p90 ... conn/s  server CPU 0.21 s = 1.05 ms/conn
  set -- $result
  echo "| $name | $2 | $4 | $7 | ${10} | ${15} | ${22} | $(cut -d' ' -f1 /proc/loadavg) |" >>"$OUT"
}

run "nio (in-process)" serve echo --model nio --port 0
run "prefork, 2 workers x nio" serve echo --model prefork --workers 2 --port 0
run "process (a JVM per connection, AppCDS)" serve echo --model process --port 0
POLYSERVE_JAVA_OPTS=-Dpolyserve.cds=off run "process, CDS off" serve echo --model process --port 0
run "exec -- /bin/cat" serve exec --port 0 -- /bin/cat
echo "appended to $OUT" >&2
