#!/usr/bin/env bash
# Side-by-side HTTP benchmark: polyserve (per model) vs nginx vs the Netty peer, with wrk.
#
#   bench/http/run.sh                       # defaults below
#   MODELS="nio epoll" DURATION=10s CONNS=100 bench/http/run.sh
#   CONNS=1000 ENDPOINTS=/1k.txt MODELS="nio epoll uring" bench/http/run.sh
#   PIPELINE=16 CONNS=100 MODELS="epoll-et" PEERS=nginx bench/http/run.sh   # wrk pipelining 16 deep
#   BURST=1000 MODELS="nio epoll" PEERS=nginx bench/http/run.sh   # time 1,000 GETs sent in one write (pipeline.py)
#   TLS=1 MODELS="nio epoll" PEERS=nginx ENDPOINTS=/1k.txt bench/http/run.sh   # HTTPS: one cert for both, wrk over TLS
#   TLS=1 STIME=10 MODELS="nio epoll" PEERS=nginx bench/http/run.sh   # new TLS handshakes/s: openssl s_time -new
#   TLS=1 TLS_PROVIDERS=conscrypt MODELS=epoll PEERS=nginx bench/http/run.sh   # polyserve on one TLS provider only
#   BUILD=0 JAR=/tmp/before.jar MODELS=uring PEERS= bench/http/run.sh   # another build of polyserve (before/after)
#
# For each server, one after another on the same machine: start it, warm up (5 s), then
# `wrk -t2 -c$CONNS -d$DURATION --latency` on a 1 KiB static file and on a tiny JSON route, while sampling the
# server process tree's utime+stime from /proc (work per server CPU-second = requests / CPU seconds).
# polyserve runs with --max-per-ip 0 (every wrk connection comes from 127.0.0.1; nginx has no such cap) and
# --demo-routes (the JSON route on a --root site). Between the warm-up and the measured run the script waits for
# the warm-up's connections to close (SETTLE); polyserve's own non-200 and refusal counts (/metrics) join the errors
# column when they moved during the run, and its WARN lines are printed on stderr.
# Prints a Markdown table on stdout; progress on stderr. Every server binds 127.0.0.1 only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
DURATION=${DURATION:-10s}
CONNS=${CONNS:-100}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}   # JIT-compiled servers need a few seconds under load to reach steady state
PORT=${PORT:-18080}
MODELS=${MODELS:-}          # default: every model `polyserve models` says is available here
PEERS=${PEERS:-"nginx netty"}
ENDPOINTS=${ENDPOINTS:-"/1k.txt /api/hello"}
PIPELINE=${PIPELINE:-}      # requests per write per connection (wrk -s pipeline.lua); empty = one at a time
BURST=${BURST:-}            # instead of wrk: N GETs in one write on one connection, timed (pipeline.py)
ROUNDS=${ROUNDS:-200}       # BURST rounds measured (after as many untimed warm-up rounds)
TLS=${TLS:-0}               # 1: HTTPS on both sides (polyserve cert's EC P-256 key, TLS 1.3 and 1.2, wrk negotiates 1.3)
STIME=${STIME:-}            # with TLS=1, instead of wrk: openssl s_time -new for STIME seconds (full handshakes/s)
[ -n "$STIME" ] && ENDPOINTS=/1k.txt   # one handshake run per server
TLS_PROVIDERS=${TLS_PROVIDERS:-"jdk conscrypt"}   # with TLS=1: each model once per --tls-provider, side by side
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m"}
SETTLE=${SETTLE:-20}        # seconds to wait for the warm-up's connections to close before the measured run
JAVA_HOME=$("$repo/bin/find-java"); export JAVA_HOME
java="$JAVA_HOME/bin/java"
tck=$(getconf CLK_TCK)
# shellcheck source=common.sh
. "$here/common.sh"

SCHEME=http
[ "$TLS" = 1 ] && SCHEME=https
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench/http: $tool is missing (apt-get install -y $tool)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/polyserve-http-bench.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/site" "$work/nginx"
chmod 755 "$work" "$work/site"  # nginx workers run as an unprivileged user
head -c 1024 /dev/zero | tr '\0' 'x' > "$work/site/1k.txt"

echo "bench/http: building polyserve and the Netty peer..." >&2
[ "${BUILD:-1}" = 0 ] || (cd "$repo" && mvn -B -q -ntp -DskipTests package -pl cli,bench/peers -am >&2)  # BUILD=0: reuse
(cd "$repo/bench/peers" && mvn -B -q -ntp dependency:build-classpath -Dmdep.outputFile="$work/peers.cp" >&2)
peers_cp="$repo/bench/peers/target/classes:$(cat "$work/peers.cp")"
jar=${JAR:-"$repo/cli/target/polyserve.jar"}   # JAR=/path/to/other.jar: measure another build (before/after)
if [ -z "$MODELS" ]; then
  MODELS=$("$java" -jar "$jar" models | awk '/^[a-z]/ {name = $1} /^ +available/ {print name}' | tr '\n' ' ')
fi
echo "bench/http: models: $MODELS" >&2

# A process and all its descendants (processes, not threads: a process's stat already counts its threads).
tree_pids() {
  local pid=$1 child
  echo "$pid"
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do tree_pids "$child"; done
}

# utime+stime (clock ticks) of a process tree, from /proc/PID/stat fields 14 and 15.
tree_ticks() {
  local total=0 p
  for p in $(tree_pids "$1"); do
    if [ -r "/proc/$p/stat" ]; then
      total=$((total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
    fi
  done
  echo "$total"
}

tls_args=()
if [ "$TLS" = 1 ]; then
  "$java" -jar "$jar" cert --out "$work/cert" >/dev/null 2>&1
  tls_args=(--tls-cert "$work/cert/cert.pem" --tls-key "$work/cert/key.pem")
fi

if [ -n "$STIME" ]; then
  echo "| server | new TLS handshakes/s (openssl s_time -new, $STIME s) | server CPU s | handshakes per server CPU-s | load (1 min) |"
  echo "|---|---:|---:|---:|---:|"
elif [ -n "$BURST" ]; then
  echo "| server | endpoint | $BURST GETs in one write: median s | best s | worst s | server CPU s | requests per CPU-s | load (1 min) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
else
  echo "| server | endpoint | requests/s | p50 | p99 | server CPU s | requests per CPU-s | errors | load (1 min) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
fi

measure_burst() {  # label endpoint-path
  local label=$1 path=$2 before after load out cpu per
  python3 "$here/pipeline.py" "$PORT" "$path" --requests "$BURST" --rounds "$ROUNDS" --warmup 0 >/dev/null
  load=$(cut -d' ' -f1 /proc/loadavg)
  before=$(tree_ticks "$server_pid")
  out=$(python3 "$here/pipeline.py" "$PORT" "$path" --requests "$BURST" --rounds "$ROUNDS" --warmup 0)
  after=$(tree_ticks "$server_pid")
  cpu=$(awk -v t="$((after - before))" -v h="$tck" 'BEGIN {printf "%.2f", t / h}')
  per=$(awk -v r="$((BURST * ROUNDS))" -v c="$cpu" 'BEGIN {if (c > 0) printf "%.0f", r / c; else print "n/a"}')
  set -- $out
  echo "| $label | $path | $1 | $2 | $3 | $cpu | $per | $load |"
  echo "bench/http: $label $path: median $1 s for $BURST pipelined GETs" >&2
}

measure_stime() {  # label: full handshakes (no session reuse) on a fresh connection each, one GET each
  local label=$1 before after out load cpu conns rate per
  openssl s_time -connect "127.0.0.1:$PORT" -new -time 2 -www /1k.txt >/dev/null 2>&1 || true   # warm-up
  load=$(cut -d' ' -f1 /proc/loadavg)
  before=$(tree_ticks "$server_pid")
  out=$(openssl s_time -connect "127.0.0.1:$PORT" -new -time "$STIME" -www /1k.txt 2>&1)
  after=$(tree_ticks "$server_pid")
  conns=$(echo "$out" | awk '/connections in [0-9.]+ real seconds/ {print $1; exit}')
  cpu=$(awk -v t="$((after - before))" -v h="$tck" 'BEGIN {printf "%.2f", t / h}')
  rate=$(awk -v n="$conns" -v s="$STIME" 'BEGIN {printf "%.0f", n / s}')
  per=$(awk -v n="$conns" -v c="$cpu" 'BEGIN {if (c > 0) printf "%.0f", n / c; else print "n/a"}')
  echo "| $label | $rate | $cpu | $per | $load |"
  echo "bench/http: $label: $rate new handshakes/s, $per per server CPU-s" >&2
}

# Server-side sockets on the port, open or closing (the server still holds their descriptors).
server_sockets() {
  ss -Htn state established state close-wait "( sport = :$PORT )" 2>/dev/null | wc -l
}

# Waits (up to SETTLE s) until the warm-up's connections are closed on the server side, so the measured run's
# connections do not meet the warm-up's still open: at 10,000 connections the two together pass 20,000 descriptors.
settle() {
  local deadline=$((SECONDS + SETTLE))
  while [ "$(server_sockets)" -gt $((CONNS / 100 + 5)) ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
}

# polyserve's own count of non-200 responses and refused connections (from /metrics), "-" for other servers.
server_refusals() {
  case $label in polyserve*) ;; *) echo "-"; return ;; esac
  curl -fsSk "$SCHEME://127.0.0.1:$PORT/metrics" 2>/dev/null | awk '
    /^polyserve_http_requests_total/ { match($0, /status="[0-9]+"/); s = substr($0, RSTART + 8, RLENGTH - 9); if (s != "200") printf "%s:%s ", s, $2 }
    /^polyserve_connections_refused_total/ { printf "refused:%s ", $2 }'
}

wrk_args=()
[ -n "$PIPELINE" ] && wrk_args=(-s "$here/pipeline.lua")
measure() {  # label endpoint-path
  if [ -n "$STIME" ]; then measure_stime "$1"; return; fi
  if [ -n "$BURST" ]; then measure_burst "$@"; return; fi
  local label=$1 path=$2 url="$SCHEME://127.0.0.1:$PORT$2"
  local depth=()
  [ -n "$PIPELINE" ] && depth=(-- "$PIPELINE")
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "${wrk_args[@]}" "$url" "${depth[@]}" >/dev/null 2>&1 || true
  settle
  local before after out load refusals_before refusals_after
  load=$(cut -d' ' -f1 /proc/loadavg)   # the machine is shared: record how busy it was
  refusals_before=$(server_refusals)
  before=$(tree_ticks "$server_pid")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "${wrk_args[@]}" "$url" "${depth[@]}" 2>&1)
  after=$(tree_ticks "$server_pid")
  refusals_after=$(server_refusals)
  # Counters are totals since start: show them when they moved during the measured run (what wrk's Non-2xx were).
  local server_note=""
  [ "$refusals_after" != "$refusals_before" ] && server_note=" server totals since start: $refusals_after"
  local reqs rps p50 p99 cpu per
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  local errors
  errors="$(echo "$out" | awk '/Socket errors|Non-2xx/ {printf "%s ", $0}' | tr -s ' ')$server_note"
  cpu=$(awk -v t="$((after - before))" -v h="$tck" 'BEGIN {printf "%.2f", t / h}')
  per=$(awk -v r="$reqs" -v c="$cpu" 'BEGIN {if (c > 0) printf "%.0f", r / c; else print "n/a"}')
  echo "| $label | $path | $rps | $p50 | $p99 | $cpu | $per | ${errors:-0} | $load |"
  echo "bench/http: $label $path: $rps req/s, $per req per CPU-s" >&2
}

for peer in $PEERS; do
  case $peer in
    nginx)
      sed -e "s|@PREFIX@|$work/nginx|g" -e "s|@ROOT@|$work/site|g" -e "s|@PORT@|$PORT|g" \
        "$here/nginx.conf.template" > "$work/nginx/nginx.conf"
      if [ "$TLS" = 1 ]; then  # the same server block over TLS, with the same certificate polyserve serves
        sed -i -e "s|listen 127.0.0.1:$PORT reuseport backlog=4096;|listen 127.0.0.1:$PORT ssl reuseport backlog=4096;\
        ssl_certificate $work/cert/cert.pem; ssl_certificate_key $work/cert/key.pem; ssl_protocols TLSv1.2 TLSv1.3;|" \
          "$work/nginx/nginx.conf"
      fi
      nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
      server_pid=$! ;;
    netty)
      "$java" $JAVA_OPTS --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$peers_cp" dev.polyserve.peers.http.NettyHttpPeer "$PORT" "$work/site" 2 >"$work/netty.out" 2>&1 &
      server_pid=$! ;;
    *) echo "bench/http: unknown peer $peer" >&2; exit 2 ;;
  esac
  wait_port /1k.txt
  for e in $ENDPOINTS; do measure "$peer" "$e"; done
  stop_server
done

providers=("")
[ "$TLS" = 1 ] && read -r -a providers <<< "$TLS_PROVIDERS"
for model in $MODELS; do
  for provider in "${providers[@]}"; do
    label="polyserve $model${provider:+ $provider}"
    "$java" $JAVA_OPTS --enable-native-access=ALL-UNNAMED -jar "$jar" serve http --root "$work/site" --port "$PORT" \
      --model "$model" --access-log off --demo-routes --max-per-ip 0 "${tls_args[@]}" ${provider:+--tls-provider "$provider"} \
      >"$work/polyserve-$model$provider.out" 2>&1 &
    server_pid=$!
    wait_port /1k.txt
    # the serve pipeline's line "TLS (TLSv1.3, TLSv1.2, Conscrypt 2.5.2 ...)": a fallback to the JDK would mislabel the row
    if [ -n "$provider" ] && ! grep -qi "TLS (.*$provider [0-9]" "$work/polyserve-$model$provider.out"; then
      echo "bench/http: $label: the server does not serve with $provider:" >&2; cat "$work/polyserve-$model$provider.out" >&2; exit 1
    fi
    for e in $ENDPOINTS; do measure "$label" "$e"; done
    stop_server
    # A refusal or shortage is one log line (rate-limited): show them beside the table.
    grep -E ' (WARN|ERROR) ' "$work/polyserve-$model$provider.out" | head -5 | sed "s|^|bench/http: $label log: |" >&2 || true
  done
done
