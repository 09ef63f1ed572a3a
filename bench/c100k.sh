#!/usr/bin/env bash
# C100K (issue #18): `serve echo --model prefork --workers 6` (each worker under the 20,000-descriptor cap) holds
# CONNECTIONS idle connections opened by `polyserve bench hold` (child JVMs of at most 19,000 each, from rotating
# 127.0.x.y sources), then echoes one line on every one of them. Prints hold's report (time to open, echoes verified,
# failures by kind, the server tree's RSS per connection), each worker's share, and the kernel's side: sockets in use,
# TCP memory pages against net.ipv4.tcp_mem, TcpExtTCPAbortOnMemory, the ephemeral port range. Heavy: run it alone,
#
#   flock /work/bench.lock bench/c100k.sh          # CONNECTIONS=100000 WORKER_MODEL=epoll (or uring) by default
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-100000}
WORKERS=${WORKERS:-6}
WORKER_MODEL=${WORKER_MODEL:-epoll}
PER_PROCESS=${PER_PROCESS:-17000}
PORT=${PORT:-18920}
HOLD=${HOLD:-20}
./polyserve --version >/dev/null
server_pid=""; holder=""
report=$(mktemp /tmp/c100k.XXXXXX)
cleanup() {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -f "$report"
}
trap cleanup EXIT
abort_on_memory() { nstat -az TcpExtTCPAbortOnMemory | awk '/TcpExtTCPAbortOnMemory/ {print $2}'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "net.ipv4.tcp_mem (pages): $(cat /proc/sys/net/ipv4/tcp_mem); ip_local_port_range: $(cat /proc/sys/net/ipv4/ip_local_port_range)"
echo "TcpExtTCPAbortOnMemory before: $(abort_on_memory)"
./polyserve serve echo --model prefork --workers "$WORKERS" --worker-model "$WORKER_MODEL" --port "$PORT" \
    --idle-timeout 0 --max-connections 20000 -q >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  [ "$(pgrep -c -P "$server_pid" || true)" -ge "$WORKERS" ] && ss -Htln "( sport = :$PORT )" | grep -q . && break
  sleep 0.1
done
sleep 2   # every worker's listening socket joined the SO_REUSEPORT group
./polyserve bench echo --port "$PORT" --connections 60 --duration 3 --warmup 0 --quiet >/dev/null   # warm the workers
./polyserve bench hold --port "$PORT" --connections "$CONNECTIONS" --per-process "$PER_PROCESS" --hold "$HOLD" \
    --deadline $((HOLD + 240)) --server-pid "$server_pid" >"$report" 2>&1 &
holder=$!
for _ in $(seq 1 3000); do grep -q "holding the connections" "$report" && break; sleep 0.1; done
echo "while held: $(grep -E '^(TCP|sockets):' /proc/net/sockstat | tr '\n' ' ')"
echo "established on :$PORT: $(ss -Htn state established "( sport = :$PORT )" | wc -l)"
for w in $(pgrep -P "$server_pid"); do
  printf '  worker %s: %s descriptors, RSS %s kB\n' "$w" "$(ls /proc/"$w"/fd | wc -l)" "$(awk '/^VmRSS/ {print $2}' /proc/"$w"/status)"
done
wait "$holder" || true; holder=""
cat "$report"
echo "TcpExtTCPAbortOnMemory after: $(abort_on_memory)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
