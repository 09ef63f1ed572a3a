#!/usr/bin/env bash
# Echo benchmark: for each connection count and each model, start a server, load it with
# `polyserve bench echo --server-pid`, stop it, and append one Markdown table row per run.
# Unless --no-peer is given, Netty's native-epoll echo server (bench/peers) runs right before each
# polyserve model, so every polyserve row has a peer measured moments earlier on the same noisy
# machine, and the row carries the ratio to it.
#
#   bench/echo.sh [-m "iterative threads pool virtual nonblocking nio"] [-c "1 100 1000"]
#                 [-s 64] [-d 5] [-w 1] [-r 1] [-k 0] [-o bench/results/echo.md] [--no-peer]
#
# -k K closes each connection after K echoes and opens a new one (--messages-per-connection):
# -k 1 measures connection set-up cost, and the table shows new connections/s and connect-to-first-echo.
# -r repeats the whole sweep: on a shared machine one round is a sample, not a verdict.
# A model may carry extra server options after commas, e.g. "prefork,--workers,2".
# 10,000 connections need about 10,100 descriptors in each of server and load generator: the script
# raises `ulimit -n` to the hard limit; if that is still too low, raise the hard limit (as root:
# `ulimit -Hn 65536`, or LimitNOFILE= in a systemd unit) before running it.
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS="iterative threads pool virtual nonblocking nio"
CONNECTIONS="1 100 1000"
SIZE=64
DURATION=5
WARMUP=1
OUT=bench/results/echo.md
ROUNDS=1
PER_CONN=0
PEER=yes
# A server that has not printed its "listening on" line after this long is broken, not slow.
START_TIMEOUT_S=60
# SIGTERM lets a server drain; after this it is killed (and the row says so in the log).
STOP_TIMEOUT_S=15

while [ $# -gt 0 ]; do
  case "$1" in
    -m) MODELS=$2; shift 2 ;;
    -c) CONNECTIONS=$2; shift 2 ;;
    -s) SIZE=$2; shift 2 ;;
    -d) DURATION=$2; shift 2 ;;
    -w) WARMUP=$2; shift 2 ;;
    -o) OUT=$2; shift 2 ;;
    -r) ROUNDS=$2; shift 2 ;;
    -k) PER_CONN=$2; shift 2 ;;
    --no-peer) PEER=no; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "echo.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

JAVA_HOME=$(bin/find-java); export JAVA_HOME
PEERS_JAR=bench/peers/target/polyserve-peers.jar
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/polyserve-bench.XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT

# Each side holds one descriptor per connection, plus the JVM's own.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
max_conns=0; for c in $CONNECTIONS; do [ "$c" -gt "$max_conns" ] && max_conns=$c; done
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((max_conns + 100)) ]; then
  echo "echo.sh: $max_conns connections need 'ulimit -n' >= $((max_conns + 100)); it is $(ulimit -n) (hard limit too)" >&2
  exit 2
fi

# Build what is missing before the first measurement, not during one.
./polyserve --help >/dev/null
if [ "$PEER" = yes ] && [ ! -f "$PEERS_JAR" ]; then
  ./run-tests -q -pl bench/peers -am package -DskipTests
fi

mkdir -p "$(dirname "$OUT")"
if [ ! -s "$OUT" ] && [ "$PER_CONN" -gt 0 ]; then
  {
    echo "| server | model | conns | msgs per conn | new conns/s | set-up p50 µs | set-up p99 µs | msgs/s | server CPU-s | new conns per server CPU-s | errors | x Netty conns/s | load1 |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  } >"$OUT"
elif [ ! -s "$OUT" ]; then
  {
    echo "| server | model | conns | msgs/s | MB/s | p50 µs | p99 µs | p99.9 µs | server CPU-s | msgs per server CPU-s | errors | x Netty msgs/s | x Netty p99 | load1 |"
    echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  } >"$OUT"
fi

# field NAME LINE: the value of NAME=... in a RESULT line.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# start_server NAME ARGV...: starts the server in its own process group; sets SERVER_PID and PORT.
start_server() {
  local name=$1; shift
  : >"$LOGDIR/$name.out"
  setsid "$@" >"$LOGDIR/$name.out" 2>"$LOGDIR/$name.err" </dev/null &
  SERVER_PID=$!
  local deadline=$((SECONDS + START_TIMEOUT_S))
  # Wait for the whole line (it ends with ")"): under load a write can land in two pieces.
  until grep -q '^listening on .*:[0-9][0-9]* (.*)$' "$LOGDIR/$name.out"; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "echo.sh: $name did not start; its stderr:" >&2; tail -20 "$LOGDIR/$name.err" >&2
      stop_server; return 1
    fi
    sleep 0.1
  done
  PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\) .*/\1/p' "$LOGDIR/$name.out" | head -1)
}

# stop_server: SIGTERM to the server's process group, SIGKILL after STOP_TIMEOUT_S.
stop_server() {
  kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while kill -0 -- "-$SERVER_PID" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "echo.sh: server $SERVER_PID ignored SIGTERM for ${STOP_TIMEOUT_S}s; killing it" >&2
      kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    fi
    sleep 0.1
  done
  wait "$SERVER_PID" 2>/dev/null || true
}

# run_one LABEL MODEL CONNS ARGV...: one measured run; prints the RESULT line on stdout.
run_one() {
  local label=$1 model=$2 conns=$3; shift 3
  start_server "$label" "$@" || return 1
  local cmd=(./polyserve bench echo --host 127.0.0.1 --port "$PORT" --connections "$conns" --size "$SIZE"
             --duration "$DURATION" --warmup "$WARMUP" --messages-per-connection "$PER_CONN" --server-pid "$SERVER_PID")
  echo "# $label $model c=$conns: ${cmd[*]}" >&2
  local result
  result=$("${cmd[@]}" 2>>"$LOGDIR/loadgen.err" | grep '^RESULT ' || true)
  stop_server
  if [ -z "$result" ]; then
    echo "echo.sh: no RESULT for $label $model c=$conns; load generator stderr:" >&2
    tail -5 "$LOGDIR/loadgen.err" >&2
    return 1
  fi
  echo "$result"
}

setup_row() {  # setup_row SERVER MODEL CONNS RESULT PEER_RESULT: the connection set-up table (-k)
  local server=$1 model=$2 conns=$3 r=$4 peer=${5:-} ratio=""
  [ -n "$peer" ] && ratio=$(awk -v a="$(field new_conns_per_s "$r")" -v b="$(field new_conns_per_s "$peer")" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
  local per_cpu
  per_cpu=$(awk -v n="$(field new_conns_per_s "$r")" -v d="$(field duration_s "$r")" -v c="$(field server_cpu_s "$r")" 'BEGIN { if (c > 0) printf "%.0f", n * d / c; else print "-" }')
  printf '| %s | %s | %s | %s | %.0f | %s | %s | %.0f | %s | %s | %s | %s | %s |\n' \
    "$server" "$model" "$conns" "$PER_CONN" "$(field new_conns_per_s "$r")" "$(field setup_p50_us "$r")" \
    "$(field setup_p99_us "$r")" "$(field msgs_per_s "$r")" "$(field server_cpu_s "$r")" "$per_cpu" \
    "$(( $(field errors "$r") + $(field connect_failures "$r") ))" "$ratio" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT"
}

row() {  # row SERVER MODEL CONNS RESULT PEER_RESULT
  local server=$1 model=$2 conns=$3 r=$4 peer=${5:-}
  if [ "$PER_CONN" -gt 0 ]; then setup_row "$@"; return; fi
  local ratio="" p99ratio=""
  if [ -n "$peer" ]; then
    ratio=$(awk -v a="$(field msgs_per_s "$r")" -v b="$(field msgs_per_s "$peer")" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
    p99ratio=$(awk -v a="$(field p99_us "$r")" -v b="$(field p99_us "$peer")" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
  fi
  local connected served; connected=$(field connected "$r"); served=$(field served "$r")
  local shown=$conns
  if [ "$connected" != "$conns" ]; then shown="$conns ($connected connected, $served served)"
  elif [ "$served" != "$conns" ]; then shown="$conns ($served served)"; fi
  printf '| %s | %s | %s | %.0f | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$server" "$model" "$shown" "$(field msgs_per_s "$r")" "$(field mb_per_s "$r")" \
    "$(field p50_us "$r")" "$(field p99_us "$r")" "$(field p999_us "$r")" "$(field server_cpu_s "$r")" \
    "$(field msgs_per_server_cpu_s "$r")" "$(field errors "$r")" "$ratio" "$p99ratio" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT"
}

for round in $(seq "$ROUNDS"); do
 for conns in $CONNECTIONS; do
  for spec in $MODELS; do
    IFS=, read -r -a parts <<<"$spec"
    model=${parts[0]}; extra=("${parts[@]:1}")
    peer_result=""
    if [ "$PEER" = yes ]; then
      if peer_result=$(run_one netty netty-epoll "$conns" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
            --sun-misc-unsafe-memory-access=allow -jar "$PEERS_JAR" echo --port 0); then
        row netty "epoll (peer)" "$conns" "$peer_result"
      else
        peer_result=""
      fi
    fi
    if result=$(run_one polyserve "$spec" "$conns" ./polyserve serve echo --model "$model" --port 0 "${extra[@]}"); then
      row polyserve "$(tr , ' ' <<<"$spec")" "$conns" "$result" "$peer_result"
    else
      echo "| polyserve | $(tr , ' ' <<<"$spec") | $conns | failed: see the script's stderr | | | | | | | | | | $(cut -d' ' -f1 /proc/loadavg) |" | tee -a "$OUT"
    fi
  done
 done
done
