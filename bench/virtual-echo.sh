#!/usr/bin/env bash
# Echo throughput on the virtual model, this checkout against another one (BEFORE=path/to/other/polyserve), side by
# side in one run, alternating A B A B so a change in the machine's load falls on both: 100 connections, 64-byte
# messages, `polyserve bench echo` with the server's CPU (its process tree, from /proc). Prints each RESULT line.
#
#   BEFORE=/path/to/old/checkout/polyserve flock /work/bench.lock bench/virtual-echo.sh      # ROUNDS=2 DURATION=10
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${BEFORE:?set BEFORE to the other checkout\'s polyserve script}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10}
MODEL=${MODEL:-virtual}
PORT=${PORT:-18921}
./polyserve --version >/dev/null; "$BEFORE" --version >/dev/null
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
one() {
  local label=$1 cmd=$2
  "$cmd" serve echo --model "$MODEL" --port "$PORT" -q >/dev/null 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do ss -Htln "( sport = :$PORT )" | grep -q . && break; sleep 0.1; done
  printf '%-7s ' "$label"
  ./polyserve bench echo --port "$PORT" --connections 100 --duration "$DURATION" --warmup 2 --server-pid "$server_pid" --quiet | grep '^RESULT'
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq 1 "$ROUNDS"); do one before "$BEFORE"; one after ./polyserve; done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
