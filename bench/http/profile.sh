#!/usr/bin/env bash
# Where polyserve's server CPU goes per HTTP request: one model under wrk, recorded by JFR's CPU-time sampler
# (jdk.CPUTimeSample, JDK 25, Linux: it samples by thread CPU time, so time in system calls counts, unlike
# jdk.ExecutionSample), then summarised by bench/http/jfr-cpu.py (loop phase, top frame, first polyserve frame).
# Loopback only; bounded: WARMUP + RECORD + 2 seconds of wrk, then the server is stopped.
#
#   MODEL=nio CONNS=1000 bench/http/profile.sh            # the JSON route (/api/hello), 1,000 connections
#   MODEL=uring URL_PATH=/1k.txt bench/http/profile.sh    # the static file instead
#
# Prints wrk's summary, the server's CPU seconds (user, system) and per request, then the tables. JAR= another build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
MODEL=${MODEL:-nio}
CONNS=${CONNS:-1000}
PORT=${PORT:-18590}
WARMUP=${WARMUP:-10}       # seconds of load before the recording starts (JIT)
RECORD=${RECORD:-12}       # seconds recorded
URL_PATH=${URL_PATH:-/api/hello}
JAR=${JAR:-$repo/cli/target/polyserve.jar}
JAVA_HOME=$("$repo/bin/find-java"); export JAVA_HOME
command -v wrk >/dev/null || { echo "bench/http/profile.sh: needs wrk" >&2; exit 2; }
[ -f "$JAR" ] || { echo "bench/http/profile.sh: no $JAR (build it: ./polyserve --version)" >&2; exit 2; }
work=$(mktemp -d /tmp/polyserve-http-profile.XXXXXX)
server_pid=""
# shellcheck source=common.sh
. "$here/common.sh"
trap '[ -n "$server_pid" ] && stop_server; rm -rf "$work"' EXIT
head -c 1024 /dev/zero | tr '\0' 'x' > "$work/1k.txt"
rec="$work/profile.jfr"
"$JAVA_HOME/bin/java" -Xms256m -Xmx256m --enable-native-access=ALL-UNNAMED \
  "-XX:StartFlightRecording=delay=${WARMUP}s,duration=${RECORD}s,settings=profile,jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=2ms,filename=$rec" \
  -jar "$JAR" serve http --root "$work" --host 127.0.0.1 --port "$PORT" --model "$MODEL" --access-log off --max-per-ip 0 --demo-routes \
  > "$work/server.log" 2>&1 &
server_pid=$!
wait_port "$URL_PATH"
tck=$(getconf CLK_TCK)
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$server_pid/stat")
# wrk runs from the server's start to past the recording's end, so the whole recording is under load.
wrk -t2 -c"$CONNS" -d"$((WARMUP + RECORD + 2))s" "http://127.0.0.1:$PORT$URL_PATH" | tee "$work/wrk.txt"
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$server_pid/stat")
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v t="$tck" -v n="$requests" \
  'BEGIN {printf "server CPU s: %.2f (user %.2f, system %.2f); %.1f us per request\n", (u + s) / t, u / t, s / t, (u + s) / t / n * 1e6}'
stop_server
echo "model $MODEL, $CONNS connections, $URL_PATH, load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/jfr-cpu.py" "$rec"
