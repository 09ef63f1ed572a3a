#!/usr/bin/env bash
# Time to steady state of `polyserve serve http` as a user starts it: the server is launched, and from then on
# wrk runs back to back in 1-second slices (-t1 -c16, one small static file), so each line is the req/s of one
# second since launch. Prints: the time to the first answered request, then "SECONDS_SINCE_LAUNCH REQ_PER_S" lines,
# then the server's CPU seconds at the end. Loopback only; bounded: SLICES seconds of load, then the server stops.
#
#   bench/http/warmup.sh [SLICES] [-- COMMAND...]   (default command: ./polyserve, the launcher as shipped)
#
# e.g. MODEL=epoll-et bench/http/warmup.sh 20
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
slices=${1:-20}; shift || true
[ "${1:-}" = "--" ] && shift
cmd=("$@"); [ ${#cmd[@]} -eq 0 ] && cmd=("$root/polyserve")
command -v wrk >/dev/null || { echo "warmup.sh: needs wrk" >&2; exit 2; }
port=${PORT:-18931}
site=$(mktemp -d); trap 'rm -rf "$site"' EXIT
printf '<!doctype html><title>warm-up</title><p>hello\n' > "$site/index.html"

t0=$(date +%s%N)
"${cmd[@]}" serve http --root "$site" --host 127.0.0.1 --port "$port" --model "${MODEL:-nio}" --access-log off >/dev/null 2>&1 &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap 'stop; rm -rf "$site"' EXIT
until curl -fs -o /dev/null "http://127.0.0.1:$port/index.html"; do
  kill -0 "$pid" 2>/dev/null || { echo "warmup.sh: the server exited" >&2; exit 1; }
  sleep 0.01
done
awk -v ms="$(( ($(date +%s%N) - t0) / 1000000 ))" 'BEGIN {printf "first_response_s %.3f\n", ms / 1000}'
for _ in $(seq "$slices"); do
  rps=$(wrk -t1 -c16 -d1s "http://127.0.0.1:$port/index.html" | awk '/^Requests\/sec:/ {print $2}')
  awk -v t="$(( ($(date +%s%N) - t0) / 1000000 ))" -v r="$rps" 'BEGIN {printf "%.1f %.0f\n", t / 1000, r}'
done
# CPU of the server's process tree (the launcher execs java, so the pid is the JVM's).
ticks=$(getconf CLK_TCK)
awk -v hz="$ticks" '{printf "server_cpu_s %.2f\n", ($14 + $15) / hz}' "/proc/$pid/stat"
