#!/usr/bin/env bash
# WebSocket echo benchmark: for each connection count and model, a Netty WebSocket echo server (bench/peers, the
# pipeline of Netty's WebSocket example, native epoll) and then `polyserve serve http` (its /ws/echo) take the same
# closed-loop load from WsEchoLoad (one 64-byte text message in flight per connection), one right after the
# other; one Markdown row per run: echoes/s, round-trip latency, server CPU and echoes per server CPU-second,
# and for polyserve the ratios to the Netty run before it.
#
#   bench/websocket.sh [-c "100 1000"] [-m "nio epoll"] [-s 64] [-d 10] [-o bench/results/websocket.md]
#
# --broadcast instead measures the chat room for browser members: a Netty WebSocket chat peer, then
# `polyserve serve chat --web-port`, each filled by `polyserve bench chat --websocket /ws` (members x lines at a
# rate per member, every line delivered to every other member); rows go to bench/results/websocket-broadcast.md.
#
#   bench/websocket.sh --broadcast [-c 1000] [-n 2] [-r 0.2] [-m "nio"]
#
# Run it under `flock /work/bench.lock` on a shared machine; the load average is recorded in every row.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS="100 1000"
MODELS="nio epoll"
SIZE=64
DURATION=10
OUT=bench/results/websocket.md
BROADCAST=no
MESSAGES=2
RATE=0.2
START_TIMEOUT_S=60
STOP_TIMEOUT_S=15

while [ $# -gt 0 ]; do
  case "$1" in
    -c) CONNECTIONS=$2; shift 2 ;;
    -m) MODELS=$2; shift 2 ;;
    -s) SIZE=$2; shift 2 ;;
    -d) DURATION=$2; shift 2 ;;
    -o) OUT=$2; shift 2 ;;
    -n) MESSAGES=$2; shift 2 ;;
    -r) RATE=$2; shift 2 ;;
    --broadcast) BROADCAST=yes; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "websocket.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

JAVA_HOME=$(bin/find-java); export JAVA_HOME
LOADGEN=("$JAVA_HOME/bin/java" -cp cli/target/polyserve.jar dev.polyserve.loadgen.ws.WsEchoLoad)
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/polyserve-ws-bench.XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT
./polyserve --help >/dev/null   # builds the jar if needed, before the first measurement
PEERS_JAR=bench/peers/target/polyserve-peers.jar
[ -f "$PEERS_JAR" ] || ./run-tests -q -pl bench/peers -am package -DskipTests

mkdir -p "$(dirname "$OUT")"
if [ ! -s "$OUT" ]; then
  {
    echo "| server | connections x bytes | echoes/s | p50 µs | p99 µs | p99.9 µs | server CPU-s | echoes per server CPU-s | x Netty echoes/s | x Netty per CPU-s | errors | load1 |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  } >"$OUT"
fi

field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }

start_server() {  # start_server ARGV...: sets SERVER_PID and PORT
  : >"$LOGDIR/server.out"
  setsid "$@" >"$LOGDIR/server.out" 2>"$LOGDIR/server.err" </dev/null &
  SERVER_PID=$!
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until grep -q '^listening on .*:[0-9][0-9]* ' "$LOGDIR/server.out"; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "websocket.sh: server did not start; its stderr:" >&2; tail -20 "$LOGDIR/server.err" >&2
      stop_server; return 1
    fi
    sleep 0.1
  done
  PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\) .*/\1/p' "$LOGDIR/server.out" | head -1)
}

stop_server() {
  kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while kill -0 -- "-$SERVER_PID" 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    sleep 0.1
  done
  wait "$SERVER_PID" 2>/dev/null || true
}

run_one() {  # run_one CONNECTIONS SERVER-ARGV...: prints the RESULT line
  local conns=$1; shift
  start_server "$@" || return 1
  local cmd=("${LOADGEN[@]}" --port "$PORT" --connections "$conns" --size "$SIZE" --duration "$DURATION" --server-pid "$SERVER_PID")
  echo "# ${cmd[*]}" >&2
  local result
  result=$("${cmd[@]}" 2>>"$LOGDIR/loadgen.err" | grep '^RESULT ' || true)
  stop_server
  [ -n "$result" ] || { echo "websocket.sh: no RESULT; loadgen stderr:" >&2; tail -5 "$LOGDIR/loadgen.err" >&2; return 1; }
  echo "$result"
}

row() {  # row LABEL RESULT [PEER_RESULT]
  local r=$2 peer=${3:-}
  printf '| %s | %s x %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" \
    "$(field connections "$r")" "$(field size "$r")" "$(field messages_per_s "$r")" "$(field p50_us "$r")" \
    "$(field p99_us "$r")" "$(field p999_us "$r")" "$(field server_cpu_s "$r")" "$(field messages_per_cpu_s "$r")" \
    "$( [ -n "$peer" ] && ratio "$(field messages_per_s "$r")" "$(field messages_per_s "$peer")")" \
    "$( [ -n "$peer" ] && ratio "$(field messages_per_cpu_s "$r")" "$(field messages_per_cpu_s "$peer")")" \
    "$(field errors "$r")" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT"
}

if [ "$BROADCAST" = yes ]; then
  [ "$CONNECTIONS" = "100 1000" ] && CONNECTIONS=1000
  [ "$OUT" = bench/results/websocket.md ] && OUT=bench/results/websocket-broadcast.md
  [ "$MODELS" = "nio epoll" ] && MODELS=nio
  CHATGEN=("$JAVA_HOME/bin/java" -cp cli/target/polyserve.jar dev.polyserve.cli.bench.ChatBenchCommand)
  if [ ! -s "$OUT" ]; then
    {
      echo "| server | members x lines @ rate | deliveries/s | p50 µs | p99 µs | missing | dropped | server CPU-s | deliveries per server CPU-s | x Netty per CPU-s | load1 |"
      echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    } >"$OUT"
  fi
  chat_one() {  # chat_one WEB_PORT_OR_EMPTY SERVER-ARGV...: prints the RESULT line
    local web=$1; shift
    start_server "$@" || return 1
    local port=${web:-$PORT}
    local cmd=("${CHATGEN[@]}" --port "$port" --websocket /ws --clients "$CONNECTIONS" --messages "$MESSAGES" --rate "$RATE"
               --server-pid "$SERVER_PID" --quiet)
    echo "# ${cmd[*]}" >&2
    local result
    result=$("${cmd[@]}" 2>>"$LOGDIR/loadgen.err" | grep '^RESULT ' || true)
    stop_server
    [ -n "$result" ] || { echo "websocket.sh: no RESULT; loadgen stderr:" >&2; tail -5 "$LOGDIR/loadgen.err" >&2; return 1; }
    echo "$result"
  }
  chat_row() {  # chat_row LABEL RESULT [PEER_RESULT]
    local r=$2 peer=${3:-}
    printf '| %s | %s x %s @ %s/s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$CONNECTIONS" "$MESSAGES" "$RATE" \
      "$(field deliveries_per_s "$r")" "$(field p50_us "$r")" "$(field p99_us "$r")" "$(field missing "$r")" \
      "$(field dropped "$r")" "$(field server_cpu_s "$r")" "$(field deliveries_per_cpu_s "$r")" \
      "$( [ -n "$peer" ] && ratio "$(field deliveries_per_cpu_s "$r")" "$(field deliveries_per_cpu_s "$peer")")" \
      "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT"
  }
  for model in $MODELS; do
    peer=""
    if peer=$(chat_one "" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
          -cp "$PEERS_JAR" dev.polyserve.peers.websocket.NettyWebSocketChatServer --port 0); then
      chat_row "Netty (peer)" "$peer"
    else
      peer=""
    fi
    web=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if r=$(chat_one "$web" ./polyserve serve chat --model "$model" --port 0 --web-port "$web" --web-max-per-ip 0 --lines-per-second 0 \
          --max-members "$((CONNECTIONS + 10))" --no-console); then
      chat_row "polyserve $model" "$r" "$peer"
    else
      echo "| polyserve $model | failed: see stderr | | | | | | | | | $(cut -d' ' -f1 /proc/loadavg) |" | tee -a "$OUT"
    fi
  done
  exit 0
fi

for conns in $CONNECTIONS; do
  for model in $MODELS; do
    peer=""
    if peer=$(run_one "$conns" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
          -cp "$PEERS_JAR" dev.polyserve.peers.websocket.NettyWebSocketServer --port 0); then
      row "Netty (peer)" "$peer"
    else
      peer=""
    fi
    if r=$(run_one "$conns" ./polyserve serve http --model "$model" --port 0 --access-log off --max-per-ip 0); then
      row "polyserve $model" "$r" "$peer"
    else
      echo "| polyserve $model | failed: see stderr | | | | | | | | | | $(cut -d' ' -f1 /proc/loadavg) |" | tee -a "$OUT"
    fi
  done
done
