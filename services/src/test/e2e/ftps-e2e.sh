#!/usr/bin/env bash
# End-to-end check of FTPS (RFC 4217) with clients nobody here wrote: curl (--ssl-reqd explicit, ftps:// implicit),
# lftp (ftp:ssl-force, ftp:ssl-protect-data) and Python's ftplib.FTP_TLS, against `serve ftp --tls-cert ...
# --tls-required` (session reuse is required by default): every login is encrypted, every data connection is TLS and must resume the
# control connection's session. Every transferred file is compared by sha256.
#
#   services/src/test/e2e/ftps-e2e.sh [MODEL...]        (default: nio virtual, plus epoll and uring when available)
#
# Exit status: 0 when no check failed, 1 otherwise; a missing client is skipped with the reason.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../../../.." && pwd)
POLYSERVE=${POLYSERVE:-$REPO/polyserve}
WORK=$(mktemp -d /tmp/polyserve-ftps-e2e.XXXXXX)
PASS=0; FAIL=0; SKIP=0
SERVER_PID=""
USER_NAME=e2e
USER_PW='e2e-pass'
ITERATIONS=20000           # fewer PBKDF2 rounds than the default, only to keep CI quick
TIMEOUT=60                 # seconds any single client command may take before it counts as failed

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ok()   { PASS=$((PASS + 1)); echo "  PASS  $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "  FAIL  $*"; }
skip() { SKIP=$((SKIP + 1)); echo "  SKIP  $*"; }
sha()  { sha256sum "$1" | cut -d' ' -f1; }
same() { # same FILE1 FILE2 WHAT
  if [ -f "$1" ] && [ -f "$2" ] && [ "$(sha "$1")" = "$(sha "$2")" ]; then ok "$3"; else bad "$3 (sha256 differs or file missing)"; fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

BASE_PORT=$((10000 + (RANDOM % 190) * 100))
PASSIVE="$BASE_PORT-$((BASE_PORT + 49))"

start_server() { # start_server MODEL -> sets PORT, IPORT, SERVER_PID
  local model=$1 log="$WORK/server-$1.log"
  IPORT=$(free_port)
  "$POLYSERVE" serve ftp --model "$model" --port 0 --root "$ROOT" --users "$WORK/users" --passive-ports "$PASSIVE" \
      --tls-cert "$WORK/cert/cert.pem" --tls-key "$WORK/cert/key.pem" --implicit-tls-port "$IPORT" \
      --tls-required >"$log" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do
    if PORT=$(grep -o 'listening on [0-9.]*:[0-9]*' "$log" | head -1 | sed 's/.*://'); [ -n "$PORT" ]; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "  server for model $model did not start:"; sed 's/^/    /' "$log" | head -5
      SERVER_PID=""; return 1
    fi
    sleep 0.2
  done
  echo "  server for model $model gave no 'listening on' line within 60 s"; return 1
}

stop_server() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}

ROOT="$WORK/root"
mkdir -p "$ROOT" "$WORK/local"
head -c $((3 * 1024 * 1024 + 321)) /dev/urandom >"$ROOT/big.bin"
head -c $((1024 * 1024 + 7)) /dev/urandom >"$WORK/local/up.bin"
"$POLYSERVE" cert --out "$WORK/cert" >/dev/null 2>&1 || { echo "polyserve cert failed"; exit 1; }
CA="$WORK/cert/cert.pem"
printf '%s\n' "$USER_PW" | "$POLYSERVE" ftp-user add "$USER_NAME" --home . --write --users "$WORK/users" \
    --password-stdin --iterations "$ITERATIONS" 2>/dev/null || { echo "ftp-user add failed"; exit 1; }

MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  MODELS=(nio virtual)
  "$POLYSERVE" models 2>/dev/null | grep -A1 -w '^epoll' | grep -q '^ *available' && MODELS+=(epoll)
  "$POLYSERVE" models 2>/dev/null | grep -A1 -w '^uring' | grep -q '^ *available' && MODELS+=(uring)
fi

for model in "${MODELS[@]}"; do
  echo "== model $model"
  start_server "$model" || { bad "$model: server start"; continue; }
  U="$USER_NAME:$USER_PW"

  if command -v curl >/dev/null; then
    rm -f "$WORK/c1.bin"
    if timeout $TIMEOUT curl -sS --ssl-reqd --cacert "$CA" -u "$U" "ftp://localhost:$PORT/big.bin" -o "$WORK/c1.bin" 2>"$WORK/curl.err"; then
      same "$ROOT/big.bin" "$WORK/c1.bin" "$model: curl --ssl-reqd RETR (explicit, session resumed)"
    else bad "$model: curl --ssl-reqd RETR: $(head -2 "$WORK/curl.err")"; fi
    if timeout $TIMEOUT curl -sS --ssl-reqd --cacert "$CA" -u "$U" -T "$WORK/local/up.bin" "ftp://localhost:$PORT/curl-up.bin" 2>"$WORK/curl.err"; then
      same "$WORK/local/up.bin" "$ROOT/curl-up.bin" "$model: curl --ssl-reqd STOR"
    else bad "$model: curl --ssl-reqd STOR: $(head -2 "$WORK/curl.err")"; fi
    rm -f "$WORK/c2.bin"
    if timeout $TIMEOUT curl -sS --cacert "$CA" -u "$U" "ftps://localhost:$IPORT/big.bin" -o "$WORK/c2.bin" 2>"$WORK/curl.err"; then
      same "$ROOT/big.bin" "$WORK/c2.bin" "$model: curl ftps:// RETR (implicit)"
    else bad "$model: curl ftps:// RETR: $(head -2 "$WORK/curl.err")"; fi
    code=$(timeout $TIMEOUT curl -s -u "$U" "ftp://127.0.0.1:$PORT/big.bin" -o /dev/null -w '%{response_code}' 2>/dev/null)
    [ "$code" = 530 ] && ok "$model: a login without AUTH TLS is refused with 530" || bad "$model: plain login got [$code], not 530"
  else skip "curl not installed"; fi

  if command -v lftp >/dev/null; then
    rm -f "$WORK/l1.bin"
    if timeout $TIMEOUT lftp -u "$U" -e "set ssl:ca-file $CA; set ftp:ssl-force true; set ftp:ssl-protect-data true; \
        set ftp:passive-mode true; set net:max-retries 1; get big.bin -o $WORK/l1.bin; put $WORK/local/up.bin -o lftp-up.bin; bye" \
        "ftp://localhost:$PORT" >"$WORK/lftp.log" 2>&1; then
      same "$ROOT/big.bin" "$WORK/l1.bin" "$model: lftp ftp:ssl-force get"
      same "$WORK/local/up.bin" "$ROOT/lftp-up.bin" "$model: lftp ftp:ssl-force put"
    else bad "$model: lftp: $(tail -2 "$WORK/lftp.log")"; fi
  else skip "lftp not installed"; fi

  if command -v python3 >/dev/null; then
    rm -f "$WORK/p1.bin"
    if timeout $TIMEOUT python3 - "$PORT" "$CA" "$USER_NAME" "$USER_PW" "$WORK" >"$WORK/py.log" 2>&1 <<'EOF'
import ftplib, ssl, sys
port, ca, user, pw, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)

class ReusingFTP_TLS(ftplib.FTP_TLS):
    """ftplib does not resume the control session on data connections by itself: the documented recipe."""
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size

f = ReusingFTP_TLS(context=ctx)
f.connect("localhost", port, timeout=30)
f.auth()
f.login(user, pw)
f.prot_p()
with open(work + "/p1.bin", "wb") as out:
    f.retrbinary("RETR big.bin", out.write)
with open(work + "/local/up.bin", "rb") as src:
    f.storbinary("STOR py-up.bin", src)
names = f.nlst()
assert "py-up.bin" in names, names
f.quit()
EOF
    then
      same "$ROOT/big.bin" "$WORK/p1.bin" "$model: ftplib FTP_TLS RETR (PROT P)"
      same "$WORK/local/up.bin" "$ROOT/py-up.bin" "$model: ftplib FTP_TLS STOR"
    else bad "$model: ftplib FTP_TLS: $(tail -3 "$WORK/py.log")"; fi
  else skip "python3 not installed"; fi

  rm -f "$ROOT/curl-up.bin" "$ROOT/lftp-up.bin" "$ROOT/py-up.bin"
  stop_server
done

echo "ftps-e2e: $PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
