#!/usr/bin/env bash
# FTP throughput and concurrency: polyserve (per model) next to vsftpd and the loopback limit (iperf3), on
# this machine, with the same clients. Results go to stdout as Markdown table rows for docs/bench/ftp.md.
#
#   bench/ftp/ftp-bench.sh [MODEL...]          (default: every JDK model but iterative, plus linux ones listed)
#
# Env: POLYSERVE (default ./polyserve), SIZE_MIB (large file, default 1024), RUNS (default 3, median taken),
#      CLIENTS (default 200), SMALL_MIB (per-client file, default 10), KEEP=1 keeps the work directory.
# Needs: curl, python3, iperf3, vsftpd (apt-get install -y curl iperf3 vsftpd) and root for vsftpd.
#
# Large-file figures: curl, one connection, file in the page cache, output to /dev/null (RETR) or from the
# page cache (STOR). MB = 10^6 bytes. "MB/CPU-s" = bytes moved / server CPU seconds (utime+stime of the
# server process tree from /proc, reaped children included), so it shows work per unit of server CPU.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
POLYSERVE=${POLYSERVE:-$REPO/polyserve}
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-200}
SMALL_MIB=${SMALL_MIB:-10}
WORK=$(mktemp -d /tmp/polyserve-ftp-bench.XXXXXX)
BASE=$((10000 + (RANDOM % 18) * 1000))   # passive ranges; spread to avoid parallel runs
. "$REPO/bench/ftp/common.sh"

# Runs a command while measuring the server tree's CPU; the command's stdout passes through, the CPU seconds
# land in $WORK/cpu.
during() { # during PID COMMAND...
  local pid=$1; shift
  python3 "$REPO/bench/ftp/cpu-during.py" "$pid" -- "$@" 2>"$WORK/cpu.err"
  grep -o 'cpu_s=[0-9.]*' "$WORK/cpu.err" | cut -d= -f2 >"$WORK/cpu"
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# ------------------------------------------------------------------ fixtures
ROOT="$WORK/root"; mkdir -p "$ROOT/incoming"
log "making a ${SIZE_MIB} MiB file and a ${SMALL_MIB} MiB file in $ROOT"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$ROOT/big.bin"
head -c $((SMALL_MIB * 1024 * 1024)) /dev/urandom >"$ROOT/small.bin"
chmod 755 "$WORK" "$ROOT"; chown ftp "$ROOT/incoming" 2>/dev/null || chmod 777 "$ROOT/incoming"
BYTES=$(stat -c %s "$ROOT/big.bin")
# The default hash (PBKDF2, 600,000 iterations): the first login phase is cold, the second (--warm) hits the cache.
printf 'bench-pw\n' | "$POLYSERVE" ftp-user add bench --home . --write --users "$WORK/users" --password-stdin 2>/dev/null

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| server | RETR MB/s | RETR MB/CPU-s | STOR MB/s | STOR MB/CPU-s | ${CLIENTS} x login cold s | warm s | ${CLIENTS} x RETR ${SMALL_MIB} MiB s | ${CLIENTS} x STOR ${SMALL_MIB} MiB s | same + ${CLIENTS} idle s | load CPU-s | errors |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"

# ------------------------------------------------------------------ loopback limit
IPERF_PORT=$(free_port)
iperf3 -s -1 -p "$IPERF_PORT" >/dev/null 2>&1 & PIDS+=($!)
sleep 0.5
IPERF=$(iperf3 -c 127.0.0.1 -p "$IPERF_PORT" -t 5 -J | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6))')
echo "| iperf3 loopback (1 TCP stream, 5 s) | $IPERF | | $IPERF | | | | | | | | |"

# ------------------------------------------------------------------ one server's figures
measure() { # measure NAME PID URL_BASE USER PASSWORD PORT
  local name=$1 pid=$2 url=$3 user=$4 pw=$5 port=$6 r speeds=() cpus=() sspeeds=() scpus=()
  curl -s -o /dev/null "$url/big.bin"                          # warm-up (JIT, page cache)
  for r in $(seq "$RUNS"); do
    speeds+=("$(during "$pid" curl -s -o /dev/null -w '%{speed_download}' "$url/big.bin")"); cpus+=("$(cat "$WORK/cpu")")
    sspeeds+=("$(during "$pid" curl -s -T "$ROOT/big.bin" -w '%{speed_upload}' "$url/incoming/stor-big.bin")"); scpus+=("$(cat "$WORK/cpu")")
    rm -f "$ROOT/incoming/stor-big.bin"
  done
  local retr stor retr_cpu stor_cpu
  retr=$(printf '%s\n' "${speeds[@]}" | median | awk '{printf "%d", $1 / 1e6}')
  stor=$(printf '%s\n' "${sspeeds[@]}" | median | awk '{printf "%d", $1 / 1e6}')
  retr_cpu=$(printf '%s\n' "${cpus[@]}" | median | awk -v b="$BYTES" '{printf "%d", ($1 > 0) ? b / 1e6 / $1 : 0}')
  stor_cpu=$(printf '%s\n' "${scpus[@]}" | median | awk -v b="$BYTES" '{printf "%d", ($1 > 0) ? b / 1e6 / $1 : 0}')
  local load
  load=$(during "$pid" python3 "$REPO/bench/ftp/ftpload.py" --port "$port" --user "$user" --password "$pw" --clients "$CLIENTS" \
      --retr small.bin --stor-dir incoming --size $((SMALL_MIB * 1024 * 1024)) --warm --idle "$CLIENTS")
  local lcpu; lcpu=$(cat "$WORK/cpu")
  rm -f "$ROOT"/incoming/load-*.bin
  echo "$load" | python3 -c '
import json, sys
r = json.load(sys.stdin)
name, retr, retr_cpu, stor, stor_cpu, lcpu = sys.argv[1:]
cells = [name, retr, retr_cpu, stor, stor_cpu, r["login_s"], r.get("login_warm_s", ""), r.get("retr_s", ""), r.get("stor_s", ""),
         r.get("stor_idle_s", ""), lcpu, r["errors"]]
print("| " + " | ".join(str(c) for c in cells) + " |")
if r["errors"]: print("#", r.get("first_errors"), file=sys.stderr)
' "$name" "$retr" "$retr_cpu" "$stor" "$stor_cpu" "$lcpu"
}

# ------------------------------------------------------------------ vsftpd
if command -v vsftpd >/dev/null && [ "$(id -u)" = 0 ]; then
  VPORT=$(free_port)
  mkdir -p /var/run/vsftpd/empty
  vsftpd "$REPO/bench/ftp/vsftpd.conf" -olisten_port=$VPORT -oanon_root="$ROOT" \
      -opasv_min_port=$((BASE + 100)) -opasv_max_port=$((BASE + 499)) >"$WORK/vsftpd.log" 2>&1 & VPID=$!; PIDS+=($VPID)
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$VPORT) 2>/dev/null && break; sleep 0.1; done
  log "vsftpd on $VPORT"
  measure "vsftpd $(vsftpd -v 0>&- 2>&1 | grep -oE '[0-9]+(\.[0-9]+)+' | head -1)" "$VPID" "ftp://127.0.0.1:$VPORT" anonymous bench@ "$VPORT"
  kill "$VPID"; wait "$VPID" 2>/dev/null || true
else
  log "vsftpd skipped (not installed or not root)"
fi

# ------------------------------------------------------------------ pyftpdlib (Debian's python3-pyftpdlib)
if /usr/bin/python3 -c 'import pyftpdlib' 2>/dev/null; then
  YPORT=$(free_port)
  /usr/bin/python3 -m pyftpdlib -i 127.0.0.1 -p "$YPORT" -w -d "$ROOT" -u bench -P bench-pw \
      -r "$((BASE + 900))-$((BASE + 999))" >"$WORK/pyftpdlib.log" 2>&1 & YPID=$!; PIDS+=($YPID)
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$YPORT) 2>/dev/null && break; sleep 0.1; done
  measure "pyftpdlib $(/usr/bin/python3 -c 'import pyftpdlib; print(pyftpdlib.__ver__)')" "$YPID" "ftp://bench:bench-pw@127.0.0.1:$YPORT" bench bench-pw "$YPORT"
  kill "$YPID"; wait "$YPID" 2>/dev/null || true
else
  log "pyftpdlib skipped (apt-get install -y python3-pyftpdlib)"
fi

# ------------------------------------------------------------------ polyserve, per model
MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  MODELS=(threads pool virtual nonblocking nio)
  for m in select poll epoll epoll-et uring; do
    "$POLYSERVE" models 2>/dev/null | grep -qw "$m" && MODELS+=("$m")
  done
fi
for m in "${MODELS[@]}"; do
  "$POLYSERVE" serve ftp --model "$m" --port 0 --root "$ROOT" --users "$WORK/users" --max-per-ip 2000 \
      --passive-ports "$((BASE + 500))-$((BASE + 899))" >"$WORK/polyserve-$m.log" 2>&1 & SPID=$!; PIDS+=($SPID)
  for _ in $(seq 300); do grep -qs "listening on" "$WORK/polyserve-$m.log" && break; kill -0 $SPID 2>/dev/null || break; sleep 0.1; done
  if ! grep -q "listening on" "$WORK/polyserve-$m.log"; then log "model $m did not start: $(head -2 "$WORK/polyserve-$m.log")"; continue; fi
  PPORT=$(grep -o 'listening on [0-9.]*:[0-9]*' "$WORK/polyserve-$m.log" | sed 's/.*://')
  log "polyserve $m on $PPORT"
  measure "polyserve $m" "$SPID" "ftp://bench:bench-pw@127.0.0.1:$PPORT" bench bench-pw "$PPORT"
  kill "$SPID"; wait "$SPID" 2>/dev/null || true
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
