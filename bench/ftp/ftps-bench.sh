#!/usr/bin/env bash
# FTPS RETR throughput: polyserve (per model) next to vsftpd with ssl_enable=YES, same certificate, same client
# (curl --ssl-reqd, TLS 1.3 with one cipher for both), one connection, the file in the page cache, output to
# /dev/null. Results go to stdout as Markdown table rows for docs/bench/tls.md, with the load average per row.
#
#   flock /work/bench.lock bench/ftp/ftps-bench.sh [MODEL...]      (default: nio epoll)
#
# Env: POLYSERVE (default ./polyserve), SIZE_MIB (default 1024), RUNS (default 3, median taken),
#      CIPHER (default TLS_AES_128_GCM_SHA256), KEEP=1 keeps the work directory.
# Needs: curl, python3, vsftpd and root for vsftpd. MB = 10^6 bytes; "MB/CPU-s" = bytes moved / server CPU seconds
# (utime+stime of the server's process tree from /proc, vsftpd's per-session processes included).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
POLYSERVE=${POLYSERVE:-$REPO/polyserve}
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
CIPHER=${CIPHER:-TLS_AES_128_GCM_SHA256}
WORK=$(mktemp -d /tmp/polyserve-ftps-bench.XXXXXX)
BASE=$((10000 + (RANDOM % 18) * 1000))
. "$REPO/bench/ftp/common.sh"
during() { # during PID COMMAND... : stdout passes through; the server tree's CPU seconds land in $WORK/cpu
  local pid=$1; shift
  python3 "$REPO/bench/ftp/cpu-during.py" "$pid" -- "$@" 2>"$WORK/cpu.err"
  grep -o 'cpu_s=[0-9.]*' "$WORK/cpu.err" | cut -d= -f2 >"$WORK/cpu"
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
load1() { cut -d' ' -f1 /proc/loadavg; }

ROOT="$WORK/root"; mkdir -p "$ROOT"
log "making a ${SIZE_MIB} MiB file"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$ROOT/big.bin"
chmod 755 "$WORK" "$ROOT"
BYTES=$(stat -c %s "$ROOT/big.bin")
"$POLYSERVE" cert --out "$WORK/c" >/dev/null 2>&1
chmod 644 "$WORK/c/key.pem"   # vsftpd reads it after dropping privileges
CA="$WORK/c/cert.pem"
printf 'bench-pw\n' | "$POLYSERVE" ftp-user add bench --home . --users "$WORK/users" --password-stdin --iterations 1000 2>/dev/null
CURL=(curl -s --ssl-reqd --cacert "$CA" --tlsv1.3 --tls13-ciphers "$CIPHER" -o /dev/null)

echo "| server | cipher | RETR ${SIZE_MIB} MiB MB/s | server CPU s | MB per server CPU-s | load (1 min) |"
echo "|---|---|---:|---:|---:|---:|"

measure() { # measure NAME PID URL
  local name=$1 pid=$2 url=$3 r speeds=() cpus=()
  "${CURL[@]}" "$url/big.bin"   # warm-up: JIT, page cache, session
  local cipher
  cipher=$("${CURL[@]}" -v "$url/big.bin" 2>&1 | grep -o 'SSL connection using [^ ]* / [^ ]*' | tail -1 | sed 's/SSL connection using //')
  local load; load=$(load1)
  for r in $(seq "$RUNS"); do
    speeds+=("$(during "$pid" "${CURL[@]}" -w '%{speed_download}' "$url/big.bin")"); cpus+=("$(cat "$WORK/cpu")")
  done
  local mbs cpu per
  mbs=$(printf '%s\n' "${speeds[@]}" | median | awk '{printf "%d", $1 / 1e6}')
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  per=$(awk -v b="$BYTES" -v c="$cpu" 'BEGIN {printf "%d", (c > 0) ? b / 1e6 / c : 0}')
  echo "| $name | $cipher | $mbs | $cpu | $per | $load-$(load1) |"
}

if command -v vsftpd >/dev/null && [ "$(id -u)" = 0 ]; then
  VPORT=$(free_port)
  mkdir -p /var/run/vsftpd/empty
  vsftpd "$REPO/bench/ftp/vsftpd.conf" -olisten_port=$VPORT -oanon_root="$ROOT" \
      -opasv_min_port=$((BASE + 100)) -opasv_max_port=$((BASE + 199)) -ossl_enable=YES \
      -orsa_cert_file="$CA" -orsa_private_key_file="$WORK/c/key.pem" -oallow_anon_ssl=YES \
      -oforce_anon_logins_ssl=YES -oforce_anon_data_ssl=YES -orequire_ssl_reuse=YES -ossl_ciphers=HIGH \
      >"$WORK/vsftpd.log" 2>&1 & VPID=$!; PIDS+=($VPID)
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$VPORT) 2>/dev/null && break; sleep 0.1; done
  measure "vsftpd $(dpkg-query -W -f='${Version}' vsftpd 2>/dev/null) ssl_enable=YES" "$VPID" "ftp://localhost:$VPORT"
  kill "$VPID"; wait "$VPID" 2>/dev/null || true
else
  log "vsftpd skipped (not installed or not root)"
fi

MODELS=("$@")
[ ${#MODELS[@]} -eq 0 ] && MODELS=(nio epoll)
for m in "${MODELS[@]}"; do
  "$POLYSERVE" serve ftp --model "$m" --port 0 --root "$ROOT" --users "$WORK/users" --tls-cert "$CA" \
      --tls-key "$WORK/c/key.pem" --tls-required --passive-ports "$((BASE + 500))-$((BASE + 599))" \
      >"$WORK/polyserve-$m.log" 2>&1 & SPID=$!; PIDS+=($SPID)
  for _ in $(seq 300); do grep -qs "listening on" "$WORK/polyserve-$m.log" && break; kill -0 $SPID 2>/dev/null || break; sleep 0.1; done
  if ! grep -q "listening on" "$WORK/polyserve-$m.log"; then log "model $m did not start: $(head -2 "$WORK/polyserve-$m.log")"; continue; fi
  PPORT=$(grep -o 'listening on [0-9.]*:[0-9]*' "$WORK/polyserve-$m.log" | sed 's/.*://')
  measure "polyserve $m" "$SPID" "ftp://bench:bench-pw@localhost:$PPORT"
  kill "$SPID"; wait "$SPID" 2>/dev/null || true
done
