#!/usr/bin/env bash
# End-to-end check of polyserve's FTP server with clients nobody here wrote: curl, lftp and Python's ftplib,
# plus polyserve's own client (also against vsftpd). Every transferred file is compared by sha256.
#
#   services/src/test/e2e/ftp-e2e.sh [MODEL...]        (default: virtual nio, plus epoll when available)
#
# Env: POLYSERVE  command that runs polyserve (default: ./polyserve in the repository root)
#      KEEP=1     keep the work directory for inspection
# Missing tools are installed with apt-get when running as root; otherwise their checks are skipped with a
# reason. Exit status: 0 when no check failed, 1 otherwise.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../../../.." && pwd)
POLYSERVE=${POLYSERVE:-$REPO/polyserve}
WORK=$(mktemp -d /tmp/polyserve-ftp-e2e.XXXXXX)
PASS=0; FAIL=0; SKIP=0
SERVER_PID=""; VSFTPD_PID=""
USER_NAME=e2e
USER_PW='e2e-pass w0rd'   # a space, to check quoting end to end
# Lower than the default 600,000 PBKDF2 iterations only to keep CI quick; the hashing path is the same.
ITERATIONS=20000
TIMEOUT=60                 # seconds any single client command may take before it counts as failed

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$VSFTPD_PID" ] && kill "$VSFTPD_PID" 2>/dev/null && wait "$VSFTPD_PID" 2>/dev/null
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

have() { # have TOOL [PACKAGE]: true if TOOL is on PATH, installing PACKAGE when root
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "  (installing ${2:-$1} with apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${2:-$1}" >/dev/null 2>&1
  fi
  command -v "$1" >/dev/null 2>&1
}

# A passive range unlikely to collide with parallel runs on a shared machine.
BASE_PORT=$((10000 + (RANDOM % 190) * 100))
PASSIVE="$BASE_PORT-$((BASE_PORT + 49))"

start_server() { # start_server MODEL -> sets PORT, SERVER_PID; returns 1 if the model is unavailable
  local model=$1 log="$WORK/server-$1.log"
  "$POLYSERVE" serve ftp --model "$model" --port 0 --root "$ROOT" --users "$WORK/users" \
      --passive-ports "$PASSIVE" >"$log" 2>&1 &
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

# ------------------------------------------------------------------ fixtures
ROOT="$WORK/root"
mkdir -p "$ROOT/data/tree/sub/deeper" "$WORK/local/tree/a/b"
head -c $((5 * 1024 * 1024 + 123)) /dev/urandom >"$ROOT/data/big.bin"
printf 'line one\nline two\n\nline four\n' >"$ROOT/data/text.txt"
for i in 1 2 3; do head -c $((i * 10000)) /dev/urandom >"$ROOT/data/tree/f$i.bin"; done
head -c 77777 /dev/urandom >"$ROOT/data/tree/sub/deeper/d.bin"
echo "name with spaces" >"$ROOT/data/tree/sub/with space.txt"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$WORK/local/up.bin"
for i in 1 2; do head -c $((i * 33333)) /dev/urandom >"$WORK/local/tree/a/u$i.bin"; done
head -c 4444 /dev/urandom >"$WORK/local/tree/a/b/u3.bin"
echo "outside the root" >"$WORK/secret.txt"

echo "== users file (polyserve ftp-user add)"
if printf '%s\n' "$USER_PW" | "$POLYSERVE" ftp-user add "$USER_NAME" --home . --write --users "$WORK/users" \
     --password-stdin --iterations "$ITERATIONS" 2>"$WORK/ftp-user.log" && grep -q "^$USER_NAME:rw:pbkdf2-sha256\\$" "$WORK/users"; then
  ok "ftp-user add wrote a salted PBKDF2 entry"
else
  bad "ftp-user add"; cat "$WORK/ftp-user.log"; exit 1
fi

MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  MODELS=(virtual nio)
  "$POLYSERVE" models 2>/dev/null | grep -qw epoll && MODELS+=(epoll)
fi

URL_USER="e2e:e2e-pass%20w0rd"
for MODEL in "${MODELS[@]}"; do
  echo "== model $MODEL"
  if ! start_server "$MODEL"; then bad "$MODEL: server start"; continue; fi
  OUT="$WORK/out-$MODEL"; mkdir -p "$OUT"
  URL="ftp://$URL_USER@127.0.0.1:$PORT"
  rm -rf "$ROOT/up-$MODEL"; mkdir -p "$ROOT/up-$MODEL"

  # ---------------------------------------------------------------- curl
  if have curl; then
    timeout $TIMEOUT curl -sS "$URL/data/big.bin" -o "$OUT/curl-big.bin" && same "$ROOT/data/big.bin" "$OUT/curl-big.bin" "curl download (EPSV)" || bad "curl download"
    timeout $TIMEOUT curl -sS --disable-epsv "$URL/data/big.bin" -o "$OUT/curl-pasv.bin" && same "$ROOT/data/big.bin" "$OUT/curl-pasv.bin" "curl download (PASV)" || bad "curl download (PASV)"
    timeout $TIMEOUT curl -sS -P 127.0.0.1 "$URL/data/big.bin" -o "$OUT/curl-active.bin" && same "$ROOT/data/big.bin" "$OUT/curl-active.bin" "curl download (active, EPRT)" || bad "curl active download"
    timeout $TIMEOUT curl -sS -T "$WORK/local/up.bin" "$URL/up-$MODEL/" && same "$WORK/local/up.bin" "$ROOT/up-$MODEL/up.bin" "curl -T upload" || bad "curl -T upload"
    timeout $TIMEOUT curl -sS -C - "$URL/data/big.bin" -o "$OUT/curl-big.bin" && same "$ROOT/data/big.bin" "$OUT/curl-big.bin" "curl -C - resume of a complete file" || bad "curl resume"
    head -c 1000000 "$ROOT/data/big.bin" >"$OUT/curl-partial.bin"
    timeout $TIMEOUT curl -sS -C - "$URL/data/big.bin" -o "$OUT/curl-partial.bin" && same "$ROOT/data/big.bin" "$OUT/curl-partial.bin" "curl -C - resume (REST) of a partial download" || bad "curl resume partial"
    timeout $TIMEOUT curl -sS --use-ascii "$URL/data/text.txt" -o "$OUT/curl-text.txt" && same "$ROOT/data/text.txt" "$OUT/curl-text.txt" "curl ASCII download" || bad "curl ASCII download"
    if timeout $TIMEOUT curl -sS "$URL/data/" | grep -q "big.bin"; then ok "curl directory listing"; else bad "curl directory listing"; fi
    if timeout $TIMEOUT curl -sS --path-as-is "$URL/../secret.txt" -o "$OUT/stolen" 2>/dev/null; then bad "curl traversal ../ was served"; else ok "curl traversal ../ refused"; fi
    if timeout $TIMEOUT curl -sS "ftp://e2e:wrong@127.0.0.1:$PORT/data/text.txt" -o /dev/null 2>/dev/null; then bad "wrong password accepted"; else ok "curl with a wrong password refused"; fi
  else
    skip "curl not installed"
  fi

  # ---------------------------------------------------------------- lftp
  if have lftp; then
    LFTP_SET="set net:max-retries 1; set net:timeout 20; set cmd:fail-exit yes; set ftp:ssl-allow no"
    rm -rf "$OUT/mirror"
    timeout $TIMEOUT lftp -u "$USER_NAME,$USER_PW" -p "$PORT" -e "$LFTP_SET; mirror data/tree $OUT/mirror; quit" 127.0.0.1 >"$OUT/lftp.log" 2>&1 \
      && diff -r "$ROOT/data/tree" "$OUT/mirror" >/dev/null && ok "lftp mirror (download tree, byte-identical)" || { bad "lftp mirror"; tail -3 "$OUT/lftp.log"; }
    timeout $TIMEOUT lftp -u "$USER_NAME,$USER_PW" -p "$PORT" -e "$LFTP_SET; mirror -R $WORK/local/tree up-$MODEL/tree; quit" 127.0.0.1 >>"$OUT/lftp.log" 2>&1 \
      && diff -r "$WORK/local/tree" "$ROOT/up-$MODEL/tree" >/dev/null && ok "lftp mirror -R (upload tree, byte-identical)" || { bad "lftp mirror -R"; tail -3 "$OUT/lftp.log"; }
    timeout $TIMEOUT lftp -u "$USER_NAME,$USER_PW" -p "$PORT" -e "$LFTP_SET; put $WORK/local/up.bin -o up-$MODEL/lftp-up.bin; get up-$MODEL/lftp-up.bin -o $OUT/lftp-back.bin; quit" 127.0.0.1 >>"$OUT/lftp.log" 2>&1 \
      && same "$WORK/local/up.bin" "$ROOT/up-$MODEL/lftp-up.bin" "lftp put" && same "$WORK/local/up.bin" "$OUT/lftp-back.bin" "lftp get" || { bad "lftp put/get"; tail -3 "$OUT/lftp.log"; }
    timeout $TIMEOUT lftp -u "$USER_NAME,$USER_PW" -p "$PORT" -e "$LFTP_SET; set ftp:passive-mode off; get data/big.bin -o $OUT/lftp-active.bin; quit" 127.0.0.1 >>"$OUT/lftp.log" 2>&1 \
      && same "$ROOT/data/big.bin" "$OUT/lftp-active.bin" "lftp get in active mode" || { bad "lftp active get"; tail -3 "$OUT/lftp.log"; }
  else
    skip "lftp not installed"
  fi

  # ---------------------------------------------------------------- Python ftplib
  if have python3; then
    if timeout $TIMEOUT python3 - "$PORT" "$USER_NAME" "$USER_PW" "$ROOT" "$OUT" "$MODEL" "$WORK/local/up.bin" <<'PY' >"$OUT/ftplib.log" 2>&1; then
import ftplib, hashlib, io, os, sys
port, user, pw, root, out, model, up = sys.argv[1:]
h = lambda b: hashlib.sha256(b).hexdigest()
f = ftplib.FTP()
f.connect("127.0.0.1", int(port), timeout=30)
f.login(user, pw)
assert "UTF8" in f.sendcmd("FEAT")
data = open(up, "rb").read()
f.storbinary(f"STOR up-{model}/ftplib.bin", io.BytesIO(data))
assert h(open(os.path.join(root, f"up-{model}", "ftplib.bin"), "rb").read()) == h(data), "STOR sha256"
got = io.BytesIO(); f.retrbinary(f"RETR up-{model}/ftplib.bin", got.write)
assert h(got.getvalue()) == h(data), "RETR sha256"
got = io.BytesIO(); f.retrbinary(f"RETR up-{model}/ftplib.bin", got.write, rest=1234)
assert got.getvalue() == data[1234:], "REST + RETR"
f.set_pasv(False)
got = io.BytesIO(); f.retrbinary("RETR data/big.bin", got.write)
assert h(got.getvalue()) == h(open(os.path.join(root, "data/big.bin"), "rb").read()), "active RETR sha256"
f.set_pasv(True)
lines = []; f.retrlines("RETR data/text.txt", lines.append)
assert lines == open(os.path.join(root, "data/text.txt")).read().split("\n")[:-1], "ASCII RETR"
f.storlines(f"STOR up-{model}/lines.txt", io.BytesIO(b"a\r\nb\r\n"))
assert open(os.path.join(root, f"up-{model}", "lines.txt"), "rb").read() == b"a\nb\n", "ASCII STOR stores LF"
names = dict(f.mlsd("data"))
assert names["big.bin"]["type"] == "file" and int(names["big.bin"]["size"]) == os.path.getsize(os.path.join(root, "data/big.bin"))
assert "big.bin" in f.nlst("data")
f.rename(f"up-{model}/ftplib.bin", f"up-{model}/renamed.bin")
f.voidcmd("TYPE I")   # after the ASCII transfers above: SIZE counts bytes as sent (RFC 3659), so ask in binary
assert f.size(f"up-{model}/renamed.bin") == len(data)
f.delete(f"up-{model}/renamed.bin")
f.mkd(f"up-{model}/newdir"); f.rmd(f"up-{model}/newdir")
try:
    f.retrbinary("RETR ../secret.txt", lambda b: None); sys.exit("traversal served")
except ftplib.error_perm as e:
    assert str(e).startswith("550"), e
f.quit()
print("ftplib ok")
PY
      ok "Python ftplib: STOR/RETR/REST/active/ASCII/MLSD/NLST/rename/delete/mkd/rmd, sha256 identical, traversal 550"
    else
      bad "Python ftplib"; tail -5 "$OUT/ftplib.log"
    fi
  else
    skip "python3 not installed"
  fi

  # ---------------------------------------------------------------- polyserve's own client
  timeout $TIMEOUT "$POLYSERVE" ftp get -q "$URL/data/big.bin" -o "$OUT/own-get.bin" && same "$ROOT/data/big.bin" "$OUT/own-get.bin" "polyserve ftp get" || bad "polyserve ftp get"
  timeout $TIMEOUT "$POLYSERVE" ftp put -q "$WORK/local/up.bin" "$URL/up-$MODEL/own-put.bin" && same "$WORK/local/up.bin" "$ROOT/up-$MODEL/own-put.bin" "polyserve ftp put" || bad "polyserve ftp put"
  if timeout $TIMEOUT "$POLYSERVE" ftp ls "$URL/data/" | grep -qx "big.bin"; then ok "polyserve ftp ls"; else bad "polyserve ftp ls"; fi
  timeout $TIMEOUT "$POLYSERVE" ftp get -q "$URL/data/missing.bin" -o "$OUT/none" 2>/dev/null; rc=$?
  [ $rc -eq 1 ] && ok "polyserve ftp get of a missing file exits 1" || bad "polyserve ftp get missing: exit $rc"
  printf '%s\n%s\nlist data\nget data/text.txt %s\nquit\n' "$USER_NAME" "$USER_PW" "$OUT/own-shell.txt" \
    | timeout $TIMEOUT "$POLYSERVE" ftp 127.0.0.1 "$PORT" >"$OUT/shell.log" 2>&1 \
    && same "$ROOT/data/text.txt" "$OUT/own-shell.txt" "polyserve ftp interactive session (menu, list, get, quit)" || { bad "polyserve ftp interactive"; tail -5 "$OUT/shell.log"; }

  stop_server
  find "$ROOT" -name '.polyserve-upload-*' | grep -q . && bad "$MODEL: temporary upload files left behind" || ok "$MODEL: no temporary upload files left"
done

# ------------------------------------------------------------------ the client against vsftpd
echo "== polyserve ftp against vsftpd"
if [ "$(id -u)" != 0 ]; then
  skip "vsftpd check needs root (vsftpd drops privileges to user 'ftp')"
elif ! have vsftpd; then
  skip "vsftpd not installed"
elif ! id ftp >/dev/null 2>&1; then
  skip "no 'ftp' user for vsftpd's anonymous access"
else
  VROOT="$WORK/vsftpd-root"; mkdir -p "$VROOT/incoming" /var/run/vsftpd/empty
  chown ftp "$VROOT/incoming"; chmod 755 "$VROOT" "$WORK"
  cp "$ROOT/data/big.bin" "$VROOT/"
  VPORT=$((BASE_PORT + 60))
  vsftpd "$REPO/bench/ftp/vsftpd.conf" -olisten_port=$VPORT -oanon_root="$VROOT" \
      -opasv_min_port=$((BASE_PORT + 70)) -opasv_max_port=$((BASE_PORT + 90)) >"$WORK/vsftpd.log" 2>&1 &
  VSFTPD_PID=$!
  for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$VPORT) 2>/dev/null && break; sleep 0.1; done
  VURL="ftp://127.0.0.1:$VPORT"
  timeout $TIMEOUT "$POLYSERVE" ftp get -q "$VURL/big.bin" -o "$WORK/vs-get.bin" && same "$VROOT/big.bin" "$WORK/vs-get.bin" "polyserve ftp get from vsftpd" || bad "polyserve ftp get from vsftpd"
  timeout $TIMEOUT "$POLYSERVE" ftp put -q "$WORK/local/up.bin" "$VURL/incoming/up.bin" && same "$WORK/local/up.bin" "$VROOT/incoming/up.bin" "polyserve ftp put to vsftpd" || bad "polyserve ftp put to vsftpd"
  if timeout $TIMEOUT "$POLYSERVE" ftp ls "$VURL/" | grep -qx "big.bin"; then ok "polyserve ftp ls on vsftpd"; else bad "polyserve ftp ls on vsftpd"; fi
  printf '\nlist\nget big.bin %s\nquit\n' "$WORK/vs-shell.bin" | timeout $TIMEOUT "$POLYSERVE" ftp 127.0.0.1 "$VPORT" >"$WORK/vs-shell.log" 2>&1 \
    && same "$VROOT/big.bin" "$WORK/vs-shell.bin" "polyserve ftp interactive session against vsftpd" || { bad "interactive against vsftpd"; tail -5 "$WORK/vs-shell.log"; }
  kill "$VSFTPD_PID" 2>/dev/null; wait "$VSFTPD_PID" 2>/dev/null; VSFTPD_PID=""
fi

echo "== ftp e2e: $PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
