#!/usr/bin/env bash
# System calls of the server during one large RETR (curl, loopback), counted with strace -c: vsftpd and polyserve
# models (and builds) side by side. Counts, not times: strace slows every call it sees, so its times mean nothing.
#
#   bench/ftp/syscalls.sh [MODEL...]        (default: nio epoll)
#
# Env: JARS="NAME=JAR ..." as in burst-bench.sh (default: the jar ./polyserve runs, named "polyserve"), SIZE_MIB
#      (default 1024), PEERS (1; 0 skips vsftpd), KEEP=1 keeps the work directory (strace's summaries).
# Needs curl, strace, vsftpd and root (strace attaches to the server; vsftpd's row).
#
# Each row: a warm-up RETR (JIT, page cache), then `strace -f -c -p SERVER` over one more RETR of the same file,
# attached before curl starts and detached after it ends. "wake-ups" = epoll_wait + poll calls (what the loop slept
# in); errors are the calls that failed (EAGAIN for sendfile, EXDEV/EINVAL for the JDK's copy_file_range attempt).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
SIZE_MIB=${SIZE_MIB:-1024}
PEERS=${PEERS:-1}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
WORK=$(mktemp -d /tmp/polyserve-ftp-syscalls.XXXXXX)
BASE=$((10000 + (RANDOM % 10) * 4000))
NEXT_RANGE=0
. "$REPO/bench/ftp/common.sh"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
next_range() { local lo=$((BASE + NEXT_RANGE * 100)); NEXT_RANGE=$((NEXT_RANGE + 1)); RANGE="$lo-$((lo + 99))"; }  # sets RANGE
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

ROOT="$WORK/root"; mkdir -p "$ROOT"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$ROOT/big.bin"
chmod 755 "$WORK" "$ROOT"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| server | sendfile (failed) | copy_file_range (failed) | fstat | wake-ups | all calls | RETR MB/s under strace |"
echo "|---|---|---|---|---|---|---|"

count() { # count NAME PID URL
  local name=$1 pid=$2 url=$3 out="$WORK/strace-${1// /-}.txt" st speed
  curl -s -o /dev/null "$url/big.bin"
  strace -f -c -p "$pid" -o "$out" 2>/dev/null & st=$!
  sleep 1   # strace attaches to every thread before the transfer starts
  speed=$(curl -s -o /dev/null -w '%{speed_download}' "$url/big.bin")
  kill "$st"; wait "$st" 2>/dev/null || true
  python3 - "$name" "$out" "$speed" <<'EOF'
import sys
name, path, speed = sys.argv[1], sys.argv[2], float(sys.argv[3])
calls, errors, total = {}, {}, 0
for line in open(path):
    f = line.split()
    if len(f) >= 5 and f[0][0].isdigit() and not line.startswith("100.00"):
        n, name_ = int(f[3]), f[-1]
        e = int(f[4]) if len(f) == 6 else 0
        calls[name_], errors[name_] = n, e
        total += n
def c(s): return f"{calls.get(s, 0)} ({errors.get(s, 0)})" if calls.get(s) else "0"
fstat = sum(calls.get(s, 0) for s in ("fstat", "newfstatat", "statx"))
wakes = sum(calls.get(s, 0) for s in ("epoll_wait", "epoll_pwait", "poll", "ppoll", "select", "pselect6", "io_uring_enter"))
print(f"| {name} | {c('sendfile')} | {c('copy_file_range')} | {fstat} | {wakes} | {total} | {round(speed / 1e6)} |")
EOF
}

if [ "$PEERS" = 1 ] && command -v vsftpd >/dev/null && [ "$(id -u)" = 0 ]; then
  VPORT=$(free_port); next_range
  mkdir -p /var/run/vsftpd/empty
  vsftpd "$REPO/bench/ftp/vsftpd.conf" -olisten_port="$VPORT" -oanon_root="$ROOT" \
      -opasv_min_port="${RANGE%-*}" -opasv_max_port="${RANGE#*-}" >"$WORK/vsftpd.log" 2>&1 & VPID=$!; PIDS+=($VPID)
  if wait_port "$VPORT"; then count vsftpd "$VPID" "ftp://127.0.0.1:$VPORT"
  else log "vsftpd did not start: $(head -2 "$WORK/vsftpd.log")"; fi
  kill "$VPID"; wait "$VPID" 2>/dev/null || true
fi

if [ -z "${JARS:-}" ]; then
  "$REPO/polyserve" --version >/dev/null   # builds the jar if the sources are newer
  JARS="polyserve=$REPO/cli/target/polyserve.jar"
fi
first=${JARS%% *}
printf 'bench-pw\n' | "$JAVA" -jar "${first#*=}" ftp-user add bench --home . --users "$WORK/users" \
    --password-stdin --iterations 1000 >/dev/null 2>&1
MODELS=("$@"); [ ${#MODELS[@]} -gt 0 ] || MODELS=(nio epoll)
for m in "${MODELS[@]}"; do
  for build in $JARS; do
    label=${build%%=*} jar=${build#*=}; next_range
    "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$jar" serve ftp --model "$m" --port 0 \
        --root "$ROOT" --users "$WORK/users" --passive-ports "$RANGE" >"$WORK/polyserve-$label-$m.log" 2>&1 &
    SPID=$!; PIDS+=($SPID)
    for _ in $(seq 300); do grep -qs "listening on" "$WORK/polyserve-$label-$m.log" && break; kill -0 $SPID 2>/dev/null || break; sleep 0.1; done
    if ! grep -q "listening on" "$WORK/polyserve-$label-$m.log"; then log "$label $m did not start: $(head -2 "$WORK/polyserve-$label-$m.log")"; continue; fi
    PPORT=$(grep -o 'listening on [0-9.]*:[0-9]*' "$WORK/polyserve-$label-$m.log" | sed 's/.*://')
    count "$label $m" "$SPID" "ftp://bench:bench-pw@127.0.0.1:$PPORT"
    kill "$SPID"; wait "$SPID" 2>/dev/null || true
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
