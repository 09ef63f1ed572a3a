# Shared by bench/http/*.sh (sourced): waiting for a server and stopping it. Uses $PORT and $server_pid.

wait_port() {  # path to fetch until it answers
  for _ in $(seq 1 200); do
    curl -fsSk -o /dev/null "${SCHEME:-http}://127.0.0.1:$PORT$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench/http: server did not come up on port $PORT" >&2
  return 1
}

STOP_GRACE=${STOP_GRACE:-20}   # seconds a server gets to stop on SIGTERM before SIGKILL

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  # A JVM that ran out of memory may never run its shutdown hooks: do not wait for it for ever.
  for _ in $(seq 1 $((STOP_GRACE * 10))); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    echo "bench/http: server $server_pid ignored SIGTERM for ${STOP_GRACE}s; killed" >&2
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
