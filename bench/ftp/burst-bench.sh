#!/usr/bin/env bash
# The 200-client burst lines of issue #15, each server fresh: CLIENTS ftplib clients connect and log in at once, then
# all RETR the same SMALL_MIB file at once (the first burst of passive transfers this server sees), then all STOR
# SMALL_MIB at once, then the same STOR again while CLIENTS more sessions sit logged in and idle. vsftpd and
# pyftpdlib side by side with polyserve's models (and builds). Results are Markdown table rows on stdout.
#
#   bench/ftp/burst-bench.sh [MODEL...]        (default: nio epoll)
#
# Env: JARS="NAME=JAR ..." runs each polyserve build (e.g. JARS="before=/tmp/a.jar after=/tmp/b.jar"; default: the
#      jar ./polyserve runs, named "polyserve"), CLIENTS (200), SMALL_MIB (10), TIMEOUT (60: seconds a phase may
#      take; a client still running then is counted as stuck and ends that server's run), PEERS (1; 0 skips vsftpd
#      and pyftpdlib), KEEP=1 keeps the work directory. Needs python3 (ftplib), vsftpd and root for its row,
#      Debian's python3-pyftpdlib for pyftpdlib's.
#
# Figures per phase (bench/ftp/ftpload.py): wall time from the common start to the last client's 226; MB/s = bytes
# moved by all clients (10^6) / that time; MB/CPU-s = the same bytes / the server process tree's utime+stime during
# the phase (vsftpd's per-session processes included). Logins: polyserve's user has a 1,000-iteration PBKDF2 hash
# (the minimum), pyftpdlib a plain-text password, vsftpd is anonymous: the login line compares protocol handling,
# not password hashing (the default 600,000 iterations cost ~0.3 CPU-s per uncached login, by design).
#
# Peers as configured here: vsftpd 3.0.3 with bench/ftp/vsftpd.conf (max_clients 2000). vsftpd listens with a
# backlog of 32, fixed at build time (VSFTP_LISTEN_BACKLOG), not a setting: 200 simultaneous connects overflow it, and
# the kernel drops the excess SYNs, which the clients resend after 1 s, 3 s, 7 s... That is part of its login figure and
# is left as it is. pyftpdlib (its FTPServer, epoll ioloop, os.sendfile) is started with max_cons raised from 512 to
# 4096, since 200 sessions + 200 idle + data connections pass 512 (its 425 "Too many connections" in round 2); its
# listen backlog is its default 100. polyserve's is 4096 (capped by net.core.somaxconn).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CLIENTS=${CLIENTS:-200}
SMALL_MIB=${SMALL_MIB:-10}
TIMEOUT=${TIMEOUT:-60}
PEERS=${PEERS:-1}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
WORK=$(mktemp -d /tmp/polyserve-ftp-burst.XXXXXX)
BASE=$((10000 + (RANDOM % 10) * 4000))   # passive ranges, 400 ports per server; spread to avoid parallel runs
NEXT_RANGE=0
. "$REPO/bench/ftp/common.sh"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
next_range() { local lo=$((BASE + NEXT_RANGE * 400)); NEXT_RANGE=$((NEXT_RANGE + 1)); RANGE="$lo-$((lo + 399))"; }  # sets RANGE
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

ROOT="$WORK/root"; mkdir -p "$ROOT/incoming"
head -c $((SMALL_MIB * 1024 * 1024)) /dev/urandom >"$ROOT/small.bin"
chmod 755 "$WORK" "$ROOT"; chown ftp "$ROOT/incoming" 2>/dev/null || chmod 777 "$ROOT/incoming"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| server | ${CLIENTS} x login s | login CPU-s | ${CLIENTS} x RETR ${SMALL_MIB} MiB s | MB/s | MB/CPU-s | ${CLIENTS} x STOR s | MB/s | MB/CPU-s | STOR + ${CLIENTS} idle s | MB/CPU-s | errors | stuck |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"

burst() { # burst NAME PID PORT USER PASSWORD
  local name=$1 pid=$2 port=$3 user=$4 pw=$5 out
  out=$(python3 "$REPO/bench/ftp/ftpload.py" --port "$port" --user "$user" --password "$pw" --clients "$CLIENTS" \
      --retr small.bin --stor-dir incoming --size $((SMALL_MIB * 1024 * 1024)) --idle "$CLIENTS" \
      --server-pid "$pid" --timeout "$TIMEOUT" || true)
  rm -f "$ROOT"/incoming/load-*.bin
  [ -n "$out" ] || { echo "| $name | (ftpload.py printed nothing) |"; return; }
  echo "$out" | python3 -c '
import json, sys
r, name = json.loads(sys.stdin.read()), sys.argv[1]
mb = r["clients"] * int(sys.argv[2]) * 1024 * 1024 / 1e6
def rate(k): return round(mb / r[k]) if r.get(k) else ""
def per_cpu(k):
    c = r.get(k.replace("_s", "_cpu_s"))
    return round(mb / c) if c else ""
cells = [name, r.get("login_s", ""), r.get("login_cpu_s", ""), r.get("retr_s", ""), rate("retr_s"), per_cpu("retr_s"),
         r.get("stor_s", ""), rate("stor_s"), per_cpu("stor_s"), r.get("stor_idle_s", ""), per_cpu("stor_idle_s"),
         r["errors"], " ".join(f"{k}: {v}" for k, v in r.get("stuck", {}).items())]
print("| " + " | ".join(str(c) for c in cells) + " |")
if r["errors"]: print("#", name, r.get("first_errors"), file=sys.stderr)
' "$name" "$SMALL_MIB"
}

if [ "$PEERS" = 1 ] && command -v vsftpd >/dev/null && [ "$(id -u)" = 0 ]; then
  VPORT=$(free_port); next_range
  mkdir -p /var/run/vsftpd/empty
  vsftpd "$REPO/bench/ftp/vsftpd.conf" -olisten_port="$VPORT" -oanon_root="$ROOT" \
      -opasv_min_port="${RANGE%-*}" -opasv_max_port="${RANGE#*-}" >"$WORK/vsftpd.log" 2>&1 & VPID=$!; PIDS+=($VPID)
  if wait_port "$VPORT"; then
    burst "vsftpd $(vsftpd -v 0>&1 2>&1 | grep -oE '[0-9]+(\.[0-9]+)+' | head -1)" "$VPID" "$VPORT" anonymous bench@
  else log "vsftpd did not start: $(head -2 "$WORK/vsftpd.log")"; fi
  kill "$VPID"; wait "$VPID" 2>/dev/null || true
elif [ "$PEERS" = 1 ]; then
  log "vsftpd skipped (not installed or not root)"
fi

if [ "$PEERS" = 1 ] && /usr/bin/python3 -c 'import pyftpdlib' 2>/dev/null; then
  YPORT=$(free_port); next_range
  /usr/bin/python3 -c '
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
root, port, lo, hi = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3].split("-"))
auth = DummyAuthorizer()
auth.add_user("bench", "bench-pw", root, perm="elradfmwMT")
FTPHandler.authorizer = auth
FTPHandler.passive_ports = range(lo, hi + 1)
server = FTPServer(("127.0.0.1", port), FTPHandler)
server.max_cons = 4096
server.serve_forever()
' "$ROOT" "$YPORT" "$RANGE" >"$WORK/pyftpdlib.log" 2>&1 & YPID=$!; PIDS+=($YPID)
  if wait_port "$YPORT"; then
    burst "pyftpdlib $(/usr/bin/python3 -c 'import pyftpdlib; print(pyftpdlib.__ver__)')" "$YPID" "$YPORT" bench bench-pw
  else log "pyftpdlib did not start: $(tail -2 "$WORK/pyftpdlib.log")"; fi
  kill "$YPID"; wait "$YPID" 2>/dev/null || true
elif [ "$PEERS" = 1 ]; then
  log "pyftpdlib skipped (apt-get install -y python3-pyftpdlib)"
fi

if [ -z "${JARS:-}" ]; then
  "$REPO/polyserve" --version >/dev/null   # builds the jar if the sources are newer
  JARS="polyserve=$REPO/cli/target/polyserve.jar"
fi
first=${JARS%% *}
printf 'bench-pw\n' | "$JAVA" -jar "${first#*=}" ftp-user add bench --home . --write --users "$WORK/users" \
    --password-stdin --iterations 1000 >/dev/null 2>&1
MODELS=("$@"); [ ${#MODELS[@]} -gt 0 ] || MODELS=(nio epoll)
for m in "${MODELS[@]}"; do
  for build in $JARS; do
    label=${build%%=*} jar=${build#*=}; next_range
    "$JAVA" -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED -jar "$jar" serve ftp --model "$m" --port 0 \
        --root "$ROOT" --users "$WORK/users" --max-per-ip 2000 --passive-ports "$RANGE" >"$WORK/polyserve-$label-$m.log" 2>&1 &
    SPID=$!; PIDS+=($SPID)
    for _ in $(seq 300); do grep -qs "listening on" "$WORK/polyserve-$label-$m.log" && break; kill -0 $SPID 2>/dev/null || break; sleep 0.1; done
    if ! grep -q "listening on" "$WORK/polyserve-$label-$m.log"; then log "$label $m did not start: $(head -2 "$WORK/polyserve-$label-$m.log")"; continue; fi
    PPORT=$(grep -o 'listening on [0-9.]*:[0-9]*' "$WORK/polyserve-$label-$m.log" | sed 's/.*://')
    burst "$label $m" "$SPID" "$PPORT" bench bench-pw
    kill "$SPID"; wait "$SPID" 2>/dev/null || true
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
