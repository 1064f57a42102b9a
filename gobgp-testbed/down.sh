#!/usr/bin/env bash
# Stops peers started by up.sh: down.sh [--kill] NAME... Only the PIDs in our pidfiles, and only while the
# process is still the one we started. Default SIGTERM (the peer closes with a NOTIFICATION where it does);
# --kill sends SIGKILL at once (a crash: TCP close, no NOTIFICATION, as graceful-restart tests need).
# down.sh --netns [--stale]: tears down the network-namespace testbed (netns-down.sh).
set -euo pipefail
if [ "${1:-}" = --netns ]; then
  shift
  exec "$(dirname "$0")/netns-down.sh" "$@"
fi
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
sig=TERM
if [ "${1:-}" = --kill ]; then sig=KILL; shift; fi
[ $# -gt 0 ] || tb_die "usage: down.sh [--kill] NAME..."
for name in "$@"; do
  tb_check_name "$name"
  dir=$(tb_peer_dir "$name")
  if ! pid=$(tb_own_pid "$name"); then
    rm -f "$dir/pid"
    continue
  fi
  kill -s "$sig" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + ${TB_STOP_WAIT:-10}))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      tb_log "$name (pid $pid) ignored SIG$sig, sending SIGKILL"
      kill -s KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 5))
      sig=KILL
    fi
    sleep 0.05
  done
  rm -f "$dir/pid" "$dir/bgpd.pid"
  tb_log "$name down (pid $pid, SIG$sig)"
done
