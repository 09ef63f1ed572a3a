# Shared by bench/http/*.sh (sourced): waiting for a server and stopping it. Uses $PORT and $server_pid.

wait_port() {  # path to fetch until it answers
  for _ in $(seq 1 200); do
    curl -fsSk -o /dev/null "${SCHEME:-http}://127.0.0.1:$PORT$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench/http: server did not come up on port $PORT" >&2
  return 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
