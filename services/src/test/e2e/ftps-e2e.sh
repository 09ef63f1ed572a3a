#!/usr/bin/env bash
# End-to-end check of polyserve's FTPS (RFC 4217) with clients nobody here wrote: curl --ssl-reqd, lftp with
# ftp:ssl-force, Python's ftplib.FTP_TLS with prot_p, plus polyserve's own client (polyserve ftp --tls --ca).
# The server runs with --tls-required, an implicit-TLS port and session reuse required (the default); every file
# is compared by sha256.
#
#   services/src/test/e2e/ftps-e2e.sh [MODEL...]        (default: virtual nio, plus epoll and uring when available)
#
# Env: POLYSERVE  command that runs polyserve (default: ./polyserve in the repository root)
#      KEEP=1     keep the work directory for inspection
# Exit status: 0 when no check failed, 1 otherwise.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../../../.." && pwd)
POLYSERVE=${POLYSERVE:-$REPO/polyserve}
WORK=$(mktemp -d /tmp/polyserve-ftps-e2e.XXXXXX)
PASS=0; FAIL=0; SKIP=0
SERVER_PID=""
USER_NAME=e2e
USER_PW='e2e-pass-w0rd'
ITERATIONS=20000   # below the default only to keep CI quick; the hashing path is the same
TIMEOUT=60

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
  if [ -f "$1" ] && [ -f "$2" ] && [ "$(sha "$1")" = "$(sha "$2")" ]; then ok "$3"; else bad "$3 (sha256 differs or file missing: $1 vs $2)"; fi
}

BASE_PORT=$((10000 + (RANDOM % 190) * 100))
PASSIVE="$BASE_PORT-$((BASE_PORT + 39))"

start_server() { # start_server MODEL -> sets PORT, IPORT, SERVER_PID
  local model=$1 log="$WORK/server-$1.log"
  "$POLYSERVE" serve ftp --model "$model" --port 0 --root "$ROOT" --users "$WORK/users" --passive-ports "$PASSIVE" \
      --tls-cert "$WORK/c/cert.pem" --tls-key "$WORK/c/key.pem" --tls-required --implicit-tls-port 0 >"$log" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do
    PORT=$(grep -o 'listening on [0-9.]*:[0-9]*' "$log" | head -1 | sed 's/.*://')
    IPORT=$(grep -o 'implicit TLS on [0-9.]*:[0-9]*' "$log" | head -1 | sed 's/.*://')
    if [ -n "$PORT" ] && [ -n "$IPORT" ]; then return 0; fi
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
mkdir -p "$ROOT/data"
head -c $((4 * 1024 * 1024 + 321)) /dev/urandom >"$ROOT/data/big.bin"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$WORK/up.bin"

echo "== certificate and users file"
"$POLYSERVE" cert --out "$WORK/c" >/dev/null 2>&1 && [ -f "$WORK/c/cert.pem" ] && ok "polyserve cert" || { bad "polyserve cert"; exit 1; }
printf '%s\n' "$USER_PW" | "$POLYSERVE" ftp-user add "$USER_NAME" --home . --write --users "$WORK/users" \
    --password-stdin --iterations "$ITERATIONS" >/dev/null 2>&1 && ok "ftp-user add" || { bad "ftp-user add"; exit 1; }
CA="$WORK/c/cert.pem"

MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  MODELS=(virtual nio)
  "$POLYSERVE" models 2>/dev/null | grep -qw epoll && MODELS+=(epoll)
  "$POLYSERVE" models 2>/dev/null | grep -w uring | grep -qv "not available\|unavailable\|no " && MODELS+=(uring)
fi

for MODEL in "${MODELS[@]}"; do
  echo "== model $MODEL"
  if ! start_server "$MODEL"; then bad "$MODEL: server start"; continue; fi
  OUT="$WORK/out-$MODEL"; mkdir -p "$OUT" "$ROOT/up-$MODEL"
  URL="ftp://$USER_NAME:$USER_PW@localhost:$PORT"

  if command -v curl >/dev/null; then
    timeout $TIMEOUT curl -sS --ssl-reqd --cacert "$CA" "$URL/data/big.bin" -o "$OUT/curl.bin" \
      && same "$ROOT/data/big.bin" "$OUT/curl.bin" "curl --ssl-reqd download (AUTH TLS, PROT P, EPSV)" || bad "curl --ssl-reqd download"
    timeout $TIMEOUT curl -sS --ssl-reqd --cacert "$CA" -T "$WORK/up.bin" "$URL/up-$MODEL/" \
      && same "$WORK/up.bin" "$ROOT/up-$MODEL/up.bin" "curl --ssl-reqd -T upload" || bad "curl --ssl-reqd upload"
    # (no curl active-mode check: curl 7.87-7.88 hang on active FTPS, their regression curl/curl#10666)
    timeout $TIMEOUT curl -sS --ssl-reqd --tlsv1.2 --tls-max 1.2 --cacert "$CA" "$URL/data/big.bin" -o "$OUT/curl12.bin" \
      && same "$ROOT/data/big.bin" "$OUT/curl12.bin" "curl --ssl-reqd over TLS 1.2" || bad "curl TLS 1.2 download"
    timeout $TIMEOUT curl -sS --cacert "$CA" "ftps://$USER_NAME:$USER_PW@localhost:$IPORT/data/big.bin" -o "$OUT/curl-implicit.bin" \
      && same "$ROOT/data/big.bin" "$OUT/curl-implicit.bin" "curl ftps:// (implicit TLS)" || bad "curl implicit download"
    if timeout $TIMEOUT curl -sS --ssl-reqd --cacert "$CA" "$URL/data/" | grep -q "big.bin"; then ok "curl --ssl-reqd listing"; else bad "curl listing"; fi
    if timeout $TIMEOUT curl -sS "$URL/data/big.bin" -o /dev/null 2>"$OUT/curl-plain.err"; then
      bad "a client without AUTH TLS was served under --tls-required"
    elif grep -q "530" "$OUT/curl-plain.err"; then ok "curl without AUTH TLS refused (530)"; else bad "curl without TLS: $(cat "$OUT/curl-plain.err")"; fi
    if timeout $TIMEOUT curl -sS --ssl-reqd "$URL/data/big.bin" -o /dev/null 2>/dev/null; then
      bad "curl accepted an untrusted certificate"; else ok "curl without --cacert refuses the self-signed certificate"; fi
  else
    skip "curl not installed"
  fi

  if command -v lftp >/dev/null; then
    LFTP_SET="set net:timeout 20; set cmd:fail-exit yes; set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:ca-file $CA"
    LFTP_SET="$LFTP_SET; set net:max-retries 0"   # a retried transfer would hide a refused one
    timeout $TIMEOUT lftp -u "$USER_NAME,$USER_PW" -p "$PORT" -e "$LFTP_SET; get data/big.bin -o $OUT/lftp.bin; put $WORK/up.bin -o up-$MODEL/lftp-up.bin; cls data; put $WORK/up.bin -o up-$MODEL/lftp-up2.bin; quit" localhost >"$OUT/lftp.log" 2>&1 \
      && same "$ROOT/data/big.bin" "$OUT/lftp.bin" "lftp ftp:ssl-force get" && same "$WORK/up.bin" "$ROOT/up-$MODEL/lftp-up.bin" "lftp ftp:ssl-force put" \
      && same "$WORK/up.bin" "$ROOT/up-$MODEL/lftp-up2.bin" "lftp: a listing and a second put on the same session" \
      || { bad "lftp ftp:ssl-force"; tail -3 "$OUT/lftp.log"; }
    timeout $TIMEOUT lftp -u "$USER_NAME,$USER_PW" -p "$PORT" -e "$LFTP_SET; set ftp:passive-mode off; get data/big.bin -o $OUT/lftp-active.bin; put $WORK/up.bin -o up-$MODEL/lftp-active-up.bin; quit" localhost >>"$OUT/lftp.log" 2>&1 \
      && same "$ROOT/data/big.bin" "$OUT/lftp-active.bin" "lftp active get (the server dials and is the TLS server)" \
      && same "$WORK/up.bin" "$ROOT/up-$MODEL/lftp-active-up.bin" "lftp active put" || { bad "lftp active mode"; tail -3 "$OUT/lftp.log"; }
  else
    skip "lftp not installed"
  fi

  if command -v python3 >/dev/null; then
    if timeout $TIMEOUT python3 - "$PORT" "$IPORT" "$USER_NAME" "$USER_PW" "$ROOT" "$MODEL" "$WORK/up.bin" "$CA" <<'PY' >"$OUT/ftplib.log" 2>&1; then
import ftplib, hashlib, io, os, ssl, sys
port, iport, user, pw, root, model, up, ca = sys.argv[1:]
h = lambda b: hashlib.sha256(b).hexdigest()
ctx = ssl.create_default_context(cafile=ca)

class ReusingFTP_TLS(ftplib.FTP_TLS):
    """Data connections resume the control connection's TLS session, as curl, lftp and FileZilla do."""
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size

f = ReusingFTP_TLS(context=ctx)
f.connect("localhost", int(port), timeout=30)
feat = f.sendcmd("FEAT")
assert "AUTH TLS" in feat and "PBSZ" in feat and "PROT" in feat, feat
f.login(user, pw)          # FTP_TLS sends AUTH TLS first
f.prot_p()
data = open(up, "rb").read()
f.storbinary(f"STOR up-{model}/ftplib.bin", io.BytesIO(data))
assert h(open(os.path.join(root, f"up-{model}", "ftplib.bin"), "rb").read()) == h(data), "STOR sha256"
got = io.BytesIO(); f.retrbinary(f"RETR up-{model}/ftplib.bin", got.write)
assert h(got.getvalue()) == h(data), "RETR sha256"
assert "big.bin" in f.nlst("data")
for i in range(3):   # the control session's ticket serves every data connection
    f.storbinary(f"STOR up-{model}/again{i}.bin", io.BytesIO(data))
f.set_pasv(False)    # active: the server dials, then accepts the TLS handshake
got = io.BytesIO(); f.retrbinary(f"RETR up-{model}/again2.bin", got.write)
assert h(got.getvalue()) == h(data), "active RETR sha256"
f.set_pasv(True)
try:
    f.sendcmd("PROT C"); sys.exit("PROT C accepted under --tls-required")
except ftplib.error_perm as e:
    assert str(e).startswith("534"), e
f.quit()

plain = ftplib.FTP_TLS(context=ctx)   # no session reuse: refused
plain.connect("localhost", int(port), timeout=30); plain.login(user, pw); plain.prot_p()
try:
    plain.retrbinary("RETR data/big.bin", lambda b: None); sys.exit("a data connection without session reuse was served")
except (ftplib.error_perm, ssl.SSLError, OSError) as e:
    pass
plain.close()

class ImplicitFTP_TLS(ReusingFTP_TLS):
    """Implicit FTPS: TLS from the first byte (the standard library knows only the explicit kind)."""
    def connect(self, host, port, timeout=30):
        self.host, self.port = host, port
        import socket
        self.sock = self.context.wrap_socket(socket.create_connection((host, port), timeout), server_hostname=host)
        self.af = self.sock.family
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome
i = ImplicitFTP_TLS(context=ctx)
i.connect("localhost", int(iport))
ftplib.FTP.login(i, user, pw)  # no AUTH TLS: the connection already speaks TLS
i.prot_p()
got = io.BytesIO(); i.retrbinary("RETR data/big.bin", got.write)
assert h(got.getvalue()) == h(open(os.path.join(root, "data/big.bin"), "rb").read()), "implicit RETR sha256"
i.quit()
print("ftplib ok")
PY
      ok "Python ftplib.FTP_TLS prot_p: STOR/RETR sha256 identical, PROT C 534, no-reuse refused, implicit RETR"
    else
      bad "Python ftplib.FTP_TLS"; tail -5 "$OUT/ftplib.log"
    fi
  else
    skip "python3 not installed"
  fi

  OWN_URL="ftp://$USER_NAME:$USER_PW@localhost:$PORT"
  timeout $TIMEOUT "$POLYSERVE" ftp --tls --ca "$CA" get -q "$OWN_URL/data/big.bin" -o "$OUT/own.bin" \
    && same "$ROOT/data/big.bin" "$OUT/own.bin" "polyserve ftp --tls --ca get" || bad "polyserve ftp --tls get"
  timeout $TIMEOUT "$POLYSERVE" ftp --tls --ca "$CA" put -q "$WORK/up.bin" "$OWN_URL/up-$MODEL/own.bin" \
    && same "$WORK/up.bin" "$ROOT/up-$MODEL/own.bin" "polyserve ftp --tls --ca put" || bad "polyserve ftp --tls put"
  printf '%s\nlist data\nget data/big.bin %s\nput %s %s\nquit\n' "$USER_PW" "$OUT/own-shell.bin" "$WORK/up.bin" "up-$MODEL/own2.bin" \
    | timeout $TIMEOUT "$POLYSERVE" ftp --tls --ca "$CA" -u "$USER_NAME" localhost "$PORT" >"$OUT/own-shell.log" 2>&1 \
    && same "$ROOT/data/big.bin" "$OUT/own-shell.bin" "polyserve ftp --tls interactive: several transfers on one login" \
    && same "$WORK/up.bin" "$ROOT/up-$MODEL/own2.bin" "polyserve ftp --tls interactive put" || { bad "polyserve ftp --tls interactive"; tail -3 "$OUT/own-shell.log"; }
  timeout $TIMEOUT "$POLYSERVE" ftp --tls get -q "$OWN_URL/data/big.bin" -o /dev/null 2>/dev/null; rc=$?
  [ $rc -eq 1 ] && ok "polyserve ftp --tls without --ca refuses the self-signed certificate (exit 1)" || bad "polyserve ftp --tls untrusted: exit $rc"

  stop_server
done

echo "== polyserve ftp --tls against vsftpd (ssl_enable, require_ssl_reuse)"
if [ "$(id -u)" != 0 ]; then
  skip "vsftpd check needs root (vsftpd drops privileges to user 'ftp')"
elif ! command -v vsftpd >/dev/null || ! id ftp >/dev/null 2>&1; then
  skip "vsftpd or its 'ftp' user missing"
else
  VROOT="$WORK/vsftpd-root"; mkdir -p "$VROOT/incoming" /var/run/vsftpd/empty
  chown ftp "$VROOT/incoming"; chmod 755 "$VROOT" "$WORK"; chmod 644 "$WORK/c/key.pem"
  cp "$ROOT/data/big.bin" "$VROOT/"
  VPORT=$((BASE_PORT + 60))
  vsftpd "$REPO/bench/ftp/vsftpd.conf" -olisten_port=$VPORT -oanon_root="$VROOT" \
      -opasv_min_port=$((BASE_PORT + 70)) -opasv_max_port=$((BASE_PORT + 90)) -ossl_enable=YES \
      -orsa_cert_file="$WORK/c/cert.pem" -orsa_private_key_file="$WORK/c/key.pem" -oallow_anon_ssl=YES \
      -oforce_anon_logins_ssl=YES -oforce_anon_data_ssl=YES -orequire_ssl_reuse=YES \
      -ossl_ciphers=HIGH >"$WORK/vsftpd.log" 2>&1 &   # vsftpd 3.0.3 defaults to DES-CBC3-SHA alone
  SERVER_PID=$!
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$VPORT) 2>/dev/null && break; sleep 0.1; done
  printf '\nget big.bin %s\nput %s incoming/up.bin\nget big.bin %s\nquit\n' "$WORK/vs1.bin" "$WORK/up.bin" "$WORK/vs2.bin" \
    | timeout $TIMEOUT "$POLYSERVE" ftp --tls --ca "$CA" localhost "$VPORT" >"$WORK/vs-shell.log" 2>&1 \
    && same "$VROOT/big.bin" "$WORK/vs2.bin" "polyserve ftp --tls: three transfers on one vsftpd login, each resuming the session" \
    && same "$WORK/up.bin" "$VROOT/incoming/up.bin" "polyserve ftp --tls put to vsftpd" || { bad "polyserve ftp --tls against vsftpd"; tail -3 "$WORK/vs-shell.log"; }
  stop_server
fi

echo "== ftps e2e: $PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
