#!/usr/bin/env bash
# Slow-client attacks with slowhttptest against polyserve and nginx (Debian's defaults), one after another:
# slow headers (-H), slow body (-B) and slow read (-X), each at 1,000 and 4,000 connections for 60 s.
#
#   bench/http/slowhttp.sh                                   # everything (about 13 minutes)
#   MODES="-X" CONNS="1000" SERVERS="polyserve" LENGTH=30 bench/http/slowhttp.sh
#
# Per run: the share of the run the service stayed available (slowhttptest's probe: a fresh request answered
# within PROBE s), the most slow connections held at once, when they were closed (as slowhttptest saw it, and as
# the server's side of the port did: `ss` every 2 s), and the log lines the server wrote meanwhile. Prints a
# Markdown table on stdout; progress and the raw CSVs' directory on stderr.
# polyserve runs with its defaults except --max-per-ip 0: every attacking connection comes from 127.0.0.1, and
# so does slowhttptest's probe, so the per-address cap (256) would refuse the attack at the door and the probe
# with it; the run measures the deadlines instead. The cap is checked on its own at the end (POLYSERVE_CAP).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
MODES=${MODES:-"-H -B -X"}
CONNS=${CONNS:-"1000 4000"}
SERVERS=${SERVERS:-"polyserve nginx"}
LENGTH=${LENGTH:-60}
RATE=${RATE:-500}          # new connections per second
PROBE=${PROBE:-5}          # seconds the probe waits before calling the service unavailable
MODEL=${MODEL:-nio}
PORT=${PORT:-18480}
POLYSERVE_CAP=${POLYSERVE_CAP:-1}   # also show the default --max-per-ip against one attacking address
JAVA_HOME=$("$repo/bin/find-java"); export JAVA_HOME
java="$JAVA_HOME/bin/java"
# shellcheck source=common.sh
. "$here/common.sh"

for tool in slowhttptest nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench/http: $tool is missing (apt-get install -y $tool)" >&2; exit 2; }
done
ulimit -n 20000

work=$(mktemp -d /tmp/polyserve-slowhttp.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$work/site" "$work/nginx"
chmod 755 "$work" "$work/site"
printf '<!DOCTYPE html><title>slow</title><p>hello</p>\n' > "$work/site/index.html"
head -c $((1 << 20)) /dev/zero > "$work/site/big.bin"   # slow read needs a response larger than the buffers

jar=${JAR:-}               # a polyserve.jar already built; default: build this checkout's
if [ -z "$jar" ]; then
  (cd "$repo" && mvn -B -q -ntp -DskipTests package -pl cli -am >&2)
  jar="$repo/cli/target/polyserve.jar"
fi

start() {  # server [extra polyserve options...]
  local server=$1; shift
  case $server in
    polyserve)
      "$java" -Xms256m -Xmx256m --enable-native-access=ALL-UNNAMED -jar "$jar" serve http --root "$work/site" \
        --port "$PORT" --model "$MODEL" --access-log off "$@" >"$work/polyserve.out" 2>"$work/polyserve.log" &
      server_pid=$! ;;
    nginx)
      rm -f "$work/nginx/error.log"
      sed -e "s|@PREFIX@|$work/nginx|g" -e "s|@ROOT@|$work/site|g" -e "s|@PORT@|$PORT|g" \
        "$here/nginx-debian.conf.template" > "$work/nginx/nginx.conf"
      nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
      server_pid=$! ;;
  esac
  wait_port /
}

log_lines() {  # server
  case $1 in
    polyserve) wc -l < "$work/polyserve.log" ;;
    nginx) cat "$work/nginx/error.log" 2>/dev/null | wc -l ;;
  esac
}

echo "| server | attack | connections | service available | most held | all closed by | server: most held | server: all closed by | log lines | load (1 min) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for server in $SERVERS; do
  for mode in $MODES; do
    for n in $CONNS; do
      if [ "$server" = polyserve ]; then start polyserve --max-per-ip 0; else start nginx; fi
      url="http://127.0.0.1:$PORT/"
      extra=(-i 10)
      case $mode in
        -B) extra=(-i 10 -s 100000) ;;
        -X) url="http://127.0.0.1:$PORT/big.bin"; extra=(-k 4 -n 5 -z 32 -w 512 -y 1024) ;;
      esac
      load=$(cut -d' ' -f1 /proc/loadavg)
      lines_before=$(log_lines "$server")
      prefix="$work/${server}${mode}-$n"
      # slowhttptest's own count lags under -X (it still reads its receive buffer after the server let go), so the
      # server's side is sampled too: its established connections every 2 s.
      ( t0=$SECONDS; while :; do
          echo "$((SECONDS - t0)) $(ss -Htn state established "( sport = :$PORT )" | wc -l)"; sleep 2
        done ) >"$prefix.server" &
      sampler=$!
      slowhttptest "$mode" -c "$n" -r "$RATE" -l "$LENGTH" -p "$PROBE" -u "$url" "${extra[@]}" -g -o "$prefix" \
        >"$prefix.out" 2>&1 || true
      kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
      server_side=$(awk '$2 > most { most = $2 } most > 0 && $2 == 0 && gone == "" { gone = $1 }
          END { printf "%d | %s", most, gone == "" ? "still open at the end" : gone " s" }' "$prefix.server")
      lines=$(( $(log_lines "$server") - lines_before ))
      # CSV: Seconds,Closed,Pending,Connected,Service Available (the last is 0 while the probe fails).
      # slowhttptest stops as soon as the server has closed every connection, before writing a row with 0 connected;
      # its exit status says so.
      ended=0
      grep -q 'No open connections left' "$prefix.out" && ended=1
      summary=$(awk -F, -v ended="$ended" 'NR > 1 {
          rows++; if ($5 > 0) up++; last = $1
          if ($4 > most) { most = $4; peak = $1 }
          if (most > 0 && $4 == 0 && closed == "") closed = $1
        } END {
          if (closed == "" && ended) closed = last
          printf "%.0f%% | %d | %s", 100 * up / rows, most, closed == "" ? "still open at the end" : closed " s"
        }' "$prefix.csv")
      echo "| $server | $mode | $n | $summary | $server_side | $lines | $load |"
      echo "bench/http: $server $mode $n: $summary, server side $server_side, $lines log lines" >&2
      stop_server
    done
  done
done

if [ "$POLYSERVE_CAP" = 1 ] && [[ " $SERVERS " == *" polyserve "* ]]; then
  # The default cap: one address holds 256 connections, the rest get 503; another address is served throughout.
  start polyserve
  prefix="$work/polyserve-cap"
  slowhttptest -H -c 1000 -r "$RATE" -l 30 -p "$PROBE" -u "http://127.0.0.1:$PORT/" -i 10 -g -o "$prefix" >"$prefix.out" 2>&1 &
  attack=$!
  sleep 10
  other=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "http://127.0.0.1:$PORT/" || echo failed)
  same=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/" || echo failed)
  wait "$attack" || true
  held=$(awk -F, 'NR > 1 && $4 > most {most = $4} END {print most + 0}' "$prefix.csv")
  echo "bench/http: default --max-per-ip: attacker held at most $held; from 127.0.0.2: $other; from 127.0.0.1: $same" >&2
  echo
  echo "Default \`--max-per-ip 256\`, slow headers from 127.0.0.1 with 1,000 connections: the attacker held at most"
  echo "$held; during the attack a request from 127.0.0.2 got $other, one from 127.0.0.1 got $same."
  stop_server
fi
echo "bench/http: raw reports in $work" >&2
