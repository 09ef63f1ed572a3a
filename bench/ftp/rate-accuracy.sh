#!/usr/bin/env bash
# How exact --max-download-rate and --max-upload-rate are: one curl transfer of RATE x SECONDS bytes per model
# against `serve ftp --max-download-rate RATE --max-upload-rate RATE`, achieved bytes/s vs the limit.
#
#   bench/ftp/rate-accuracy.sh [MODEL...]        (default: nio virtual epoll)
# Env: POLYSERVE, RATE_MIB (default 10: 10M = 10 x 1024^2 bytes/s), SECONDS_EACH (default 10).
# Achieved = bytes / (curl's time_total - time_pretransfer): the transfer itself, without the login (the first login
# on a fresh server JVM takes ~0.5 s, which would read as 5 % too slow over 10 s).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
POLYSERVE=${POLYSERVE:-$REPO/polyserve}
RATE_MIB=${RATE_MIB:-10}
SECS=${SECONDS_EACH:-10}
WORK=$(mktemp -d /tmp/polyserve-ftp-rate.XXXXXX)
SPID=
trap '[ -n "$SPID" ] && kill $SPID 2>/dev/null; rm -rf "$WORK"' EXIT
RATE=$((RATE_MIB * 1024 * 1024))
mkdir -p "$WORK/root/incoming"
head -c $((RATE * SECS)) /dev/urandom >"$WORK/root/f.bin"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| model | limit B/s | RETR achieved B/s | RETR / limit | STOR achieved B/s | STOR / limit |"
echo "|---|---|---|---|---|---|"
MODELS=("$@"); [ ${#MODELS[@]} -gt 0 ] || MODELS=(nio virtual epoll)
for m in "${MODELS[@]}"; do
  "$POLYSERVE" serve ftp --model "$m" --port 0 --root "$WORK/root" --anonymous --max-download-rate "${RATE_MIB}M" \
      --max-upload-rate "${RATE_MIB}M" >"$WORK/$m.log" 2>&1 & SPID=$!
  for _ in $(seq 300); do grep -qs "listening on" "$WORK/$m.log" && break; sleep 0.1; done
  port=$(grep -o 'listening on [0-9.]*:[0-9]*' "$WORK/$m.log" | sed 's/.*://')
  down=$(curl -s -o /dev/null -w '%{size_download} %{time_total} %{time_pretransfer}' "ftp://127.0.0.1:$port/f.bin" | awk '{printf "%d", $1 / ($2 - $3)}')
  kill $SPID; wait $SPID 2>/dev/null || true
  # Anonymous is read-only: the upload goes to a second server with a write user.
  printf 'pw\n' | "$POLYSERVE" ftp-user add u --home . --write --users "$WORK/users" --password-stdin --iterations 1000 2>/dev/null
  "$POLYSERVE" serve ftp --model "$m" --port 0 --root "$WORK/root" --users "$WORK/users" \
      --max-upload-rate "${RATE_MIB}M" >"$WORK/$m-up.log" 2>&1 & SPID=$!
  for _ in $(seq 300); do grep -qs "listening on" "$WORK/$m-up.log" && break; sleep 0.1; done
  port=$(grep -o 'listening on [0-9.]*:[0-9]*' "$WORK/$m-up.log" | sed 's/.*://')
  up=$(curl -s -T "$WORK/root/f.bin" -w '%{size_upload} %{time_total} %{time_pretransfer}' "ftp://u:pw@127.0.0.1:$port/incoming/up.bin" | awk '{printf "%d", $1 / ($2 - $3)}')
  kill $SPID; wait $SPID 2>/dev/null || true; SPID=
  awk -v m="$m" -v r="$RATE" -v d="$down" -v u="$up" 'BEGIN { printf "| %s | %d | %d | %.3f | %d | %.3f |\n", m, r, d, d / r, u, u / r }'
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
