#!/usr/bin/env bash
# End-to-end check of `polyserve serve http` with real clients: curl (-I, --range, If-None-Match, --compressed)
# and Python's http.client (keep-alive, HEAD, JSON, chunked upload). Exits non-zero on the first failure.
#
#   services/src/test/e2e/http-e2e.sh            # model nio
#   MODEL=virtual services/src/test/e2e/http-e2e.sh
#
# A missing client is a skip with the reason printed (exit 0), unless E2E_STRICT=1.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../../.." && pwd)
MODEL=${MODEL:-nio}
for tool in curl python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "http-e2e: SKIP: $tool is not installed (apt-get install -y $tool)"
    [ "${E2E_STRICT:-0}" = 1 ] && exit 1 || exit 0
  fi
done

work=$(mktemp -d /tmp/polyserve-http-e2e.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
pass() { echo "ok   - $1"; }
fail() { echo "FAIL - $1"; failures=$((failures + 1)); }
expect_eq() {  # name expected actual
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
expect_contains() {  # name needle haystack
  if printf '%s' "$3" | grep -qiF -- "$2"; then pass "$1"; else fail "$1: [$2] not in [$3]"; fi
}

# Starts a server with the given extra arguments; sets $base to its URL.
start() {
  local out="$work/server-$#-$RANDOM.out"
  "$repo/polyserve" serve http --port 0 --model "$MODEL" "$@" >"$out" 2>"$out.err" &
  pids+=($!)
  for _ in $(seq 1 600); do
    if grep -q '^listening on ' "$out" 2>/dev/null; then
      base="http://$(sed -n 's/^listening on \([^ ]*\) .*/\1/p' "$out" | head -1)"
      return 0
    fi
    sleep 0.1
  done
  echo "http-e2e: server did not start:"; cat "$out" "$out.err"; exit 1
}

mkdir -p "$work/site/docs"
printf 'Hello, world!\n' > "$work/site/hello.txt"
for i in $(seq 1 200); do echo "body { margin: ${i}px; }"; done > "$work/site/style.css"
printf '<h1>docs</h1>' > "$work/site/docs/index.html"
printf 'secret' > "$work/secret.txt"

# ---- the bundled welcome site (no --root): what the README's command shows ----
start
expect_eq "welcome page 200" 200 "$(curl -s -o "$work/index.html" -w '%{http_code}' "$base/")"
expect_contains "welcome page content" "polyserve is running" "$(cat "$work/index.html")"
expect_eq "welcome stylesheet" "text/css; charset=utf-8" "$(curl -s -o /dev/null -w '%{content_type}' "$base/style.css")"

# ---- a user's own site: only its files, no demo API ----
start --root "$work/site" --access-log off
expect_eq "no /api/time without --demo-routes" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/time")"
# An HTTP/0.9 request line is answered at once (400), not after the 20 s header timeout: nc waits 8 s at most.
expect_contains "HTTP/0.9 refused at once" "HTTP/1.1 400" "$(printf 'GET /hello.txt\r\n' | timeout 10 nc -q 8 127.0.0.1 "${base##*:}" || true)"

# ---- a directory with --root and an access log ----
start --root "$work/site" --access-log "$work/access.log" --max-body 1K --demo-routes
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

head=$(curl -sSI "$base/hello.txt")
expect_contains "curl -I status" "HTTP/1.1 200" "$head"
expect_contains "curl -I length" "Content-Length: 14" "$head"
expect_contains "curl -I type" "Content-Type: text/plain; charset=utf-8" "$head"
etag=$(printf '%s' "$head" | tr -d '\r' | sed -n 's/^ETag: //Ip')
lastmod=$(printf '%s' "$head" | tr -d '\r' | sed -n 's/^Last-Modified: //Ip')
expect_eq "GET body" "Hello, world!" "$(curl -s "$base/hello.txt")"
expect_eq "If-None-Match -> 304" 304 "$(code -H "If-None-Match: $etag" "$base/hello.txt")"
expect_eq "If-Modified-Since -> 304" 304 "$(code -H "If-Modified-Since: $lastmod" "$base/hello.txt")"
expect_eq "stale If-None-Match -> 200" 200 "$(code -H 'If-None-Match: "nope"' "$base/hello.txt")"
expect_eq "--range 0-4 -> 206" 206 "$(code --range 0-4 "$base/hello.txt")"
expect_eq "--range 0-4 body" "Hello" "$(curl -s --range 0-4 "$base/hello.txt")"
expect_eq "--range 7- body" "world!" "$(curl -s --range 7- "$base/hello.txt" | tr -d '\n')"
expect_contains "--range 0-1,7-11 -> multipart" "Content-Type: multipart/byteranges; boundary=" "$(curl -s -D - -o /dev/null --range 0-1,7-11 "$base/hello.txt")"
expect_eq "range past the end -> 416" 416 "$(code --range 100-200 "$base/hello.txt")"
gz_headers=$(curl -s --compressed -D - -o "$work/style.out" "$base/style.css")
expect_contains "--compressed gets gzip" "Content-Encoding: gzip" "$gz_headers"
expect_eq "--compressed body decodes" "$(md5sum < "$work/site/style.css")" "$(md5sum < "$work/style.out")"
expect_eq "directory index" "<h1>docs</h1>" "$(curl -s "$base/docs/")"
expect_eq "directory without slash -> 301" 301 "$(code "$base/docs")"
expect_eq "missing -> 404" 404 "$(code "$base/missing.txt")"
expect_eq "POST on a file -> 405" 405 "$(code -X POST "$base/hello.txt")"
expect_eq "traversal -> 400" 400 "$(code --path-as-is "$base/../secret.txt")"
expect_eq "encoded traversal -> 400" 400 "$(code --path-as-is "$base/%2e%2e/secret.txt")"
expect_eq "JSON echo" '{"echo":{"a":1}}' "$(curl -s -H 'Content-Type: application/json' -d '{"a":1}' "$base/api/echo")"
expect_eq "body over --max-body -> 413" 413 "$(code -H 'Content-Type: text/plain' --data-binary @"$work/site/style.css" "$base/api/echo")"
expect_eq "healthz" '{"status":"ok"}' "$(curl -s "$base/healthz")"
expect_contains "metrics" "polyserve_http_requests_total{model=\"$MODEL\",status=\"304\"}" "$(curl -s "$base/metrics")"

# ---- Python's http.client: keep-alive, HEAD, chunked upload, JSON ----
if python3 - "$base" <<'PY'
import http.client, json, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
def req(method, path, body=None, headers={}, **kw):
    c.request(method, path, body=body, headers=headers, **kw)
    r = c.getresponse()
    return r, r.read()
r, b = req("GET", "/hello.txt"); assert (r.status, b) == (200, b"Hello, world!\n"), (r.status, b)
sock = c.sock
r, b = req("HEAD", "/hello.txt"); assert r.status == 200 and b == b"" and r.getheader("Content-Length") == "14"
r, b = req("GET", "/api/hello/python"); assert json.loads(b) == {"message": "hello, python"}, b
r, b = req("POST", "/api/echo", body=json.dumps({"x": [1, 2]}), headers={"Content-Type": "application/json"})
assert json.loads(b) == {"echo": {"x": [1, 2]}}, b
r, b = req("POST", "/api/echo", body=iter([b"chunk", b"ed ", b"body"]), encode_chunked=True)
assert json.loads(b)["echo"] == "chunked body", b
r, b = req("DELETE", "/hello.txt"); assert r.status == 405 and r.getheader("Allow") == "GET, HEAD", r.status
assert c.sock is sock, "keep-alive: every request reused one connection"
r, b = req("GET", "/missing"); assert r.status == 404
print("python http.client: 7 exchanges on one keep-alive connection")
PY
then pass "python http.client"; else fail "python http.client"; fi

# The access log is written off the hot path: wait for it, bounded.
for _ in $(seq 1 50); do grep -q '"GET /missing HTTP/1.1" 404' "$work/access.log" 2>/dev/null && break; sleep 0.1; done
expect_contains "access log (combined format)" '"GET /hello.txt HTTP/1.1" 200 14 "-" "curl/' "$(cat "$work/access.log")"

if [ "$failures" -gt 0 ]; then echo "http-e2e: $failures check(s) failed (model $MODEL)"; exit 1; fi
echo "http-e2e: all checks passed (model $MODEL)"
