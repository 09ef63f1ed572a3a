#!/usr/bin/env bash
# Slow-client attacks with slowhttptest against polyserve and nginx (Debian's defaults), one after another:
# slow headers (-H), slow body (-B) and slow read (-X), each at 1,000 and 4,000 connections for 60 s.
#
#   bench/http/slowhttp.sh                                   # everything (about 20 minutes)
#   MODES="-X" CONNS="1000" SERVERS="polyserve" LENGTH=30 bench/http/slowhttp.sh
#   MODEL=epoll bench/http/slowhttp.sh                       # polyserve on another engine (default nio)
#
# Per run: the share of the run the service stayed available (slowhttptest's probe: a fresh request answered
# within PROBE s; and a probe of our own, once a second from 127.0.0.2), the most slow connections held at once,
# when they were closed (as slowhttptest saw it, and as the server's side of the port did: `ss` every 2 s), the
# longest the server held one (from both counts), the server's most open descriptors, and the log lines it wrote
# (for polyserve, with the count of the rate-limited lines it held back, which it writes when their minute
# ends). Prints a Markdown table on stdout; progress and the raw files' directory on stderr (per run: the CSV,
# the server samples, both probes, the server's whole log).
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
SETTLE=${SETTLE:-90}       # seconds from an attack's start the server runs on at most (see below)
# -X asks for a file of XBYTES, XPIPELINE times per connection (pipelined), reading 32 bytes every 5 s through a
# 512-1,024 byte window. The default, 4 x 1 MiB, is more than the kernel's send buffer holds (it autotunes to
# about 1 MB here), so output waits in the server's process too; XBYTES=262144 XPIPELINE=1 fits in the kernel's
# buffer, which only the Linux engines can see (SIOCOUTQ).
XBYTES=${XBYTES:-1048576}
XPIPELINE=${XPIPELINE:-4}
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
sampler=""
prober=""
cleanup() {
  for p in $sampler $prober; do kill "$p" 2>/dev/null || true; done
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$work/site" "$work/nginx"
chmod 755 "$work" "$work/site"
printf '<!DOCTYPE html><title>slow</title><p>hello</p>\n' > "$work/site/index.html"
head -c "$XBYTES" /dev/zero > "$work/site/big.bin"   # -X's file

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

established() {  # the server's established connections on the port
  ss -Htn state established "( sport = :$PORT )" | wc -l
}

server_fds() {  # descriptors open in the server's processes (nginx: the master and its workers)
  local n=0 p
  for p in "$server_pid" $(pgrep -P "$server_pid" || true); do
    n=$((n + $(ls "/proc/$p/fd" 2>/dev/null | wc -l)))
  done
  echo "$n"
}

log_lines() {  # server
  case $1 in
    polyserve) wc -l < "$work/polyserve.log" ;;
    nginx) cat "$work/nginx/error.log" 2>/dev/null | wc -l ;;
  esac
}

echo "| server | attack | connections | service available | most held | all closed by | server: most held | server: all closed by | server: longest held | own probe: answered, slowest | server: most fds | log lines | lines held back | load (1 min) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for server in $SERVERS; do
  for mode in $MODES; do
    for n in $CONNS; do
      if [ "$server" = polyserve ]; then start polyserve --max-per-ip 0; else start nginx; fi
      url="http://127.0.0.1:$PORT/"
      extra=(-i 10)
      case $mode in
        -B) extra=(-i 10 -s 100000) ;;
        -X) url="http://127.0.0.1:$PORT/big.bin"; extra=(-k "$XPIPELINE" -n 5 -z 32 -w 512 -y 1024) ;;
      esac
      load=$(cut -d' ' -f1 /proc/loadavg)
      lines_before=$(log_lines "$server")
      prefix="$work/${server}${mode}-$n"
      # slowhttptest's own count lags under -X (it still reads its receive buffer after the server let go), so the
      # server's side is sampled too every 2 s: its established connections, its open descriptors, and its sockets
      # on the port in any state (those the process closed with unsent data stay in the kernel: FIN-WAIT-1).
      t0=$SECONDS
      ( while :; do
          echo "$((SECONDS - t0)) $(established) $(server_fds) $(ss -Htn "( sport = :$PORT )" | wc -l)"; sleep 2
        done ) >"$prefix.server" &
      sampler=$!
      # slowhttptest's probe shares its single thread with the attack, so under load it can fail while the server
      # answers: a probe of our own asks for / once a second from another address (127.0.0.2), until told to stop.
      : >"$prefix.probe"
      ( while [ -e "$prefix.probe" ]; do
          echo "$((SECONDS - t0)) $(curl -s -o /dev/null -m "$PROBE" -w '%{http_code} %{time_total}' \
            --interface 127.0.0.2 "http://127.0.0.1:$PORT/" || true)" >>"$prefix.probe.log"
          sleep 1
        done ) &
      prober=$!
      slowhttptest "$mode" -c "$n" -r "$RATE" -l "$LENGTH" -p "$PROBE" -u "$url" "${extra[@]}" -g -o "$prefix" \
        >"$prefix.out" 2>&1 || true
      client_end=$((SECONDS - t0))
      # The server runs on (and is sampled) until its side of the port is empty and, for polyserve, its log limiter
      # has written the count of the refusal lines it held back (when the minute that began with the first ends),
      # SETTLE s after the attack began at most. Connections gone only after slowhttptest ended were closed by
      # its exit, not by the server.
      while (( SECONDS - t0 < SETTLE )); do
        if [ "$(established)" = 0 ]; then
          [ "$server" != polyserve ] && break
          [ "$(tail -n +"$((lines_before + 1))" "$work/polyserve.log" | grep -c 'were not logged in the last')" -gt 0 ] && break
        fi
        sleep 1
      done
      kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
      sampler=""
      echo "$((SECONDS - t0)) $(established) $(server_fds) $(ss -Htn "( sport = :$PORT )" | wc -l)" >>"$prefix.server"
      rm -f "$prefix.probe"; wait "$prober" 2>/dev/null || true
      prober=""
      # Our probe: answered (200 within PROBE s) of asked while the attack ran, and the slowest answer.
      probe=$(awk -v end="$client_end" '$1 <= end { asked++; if ($2 == 200) ok++; if ($3 > slowest) slowest = $3 }
          END { printf "%d/%d, %.1f s", ok, asked, slowest }' "$prefix.probe.log")
      # slowhttptest stops as soon as the server has closed every connection ("No open connections left"), else at
      # the end of its run, when its exit closes what is left: then what the server had not closed by then was not
      # closed by the server.
      ended=0
      grep -q 'No open connections left' "$prefix.out" && ended=1
      server_side=$(awk -v end="$client_end" -v ended="$ended" '
          $2 > most { most = $2 } most > 0 && $2 == 0 && gone == "" { gone = $1 }
          END { open = gone == "" || (!ended && gone > end)
                printf "%d | %s", most, open ? "still open at the end" : gone " s" }' "$prefix.server")
      # The longest the server held a connection: each slow connection has the same deadline from its start, so they
      # close in the order they opened, and the k-th the server closed (opened so far by slowhttptest's count, minus
      # established on the server's side) is the k-th slowhttptest opened. An upper bound: the closes seen at a
      # sample happened since the one before (about 2 s), and the CSV counts whole seconds.
      longest=$(awk -F'[, ]' 'FNR == NR {
            if (FNR > 1) { t = $1 + 0; opened[t] = $2 + $4; if (t > last) last = t; if ($2 + $4 > total) total = $2 + $4 }
            next
          } {
            o = total
            if ($1 <= last) for (u = $1 + 0; u >= 0; u--) if (u in opened) { o = opened[u]; break }
            closed = o - $2
            if (closed <= done) next
            done = closed
            for (u = 0; u <= last; u++) if ((u in opened) && opened[u] >= closed) break
            if ($1 - u > longest) longest = $1 - u
          } END { print longest + 0 }' "$prefix.csv" "$prefix.server")
      fds=$(awk '$3 > most { most = $3 } END { print most + 0 }' "$prefix.server")
      lines=$(( $(log_lines "$server") - lines_before ))
      # polyserve's rate-limited lines say how many like them were held back: "(N similar lines for ADDRESS were
      # not logged)" with the next line, or "N similar lines for ADDRESS were not logged in the last 60 s".
      held=0
      if [ "$server" = polyserve ]; then
        held=$(tail -n +"$((lines_before + 1))" "$work/polyserve.log" | { grep -o '[0-9]* similar lines for' || true; } \
          | awk '{ n += $1 } END { print n + 0 }')
      fi
      # CSV: Seconds,Closed,Pending,Connected,Service Available (the last is 0 while the probe fails). When the server
      # closed everything, slowhttptest stops before writing a row with 0 connected.
      summary=$(awk -F, -v ended="$ended" 'NR > 1 {
          rows++; if ($5 > 0) up++; last = $1
          if ($4 > most) { most = $4; peak = $1 }
          if (most > 0 && $4 == 0 && closed == "") closed = $1
        } END {
          if (closed == "" && ended) closed = last
          printf "%.0f%% | %d | %s", 100 * up / rows, most, closed == "" ? "still open at the end" : closed " s"
        }' "$prefix.csv")
      echo "| $server | $mode | $n | $summary | $server_side | ${longest} s | $probe | $fds | $lines | $held | $load |"
      echo "bench/http: $server $mode $n: $summary, server side $server_side, held ${longest} s at most," \
        "probe $probe, $fds fds at most, $lines log lines ($held more held back)" >&2
      stop_server
      case $server in   # the whole log, shutdown included, beside the run's other files
        polyserve) cp "$work/polyserve.log" "$prefix.log" ;;
        nginx) cp "$work/nginx/error.log" "$prefix.log" 2>/dev/null || : >"$prefix.log" ;;
      esac
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
