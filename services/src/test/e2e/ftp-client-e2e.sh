#!/usr/bin/env bash
# End-to-end check of polyserve's own FTP client (`polyserve ftp HOST PORT`) driven as a person would, at a real
# terminal: tmux runs it in an 80-column pane, keys go in with send-keys, the screen comes back with capture-pane.
# Against a real `polyserve serve ftp`: a wrong password then the right one, names with spaces up and down
# byte-identical, mkdir/rename/rm seen in the server's directory, Ctrl-C in the middle of a big download then reget
# completing it byte-identical (in a pane narrowed to 40 columns), no progress bar line ever wider than the pane, and
# Ctrl-C in the middle of a long listing giving the prompt back. Then a second session by an ftps:// URL (implicit
# FTPS, the certificate trusted with --ca): a file up and down byte-identical and the long listing cancelled over TLS.
# Last a one-shot get with stderr into a file: one summary line there, no progress bar redraws.
#
#   services/src/test/e2e/ftp-client-e2e.sh
#
# Env: POLYSERVE  command that runs polyserve (default: ./polyserve in the repository root)
#      KEEP=1     keep the work directory (and the screen captures) for inspection
# Needs tmux (installed with apt-get when running as root; otherwise the script skips). Every wait is on a
# condition with a deadline. Exit status: 0 when no check failed, 1 otherwise.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../../../.." && pwd)
POLYSERVE=${POLYSERVE:-$REPO/polyserve}
WORK=$(mktemp -d /tmp/polyserve-ftp-client-e2e.XXXXXX)
PASS=0; FAIL=0; SKIP=0
SERVER_PID=""
USER_NAME=e2e
USER_PW='right pass'
ITERATIONS=20000          # fewer PBKDF2 rounds than the default, only to keep CI quick
WIDTH=80                  # the pane's columns: the classic terminal, where a bar must not wrap
DEADLINE=60               # seconds any one wait may take before it counts as failed
BIG_MIB=24                # the download to interrupt: at RATE it takes BIG_MIB/RATE_MIB seconds
RATE_MIB=4                # the server's --max-download-rate, so Ctrl-C lands mid-transfer on any machine
MANY=10000                # entries in the directory whose listing is cancelled, the most the server lists
                          # (FtpSession.MAX_LISTING_ENTRIES): a listing is not rate-limited, but printing this many
                          # lines in a pane takes seconds, far longer than the Ctrl-C takes to land
TMUX_SOCK="polyserve-ftp-client-e2e-$$"   # a private tmux server: nothing else's sessions are touched

tm() { tmux -L "$TMUX_SOCK" "$@"; }

cleanup() {
  tm kill-server 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ok()   { PASS=$((PASS + 1)); echo "  PASS  $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "  FAIL  $*"; }
sha()  { sha256sum "$1" | cut -d' ' -f1; }
same() { # same FILE1 FILE2 WHAT
  if [ -f "$1" ] && [ -f "$2" ] && [ "$(sha "$1")" = "$(sha "$2")" ]; then ok "$3"; else bad "$3 (sha256 differs or file missing: $1 vs $2)"; fi
}

if ! command -v tmux >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null 2>&1
  fi
  command -v tmux >/dev/null 2>&1 || { echo "  SKIP  tmux is not installed"; exit 0; }
fi

# The whole screen, scrollback included, wrapped lines joined (-J): a bar that wrapped shows as one long line.
screen() { tm capture-pane -p -J -S - -t ftp; }

# wait_for TEXT [COUNT]: until TEXT is on the screen COUNT times (default 1); 1 on timeout.
wait_for() {
  local text=$1 count=${2:-1} deadline=$((SECONDS + DEADLINE))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(screen | grep -cF -- "$text")" -ge "$count" ] && return 0
    tm has-session -t ftp 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# wait_until WHAT COMMAND...: until COMMAND succeeds; 1 on timeout.
wait_until() {
  local deadline=$((SECONDS + DEADLINE))
  while [ $SECONDS -lt $deadline ]; do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# The shell is reading (JLine has the terminal in raw mode) when the screen's last line is a bare prompt. Keys sent
# earlier reach a terminal in cooked mode, which echoes them and splits escape sequences (the up arrow) apart.
at_prompt() { [ "$(tm capture-pane -p -t ftp | grep -v '^ *$' | tail -1)" = "${1:-ftp:/>}" ]; }
type_line() { # type_line TEXT [PROMPT]: waits for PROMPT (default the shell's) as the last line, then types TEXT
  wait_until at_prompt "${2:-ftp:/>}" || { bad "no prompt '${2:-ftp:/>}' before typing: $1"; return 1; }
  tm send-keys -t ftp -l -- "$1"; tm send-keys -t ftp Enter
}

# cancel_listing WHAT: types "ls many", presses Ctrl-C once entries show, and checks the listing stopped there and the
# prompt came back. A listing that ended before the Ctrl-C landed (a machine printing 10,000 lines in a blink) is a
# SKIP, not a pass: the cancel was not exercised.
cancel_listing() {
  type_line "ls many"
  if ! wait_for "entry-"; then bad "$1: no entries shown"; return; fi
  tm send-keys -t ftp C-c
  listing_over() { screen | grep -qF "list cancelled after" || at_prompt; }
  if ! wait_until listing_over; then bad "$1: neither 'list cancelled' nor a prompt"; screen | tail -4 | sed 's/^/    | /'; return; fi
  if screen | grep -qF "list cancelled after"; then
    ok "$1: $(screen | grep -oE 'list cancelled after [0-9]+ entr[a-z]*' | tail -1) of $MANY"
  else
    SKIP=$((SKIP + 1)); echo "  SKIP  $1: the listing ended before the Ctrl-C landed"
  fi
  if tm list-panes -t ftp -F '#{pane_dead}' | grep -qx 0; then ok "$1: the client is still running"; else bad "$1: the client exited"; fi
}

# Checks one step: check WHAT TEXT [COUNT] waits for TEXT on the screen.
check() {
  if wait_for "$2" "${3:-1}"; then ok "$1"; else bad "$1 (no '$2' on the screen)"; screen | tail -8 | sed 's/^/    | /'; fi
}

# Progress bar lines (they end in a rate or an ETA) on the screen: each at most WIDTH-1 columns (the last column wraps
# on some terminals). Messages may wrap like any text; a bar redrawn in place must not.
bar_lines() { screen | grep -E '(B/s|ETA [0-9]+:[0-9]{2}) *$'; }
BARS_SEEN=0
bars_fit() {
  local lines longest
  lines=$(bar_lines)
  [ -n "$lines" ] && BARS_SEEN=$((BARS_SEEN + 1))
  longest=$(printf '%s\n' "$lines" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
  [ "$longest" -lt "$WIDTH" ] || { echo "    too wide ($longest columns):"; printf '%s\n' "$lines" | awk -v w="$WIDTH" 'length($0) >= w' | head -2 | sed 's/^/    | /'; return 1; }
}

ROOT="$WORK/root"; LOCAL="$WORK/local"
mkdir -p "$ROOT/many" "$LOCAL"
(cd "$ROOT/many" && seq -f 'entry-%06g' 1 "$MANY" | xargs touch)
head -c $((BIG_MIB * 1024 * 1024 + 4321)) /dev/urandom >"$ROOT/big file.bin"
printf 'a file whose name has spaces\n' >"$LOCAL/my file.txt"

echo "== ftp client e2e (tmux, ${WIDTH} columns)"
printf '%s\n' "$USER_PW" | "$POLYSERVE" ftp-user add "$USER_NAME" --home . --write --users "$WORK/users" \
    --password-stdin --iterations "$ITERATIONS" >/dev/null 2>"$WORK/ftp-user.log" || { bad "ftp-user add"; cat "$WORK/ftp-user.log"; exit 1; }
"$POLYSERVE" cert --out "$WORK/c" >/dev/null 2>&1 && [ -f "$WORK/c/cert.pem" ] || { bad "polyserve cert"; exit 1; }

BASE_PORT=$((10000 + (RANDOM % 190) * 100))
"$POLYSERVE" serve ftp --port 0 --root "$ROOT" --users "$WORK/users" --passive-ports "$BASE_PORT-$((BASE_PORT + 49))" \
    --max-download-rate "${RATE_MIB}M" --tls-cert "$WORK/c/cert.pem" --tls-key "$WORK/c/key.pem" --implicit-tls-port 0 \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
port_known() {
  PORT=$(grep -o 'listening on [0-9.]*:[0-9]*' "$WORK/server.log" 2>/dev/null | head -1 | sed 's/.*://')
  IPORT=$(grep -o 'implicit TLS on [0-9.]*:[0-9]*' "$WORK/server.log" 2>/dev/null | head -1 | sed 's/.*://')
  [ -n "$PORT" ] && [ -n "$IPORT" ]
}
if ! wait_until port_known; then bad "server did not start"; sed 's/^/    /' "$WORK/server.log" | head -5; exit 1; fi

# The pane runs a bash that traps SIGINT (a waiting sh without a trap would die of Ctrl-C; the client, whose handler
# the trap does not touch, gets it too) and writes the client's exit status to a file when it ends: tmux's
# #{pane_dead_status} came back empty on some machines even for a pane that had exited. remain-on-exit keeps the
# pane (dead or alive) for the checks.
STATUS_FILE="$WORK/client.status"
start_client() { # start_client ARGS...: polyserve ftp ARGS in a fresh session "ftp" (each ARG without quotes or spaces)
  rm -f "$STATUS_FILE"
  tm kill-session -t ftp 2>/dev/null
  tm new-session -d -s ftp -x "$WIDTH" -y 30 \
     "exec bash -c 'trap : INT; cd \"$LOCAL\" && \"$POLYSERVE\" ftp $*; echo \$? > \"$STATUS_FILE\"'" \; \
     set-option -w -t ftp remain-on-exit on >/dev/null
}
start_client 127.0.0.1 "$PORT"

check "the client connects and shows the greeting before asking" "220 "
check "then asks for the name" "Name (empty for anonymous):"
type_line "$USER_NAME" "Name (empty for anonymous):"
check "asks for the password" "Password:"
type_line "not the password" "Password:"
check "a wrong password is refused with the server's reply" "Login incorrect: 530"
check "and asked again" "Password:" 2
type_line "$USER_PW" "Password:"
check "the right one logs in" "230 "
check "the shell prompts" "ftp:/>"
# Up at the first prompt would recall the password if it had gone into the history; Ctrl-C drops the line and a new
# prompt comes, which is when the screen is looked at.
wait_until at_prompt && tm send-keys -t ftp Up C-c
check "Ctrl-C at the prompt gives a fresh prompt" "ftp:/>" 2
if screen | grep -qF "$USER_PW"; then bad "the password was echoed or recalled"; else ok "the password is neither echoed nor in the history"; fi

type_line 'put "my file.txt"'
check "put of a name with spaces" "uploaded my file.txt"
same "$LOCAL/my file.txt" "$ROOT/my file.txt" "the server has it byte-identical"

type_line "mkdir 'new dir'"
wait_until test -d "$ROOT/new dir" && ok "mkdir made the server's directory" || bad "mkdir: no $ROOT/new dir"
type_line 'rename my\ file.txt "new dir/moved file.txt"'
wait_until test -f "$ROOT/new dir/moved file.txt" && [ ! -e "$ROOT/my file.txt" ] && ok "rename moved it on the server" \
  || bad "rename: $ROOT/new dir/moved file.txt missing or the old name left"
type_line 'get "new dir/moved file.txt" "back again.txt"'
check "get of a name with spaces" "saved back again.txt ("
same "$LOCAL/my file.txt" "$LOCAL/back again.txt" "downloaded byte-identical"
type_line 'rm "new dir/moved file.txt"'
wait_until test ! -e "$ROOT/new dir/moved file.txt" && ok "rm deleted it on the server" || bad "rm: the file is still there"

# Up arrow: the history recalls the last line (the rm), which now fails: the server's reply proves it ran again.
wait_until at_prompt && tm send-keys -t ftp Up Enter
check "the up arrow recalls the last command" "rm new dir/moved file.txt refused: 550"

type_line 'get "big file.bin"'
# Until 2 MiB are in the part file, each look at the screen checks the bar being drawn.
WIDE=0
part_started() {
  bars_fit || WIDE=1
  [ -f "$LOCAL/big file.bin.part" ] && [ "$(stat -c %s "$LOCAL/big file.bin.part")" -gt $((2 * 1024 * 1024)) ]
}
if wait_until part_started; then ok "the download is under way into big file.bin.part"; else bad "no growing big file.bin.part"; fi
[ "$WIDE" = 0 ] && [ "$BARS_SEEN" -gt 0 ] && ok "the bar was drawn ($BARS_SEEN looks) and always fit the ${WIDTH}-column pane" \
  || bad "bar lines: seen $BARS_SEEN times, too wide: $WIDE"
tm send-keys -t ftp C-c
check "Ctrl-C cancels the transfer, not the client" "cancelled at"
if tm list-panes -t ftp -F '#{pane_dead}' | grep -qx 0; then ok "the client is still running"; else bad "the client exited on Ctrl-C"; fi
[ -f "$LOCAL/big file.bin.part" ] && [ ! -e "$LOCAL/big file.bin" ] && ok "the part is kept (default), no whole-looking file" \
  || bad "after Ctrl-C: expected only big file.bin.part"
kept=$(stat -c %s "$LOCAL/big file.bin.part" 2>/dev/null || echo 0)
total=$(stat -c %s "$ROOT/big file.bin")
[ "$kept" -gt 0 ] && [ "$kept" -lt "$total" ] && ok "the part holds $kept of $total bytes" || bad "part size $kept of $total"

# The resume runs in a pane narrowed to 40 columns: the client measures the terminal anew for each transfer.
WIDTH=40
tm resize-window -t ftp -x "$WIDTH" -y 30
type_line 'reget "big file.bin"'
BARS_SEEN=0; WIDE=0
regot() { bars_fit || WIDE=1; screen | grep -qF "saved big file.bin ("; }
if wait_until regot; then ok "reget completes the download"; else bad "reget: no 'saved big file.bin' on the screen"; screen | tail -5; fi
[ "$WIDE" = 0 ] && [ "$BARS_SEEN" -gt 0 ] && ok "the resumed bar was drawn ($BARS_SEEN looks) and fit the ${WIDTH}-column pane" \
  || bad "resumed bar lines: seen $BARS_SEEN times, too wide: $WIDE"
same "$ROOT/big file.bin" "$LOCAL/big file.bin" "the resumed download is byte-identical"
[ ! -e "$LOCAL/big file.bin.part" ] && ok "the part is gone once whole" || bad "big file.bin.part left after reget"
screen | grep -qF "resumed at" && ok "the summary says where it resumed" || bad "no 'resumed at' in the summary"

cancel_listing "Ctrl-C during a long listing cancels it"
type_line 'ls "new dir"'
check "the next command runs: the control connection is in step" "(empty)"

type_line "quit"
exited() { [ -s "$STATUS_FILE" ]; }
if wait_until exited && [ "$(cat "$STATUS_FILE")" = 0 ]; then ok "quit exits 0"; else bad "quit: the client did not exit 0 (status $(cat "$STATUS_FILE" 2>/dev/null))"; screen | tail -4 | sed "s/^/    | /"; fi
[ "${KEEP:-0}" = 1 ] && screen >"$WORK/screen.txt"

# A new client: an ftps:// URL names the user, so only the password is asked.
echo "== ftps:// (implicit FTPS on port $IPORT)"
start_client --ca "$WORK/c/cert.pem" "ftps://$USER_NAME@localhost:$IPORT/"
check "an ftps:// URL connects with TLS first and shows the greeting" "220 "
type_line "$USER_PW" "Password:"
check "the password logs in over TLS" "230 "
check "and the data connections are protected too" "TLS on: commands, listings and files are encrypted (PROT P)"
type_line 'put "back again.txt" "over tls.txt"'
check "put over TLS" "uploaded over tls.txt"
same "$LOCAL/back again.txt" "$ROOT/over tls.txt" "the server has it byte-identical"
cancel_listing "over TLS, Ctrl-C during the long listing cancels it"
type_line 'get "over tls.txt" "back over tls.txt"'
check "get over TLS after the cancelled listing" "saved back over tls.txt ("
same "$ROOT/over tls.txt" "$LOCAL/back over tls.txt" "downloaded over TLS byte-identical"
type_line "quit"
if wait_until exited && [ "$(cat "$STATUS_FILE")" = 0 ]; then ok "quit exits 0"; else bad "quit: the ftps client did not exit 0 (status $(cat "$STATUS_FILE" 2>/dev/null))"; screen | tail -4 | sed "s/^/    | /"; fi
[ "${KEEP:-0}" = 1 ] && screen >"$WORK/screen-ftps.txt"

# A one-shot get at the terminal with stderr into a file: stdout is the pane, but the bar goes to stderr, so the file
# gets the one summary line and no redraws.
echo "== one-shot get, stderr to a file"
start_client get -o one-shot.bin "ftp://$USER_NAME:${USER_PW// /%20}@127.0.0.1:$PORT/big%20file.bin" "2>$WORK/get.err"
if wait_until exited && [ "$(cat "$STATUS_FILE")" = 0 ]; then ok "get exits 0"; else bad "get: status $(cat "$STATUS_FILE" 2>/dev/null)"; fi
same "$ROOT/big file.bin" "$LOCAL/one-shot.bin" "the one-shot download is byte-identical"
if [ "$(wc -l <"$WORK/get.err")" = 1 ] && ! grep -q $'\r' "$WORK/get.err" && grep -q '^saved one-shot.bin (' "$WORK/get.err"; then
  ok "stderr not a terminal: one summary line, no bar"
else
  bad "stderr not a terminal: expected one 'saved' line, got $(wc -l <"$WORK/get.err") lines, $(tr -cd '\r' <"$WORK/get.err" | wc -c) redraws"
fi

echo "== ftp client e2e: $PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
