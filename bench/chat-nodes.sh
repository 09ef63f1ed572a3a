#!/usr/bin/env bash
# One chat room over N `polyserve serve chat` nodes sharing a redis-server of its own (loopback, a free port, no
# persistence), in the foreground until SIGTERM: what `bench/chat.sh --nodes N` measures as one server (one process
# group, so its CPU is every node's plus Redis's). Each node prints its own "listening on" line.
#
#   bench/chat-nodes.sh N [serve chat options...]      e.g. bench/chat-nodes.sh 2 --model nio --port 0 --no-console
set -euo pipefail
cd "$(dirname "$0")/.."
n=$1; shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/polyserve-chat-nodes.XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" &
pids=($!)
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait || true; rm -rf "$dir"; }
trap stop EXIT
trap 'exit 0' TERM INT
until redis-cli -p "$port" ping >/dev/null 2>&1; do
  kill -0 "${pids[0]}" 2>/dev/null || { echo "chat-nodes.sh: redis-server did not start: $(cat "$dir/redis.log")" >&2; exit 1; }
  sleep 0.1
done
for _ in $(seq 1 "$n"); do
  ./polyserve serve chat --bus "redis://127.0.0.1:$port" "$@" &
  pids+=($!)
done
wait
