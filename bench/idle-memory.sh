#!/usr/bin/env bash
# Memory per idle connection (issue #18): serve echo on MODEL, hold CONNECTIONS idle connections (bench/idle_hold.py,
# from 127.0.P.1 source addresses), and compare the server's live heap (a class histogram forces a full GC first) and
# RSS with and without them. Prints the per-connection figures and the histogram's top classes under load.
#
#   MODEL=virtual CONNECTIONS=10000 bench/idle-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-virtual}
CONNECTIONS=${CONNECTIONS:-10000}
PROCESSES=${PROCESSES:-2}
PORT=${PORT:-18918}
HOLD=${HOLD:-40}
TOP=${TOP:-25}
JAVA_HOME=$(bin/find-java)
./polyserve --version >/dev/null
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

heap() { "$JAVA_HOME/bin/jcmd" "$server_pid" GC.class_histogram | awk '/^Total/ {print $3}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
established() { ss -Htn state established "( sport = :$PORT )" | wc -l; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
./polyserve serve echo --model "$MODEL" --port "$PORT" --max-connections 30000 --idle-timeout 0 -q >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do ss -Htln "( sport = :$PORT )" | grep -q . && break; sleep 0.1; done
# Warm the engine once (classes loaded, pools made) so the baseline holds what the idle connections do not add.
python3 - "$PORT" <<'PY'
import socket, sys
for _ in range(20):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(b"warm\n"); s.recv(16); s.close()
PY
heap0=$(heap); rss0=$(rss_kb)
python3 bench/idle_hold.py "$PORT" "$CONNECTIONS" "$PROCESSES" "$HOLD" >/dev/null &
holder=$!
for _ in $(seq 1 $((HOLD * 10))); do [ "$(established)" -ge "$CONNECTIONS" ] && break; sleep 0.1; done
held=$(established)
histo=$("$JAVA_HOME/bin/jcmd" "$server_pid" GC.class_histogram)
heap1=$(awk '/^Total/ {print $3}' <<<"$histo"); rss1=$(rss_kb)
echo "model $MODEL: $held idle connections held"
awk -v h0="$heap0" -v h1="$heap1" -v r0="$rss0" -v r1="$rss1" -v n="$held" 'BEGIN {
  printf "live heap after GC: %.1f MB -> %.1f MB: %.2f KB per connection\n", h0/1e6, h1/1e6, (h1-h0)/n/1024
  printf "RSS: %.1f MB -> %.1f MB: %.2f KB per connection\n", r0/1024, r1/1024, (r1-r0)/n }'
echo "top classes with the connections held:"
sed -n "1,$((TOP + 3))p" <<<"$histo" | sed 's/^/  /'
kill "$holder" 2>/dev/null || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
