#!/usr/bin/env bash
# Memory per idle connection (issue #18): serve echo on MODEL, hold CONNECTIONS connections with `polyserve bench hold`
# (each echoes one line, then idles), and compare the server's live heap (a class histogram forces a full GC first)
# and RSS with and without them. Prints the per-connection figures and the histogram's top classes under load.
# POLYSERVE=path/to/polyserve measures another checkout's server (the before figures); the client is always this one.
#
#   MODEL=virtual CONNECTIONS=10000 bench/idle-memory.sh          # WARM=5: seconds of 100-connection echo load first
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-virtual}
CONNECTIONS=${CONNECTIONS:-10000}
POLYSERVE=${POLYSERVE:-./polyserve}
PORT=${PORT:-18918}
HOLD=${HOLD:-120}
TOP=${TOP:-25}
JAVA_HOME=$(bin/find-java)
./polyserve --version >/dev/null
"$POLYSERVE" --version >/dev/null
server_pid=""; holder=""
holdlog=$(mktemp /tmp/idle-memory.XXXXXX)
cleanup() {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -f "$holdlog"
}
trap cleanup EXIT

heap() { "$JAVA_HOME/bin/jcmd" "$server_pid" GC.class_histogram | awk '/^Total/ {print $3}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
established() { ss -Htn state established "( sport = :$PORT )" | wc -l; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$POLYSERVE" serve echo --model "$MODEL" --port "$PORT" --max-connections 30000 --idle-timeout 0 -q >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do ss -Htln "( sport = :$PORT )" | grep -q . && break; sleep 0.1; done
# Warm the server first (classes loaded, pools made, the read path compiled: a virtual thread parked in interpreted
# frames keeps a larger stack chunk), so the baseline holds all that the idle connections do not add.
./polyserve bench echo --port "$PORT" --connections 100 --duration "${WARM:-5}" --warmup 0 --quiet >/dev/null
heap0=$(heap); rss0=$(rss_kb)
./polyserve bench hold --port "$PORT" --connections "$CONNECTIONS" --hold "$HOLD" --deadline $((HOLD + 120)) >"$holdlog" 2>&1 &
holder=$!
for _ in $(seq 1 $((HOLD * 10))); do grep -q "holding the connections" "$holdlog" && break; sleep 0.1; done
held=$(established)
histo=$("$JAVA_HOME/bin/jcmd" "$server_pid" GC.class_histogram)
heap1=$(awk '/^Total/ {print $3}' <<<"$histo"); rss1=$(rss_kb)
echo "model $MODEL: $held idle connections held, each after one echo"
awk -v h0="$heap0" -v h1="$heap1" -v r0="$rss0" -v r1="$rss1" -v n="$held" 'BEGIN {
  printf "live heap after GC: %.1f MB -> %.1f MB: %.2f KB per connection\n", h0/1e6, h1/1e6, (h1-h0)/n/1024
  printf "RSS: %.1f MB -> %.1f MB: %.2f KB per connection\n", r0/1024, r1/1024, (r1-r0)/n }'
echo "top classes with the connections held:"
sed -n "1,$((TOP + 3))p" <<<"$histo" | sed 's/^/  /'
kill "$holder" 2>/dev/null || true; holder=""
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
