#!/usr/bin/env bash
# Server CPU per byte for one large RETR and STOR (curl, loopback): vsftpd and polyserve models side by side in one
# run, every run printed (not only a median), optionally with a JFR profile of each polyserve server.
#
#   bench/ftp/cpu-profile.sh [MODEL...]            (default: nio epoll)
#
# Env: POLYSERVE (default ./polyserve), SIZE_MIB (default 1024), RUNS (default 3), REPEAT (transfers per run, default
#      3: one 1 GiB RETR costs a sendfile server only ~10 clock ticks of CPU, too few to read alone), JFR=1 records each polyserve
#      server with JFR (settings=profile) and prints its hottest frames (bench/ftp/jfr-top.py), KEEP=1 keeps the
#      work directory (the .jfr files). Needs curl, python3, vsftpd and root (for vsftpd).
#
# Each row: REPEAT curl transfers of SIZE_MIB MiB one after the other (MB/s is their mean), file in the page cache, output to /dev/null (RETR) or read from the
# page cache (STOR into incoming/). MB = 10^6 bytes; MB/CPU-s = bytes / server CPU seconds (utime+stime of the
# server's process tree from /proc, bench/ftp/cpu-during.py). The load average is printed before and after.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
REPEAT=${REPEAT:-3}
POLYSERVE=${POLYSERVE:-$REPO/polyserve}
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
WORK=$(mktemp -d /tmp/polyserve-ftp-cpu.XXXXXX)
BASE=$((10000 + (RANDOM % 18) * 1000))
. "$REPO/bench/ftp/common.sh"
mean() { awk '{s += $1} END {if (NR) printf "%f", s / NR}'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

ROOT="$WORK/root"; mkdir -p "$ROOT/incoming"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$ROOT/big.bin"
chmod 755 "$WORK" "$ROOT"; chown ftp "$ROOT/incoming" 2>/dev/null || chmod 777 "$ROOT/incoming"
BYTES=$(stat -c %s "$ROOT/big.bin")
printf 'bench-pw\n' | "$POLYSERVE" ftp-user add bench --home . --write --users "$WORK/users" --password-stdin --iterations 1000 2>/dev/null

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| server | run | RETR MB/s | RETR MB/CPU-s | STOR MB/s | STOR MB/CPU-s |"
echo "|---|---|---|---|---|---|"

measure() { # measure NAME PID URL
  local name=$1 pid=$2 url=$3 r retr rcpu stor scpu
  curl -s -o /dev/null "$url/big.bin" # warm-up: JIT, page cache
  curl -s -T "$ROOT/big.bin" "$url/incoming/warm.bin"; rm -f "$ROOT/incoming/warm.bin"
  for r in $(seq "$RUNS"); do
    retr=$(python3 "$REPO/bench/ftp/cpu-during.py" "$pid" -- bash -c "for i in \$(seq $REPEAT); do curl -s -o /dev/null -w '%{speed_download}\n' '$url/big.bin'; done" 2>"$WORK/cpu.err" | mean)
    rcpu=$(grep -o 'cpu_s=[0-9.]*' "$WORK/cpu.err" | cut -d= -f2)
    stor=$(python3 "$REPO/bench/ftp/cpu-during.py" "$pid" -- bash -c "for i in \$(seq $REPEAT); do curl -s -T '$ROOT/big.bin' -w '%{speed_upload}\n' '$url/incoming/stor.bin'; done" 2>"$WORK/cpu.err" | mean)
    scpu=$(grep -o 'cpu_s=[0-9.]*' "$WORK/cpu.err" | cut -d= -f2)
    rm -f "$ROOT/incoming/stor.bin"
    awk -v n="$name" -v r="$r" -v b="$((BYTES * REPEAT))" -v rs="$retr" -v rc="$rcpu" -v ss="$stor" -v sc="$scpu" 'BEGIN {
      printf "| %s | %d | %d | %d | %d | %d |\n", n, r, rs / 1e6, (rc > 0) ? b / 1e6 / rc : 0, ss / 1e6, (sc > 0) ? b / 1e6 / sc : 0 }'
  done
}

if command -v vsftpd >/dev/null && [ "$(id -u)" = 0 ]; then
  VPORT=$(free_port)
  mkdir -p /var/run/vsftpd/empty
  vsftpd "$REPO/bench/ftp/vsftpd.conf" -olisten_port=$VPORT -oanon_root="$ROOT" \
      -opasv_min_port=$((BASE + 100)) -opasv_max_port=$((BASE + 499)) >"$WORK/vsftpd.log" 2>&1 & VPID=$!; PIDS+=($VPID)
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$VPORT) 2>/dev/null && break; sleep 0.1; done
  measure "vsftpd" "$VPID" "ftp://127.0.0.1:$VPORT"
  kill "$VPID"; wait "$VPID" 2>/dev/null || true
else
  log "vsftpd skipped (not installed or not root)"
fi

MODELS=("$@"); [ ${#MODELS[@]} -gt 0 ] || MODELS=(nio epoll)
for m in "${MODELS[@]}"; do
  opts=${POLYSERVE_JAVA_OPTS:-}
  [ "${JFR:-0}" = 1 ] && opts="$opts -XX:StartFlightRecording=filename=$WORK/$m.jfr,settings=profile,dumponexit=true"
  POLYSERVE_JAVA_OPTS="$opts" "$POLYSERVE" serve ftp --model "$m" --port 0 --root "$ROOT" --users "$WORK/users" \
      --passive-ports "$((BASE + 500))-$((BASE + 899))" >"$WORK/polyserve-$m.log" 2>&1 & SPID=$!; PIDS+=($SPID)
  for _ in $(seq 300); do grep -qs "listening on" "$WORK/polyserve-$m.log" && break; kill -0 $SPID 2>/dev/null || break; sleep 0.1; done
  if ! grep -q "listening on" "$WORK/polyserve-$m.log"; then log "model $m did not start: $(head -2 "$WORK/polyserve-$m.log")"; continue; fi
  PPORT=$(grep -o 'listening on [0-9.]*:[0-9]*' "$WORK/polyserve-$m.log" | sed 's/.*://')
  measure "polyserve $m" "$SPID" "ftp://bench:bench-pw@127.0.0.1:$PPORT"
  kill "$SPID"; wait "$SPID" 2>/dev/null || true
  if [ "${JFR:-0}" = 1 ] && [ -s "$WORK/$m.jfr" ]; then
    echo; echo "JFR, polyserve $m: hottest frames (warm-up and runs, RETR and STOR together)"; echo
    python3 "$REPO/bench/ftp/jfr-top.py" "$WORK/$m.jfr"
    echo
  fi
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
