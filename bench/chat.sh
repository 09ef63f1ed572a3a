#!/usr/bin/env bash
# Chat benchmark: for each model, start `polyserve serve chat` (flood control off), fill the room with
# `polyserve bench chat --server-pid` (default 100 members x 1,000 lines at 50 lines/s each), stop it, and
# append one Markdown table row per run: deliveries/s, delivery latency, server CPU and deliveries per
# server CPU-second. Unless --no-peer is given, a Netty chat room (bench/peers, the shape of Netty's chat
# example, native epoll) runs right before each polyserve model under the same load, and the polyserve row
# carries the ratios to it.
#
#   bench/chat.sh [-m "threads pool virtual nonblocking nio"] [-c 100] [-n 1000] [-r 50]
#                 [-o bench/results/chat.md] [--no-peer] [--nodes "1 2"]
#
# A model may carry extra server options after commas, e.g. "nio,--workers,1". iterative is not in the
# default list: it serves one connection at a time, so a room of 100 cannot form.
# --nodes "1 2" runs each model once as one server and once as a room over two servers on Redis
# (bench/chat-nodes.sh: both nodes and their redis-server are one process group, so the CPU figures include all
# three); the members are dealt over the nodes in turn.
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS="threads pool virtual nonblocking nio"
CLIENTS=100
MESSAGES=1000
RATE=50
OUT=bench/results/chat.md
PEER=yes
NODES=1
# A server that has not printed its "listening on" line after this long is broken, not slow.
START_TIMEOUT_S=60
# Before the load starts, the server must be quiet: its process group under this CPU share (percent of one core)
# over one second, within SETTLE_TIMEOUT_S. A prefork master starts its warm spare (a JVM, and the first time
# a CDS archive dump) right after "listening on": measured, that start-up would be billed to the chat room.
SETTLE_MAX_CPU_PERCENT=10
SETTLE_TIMEOUT_S=60
# SIGTERM lets a server drain; after this it is killed.
STOP_TIMEOUT_S=15

while [ $# -gt 0 ]; do
  case "$1" in
    -m) MODELS=$2; shift 2 ;;
    -c) CLIENTS=$2; shift 2 ;;
    -n) MESSAGES=$2; shift 2 ;;
    -r) RATE=$2; shift 2 ;;
    -o) OUT=$2; shift 2 ;;
    --no-peer) PEER=no; shift ;;
    --nodes) NODES=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "chat.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

JAVA_HOME=$(bin/find-java); export JAVA_HOME
# `polyserve bench chat`, run straight from the CLI jar: the same code, without the launcher's JVM options.
LOADGEN=("$JAVA_HOME/bin/java" -cp cli/target/polyserve.jar dev.polyserve.cli.bench.ChatBenchCommand)
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/polyserve-chat-bench.XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT
./polyserve --help >/dev/null   # builds the jar if needed, before the first measurement
PEERS_JAR=bench/peers/target/polyserve-peers.jar
if [ "$PEER" = yes ] && [ ! -f "$PEERS_JAR" ]; then
  ./run-tests -q -pl bench/peers -am package -DskipTests
fi

mkdir -p "$(dirname "$OUT")"
if [ ! -s "$OUT" ]; then
  {
    echo "| model | members x lines @ rate | deliveries/s | p50 µs | p99 µs | p99.9 µs | missing | dropped | server CPU-s | deliveries per server CPU-s | x Netty deliveries/CPU-s | x Netty p99 | load1 |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  } >"$OUT"
fi

field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

start_server() {  # start_server [--listeners N] ARGV...: sets SERVER_PID and PORTS (comma-separated)
  local listeners=1
  if [ "$1" = --listeners ]; then listeners=$2; shift 2; fi
  : >"$LOGDIR/server.out"
  setsid "$@" >"$LOGDIR/server.out" 2>"$LOGDIR/server.err" </dev/null &
  SERVER_PID=$!
  local deadline=$((SECONDS + START_TIMEOUT_S * listeners))   # nodes start side by side on the same cores
  until [ "$(grep -c '^listening on .*:[0-9][0-9]* ' "$LOGDIR/server.out")" -ge "$listeners" ]; do   # whole lines, ports included
    if ! kill -0 "$SERVER_PID" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "chat.sh: server did not start; its stderr:" >&2; tail -20 "$LOGDIR/server.err" >&2
      stop_server; return 1
    fi
    sleep 0.1
  done
  PORTS=$(sed -n 's/^listening on .*:\([0-9][0-9]*\) .*/\1/p' "$LOGDIR/server.out" | paste -sd, -)
  await_quiet_server
}

# utime+stime (clock ticks) of every process in the server's process group (setsid: pgid = SERVER_PID).
group_ticks() {
  awk -v g="$SERVER_PID" '$5 == g { t += $14 + $15 } END { print t + 0 }' /proc/[0-9]*/stat 2>/dev/null
}

await_quiet_server() {
  local deadline=$((SECONDS + SETTLE_TIMEOUT_S)) hz before after
  hz=$(getconf CLK_TCK)
  while [ $SECONDS -lt $deadline ]; do
    before=$(group_ticks); sleep 1; after=$(group_ticks)
    [ $(( (after - before) * 100 )) -lt $(( SETTLE_MAX_CPU_PERCENT * hz )) ] && return 0
  done
  echo "chat.sh: server still busy ${SETTLE_TIMEOUT_S}s after start; measuring anyway" >&2
}

stop_server() {
  kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while kill -0 -- "-$SERVER_PID" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "chat.sh: server $SERVER_PID ignored SIGTERM for ${STOP_TIMEOUT_S}s; killing it" >&2
      kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    fi
    sleep 0.1
  done
  wait "$SERVER_PID" 2>/dev/null || true
}

run_one() {  # run_one LABEL [--listeners N] SERVER-ARGV...: prints the RESULT line
  local model=$1; shift
  start_server "$@" || return 1
  local cmd=("${LOADGEN[@]}" --host 127.0.0.1 --port "$PORTS" --clients "$CLIENTS" --messages "$MESSAGES"
             --rate "$RATE" --server-pid "$SERVER_PID")
  echo "# $model: ${cmd[*]}" >&2
  local result
  result=$("${cmd[@]}" 2>>"$LOGDIR/loadgen.err" | tee -a "$LOGDIR/loadgen.out" | grep '^RESULT ' || true)
  stop_server
  [ -n "$result" ] || { echo "chat.sh: no RESULT for $model; loadgen stderr:" >&2; tail -5 "$LOGDIR/loadgen.err" >&2; return 1; }
  echo "$result"
}

per_cpu() { field deliveries_per_cpu_s "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b != "-" && b > 0) printf "%.2f", a / b }'; }

row() {  # row LABEL RESULT [PEER_RESULT]
  local label=$1 r=$2 peer=${3:-}
  printf '| %s | %s x %s @ %s/s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$label" "$CLIENTS" "$MESSAGES" "$RATE" "$(field deliveries_per_s "$r")" \
    "$(field p50_us "$r")" "$(field p99_us "$r")" "$(field p999_us "$r")" "$(field missing "$r")" \
    "$(field dropped "$r")" "$(field server_cpu_s "$r")" "$(per_cpu "$r")" \
    "$( [ -n "$peer" ] && ratio "$(per_cpu "$r")" "$(per_cpu "$peer")")" \
    "$( [ -n "$peer" ] && ratio "$(field p99_us "$r")" "$(field p99_us "$peer")")" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT"
}

for spec in $MODELS; do
  IFS=, read -r -a parts <<<"$spec"
  model=${parts[0]}; extra=("${parts[@]:1}")
  peer=""
  if [ "$PEER" = yes ]; then
    if peer=$(run_one netty-chat "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
          -cp "$PEERS_JAR" dev.polyserve.peers.chat.NettyChatServer --port 0); then
      row "Netty (peer)" "$peer"
    else
      peer=""
    fi
  fi
  for nodes in $NODES; do
    label="polyserve $(tr , ' ' <<<"$spec")"
    server=(./polyserve serve chat)
    if [ "$nodes" -gt 1 ]; then
      label="$label, $nodes nodes on Redis"
      server=(--listeners "$nodes" bench/chat-nodes.sh "$nodes")
    fi
    if r=$(run_one "$model" "${server[@]}" --model "$model" --port 0 --lines-per-second 0 --no-console "${extra[@]}"); then
      row "$label" "$r" "$peer"
    else
      echo "| $label | failed: see stderr | | | | | | | | | | | $(cut -d' ' -f1 /proc/loadavg) |" | tee -a "$OUT"
    fi
  done
done
