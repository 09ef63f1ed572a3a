# Shared by bench/ftp/*.sh (sourced, after WORK is set): the servers a script started (add their PIDs to PIDS) are
# stopped and $WORK removed on exit (KEEP=1 keeps it); log writes a '# ' line to stderr.

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
log() { echo "# $*" >&2; }
