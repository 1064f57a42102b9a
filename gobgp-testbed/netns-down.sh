#!/usr/bin/env bash
# Tears a netns testbed down: netns-down.sh [--stale]
#   1. stops every process this run recorded (pidfiles under $NB_DIR, only while the process still names its
#      directory; SIGTERM, or NB_DOWN_SIG=KILL for a fast teardown)
#   2. deletes exactly the namespaces listed in $NB_DIR/manifest, hosts first, then the run directory's state
# --stale: instead, runs whose owner process died without cleaning up (a killed test): their run directories
#   (/tmp/b2v-netns-*, or NB_STALE_DIRS) get steps 1 and 2, and namespaces named b2v-* whose lo carries our
#   marker with a dead, non-zero owner are deleted. A testbed built by hand (owner 0) or by a live process is
#   never touched, nor is anything without our marker. Idempotent.
set -uo pipefail
# shellcheck source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
t0=$(nb_ms)

del_ns() {
  local ns=$1 pids
  [ -e "/run/netns/$ns" ] || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  # Not ours to kill (only recorded PIDs are): report; the namespace lives on, unnamed, until they exit.
  [ -n "$pids" ] && nb_log "warning: processes still in $ns: $pids (not recorded by this testbed)"
  ip netns del "$ns" 2>/dev/null || true
}

# Steps 1 and 2 for one run directory.
down_dir() {
  local d=$1 kind name
  [ -d "$d" ] || return 0
  while IFS= read -r pidfile; do
    nb_stop_dir "$(dirname "$pidfile")" "${NB_DOWN_SIG:-TERM}" &
  done < <(find "$d" -name pid -type f 2>/dev/null)
  wait
  if [ -f "$d/manifest" ]; then
    # hosts first, the controller (bridge) last: fewer bridge port events
    tac "$d/manifest" | while read -r kind name; do
      case "$kind" in
        netns) del_ns "$name" ;;
      esac
    done
    rm -f "$d/manifest" "$d/run-id" "$d/owner"
  fi
}

if [ "${1:-}" != --stale ]; then
  down_dir "$NB_DIR"
  nb_log "down: run ${NB_RUN_ID:-(none)}, $(($(nb_ms) - t0)) ms"
  exit 0
fi

# shellcheck disable=SC2206
dirs=(${NB_STALE_DIRS:-${TMPDIR:-/tmp}/b2v-netns-*})
for d in "${dirs[@]}"; do
  [ -d "$d" ] && [ -f "$d/owner" ] || continue
  owner=$(cat "$d/owner")
  [ "$owner" != 0 ] && ! nb_owner_alive "$owner" || continue
  nb_log "stale run directory $d (owner $owner gone)"
  down_dir "$d"
  rm -rf "$d"
done
for f in /run/netns/b2v-*; do
  [ -e "$f" ] || continue
  ns=$(basename "$f")
  alias=$(ip -n "$ns" -o link show lo 2>/dev/null | grep -oE "alias $NB_MARK:owner=[0-9]+" || true)
  [ -n "$alias" ] || continue
  owner=${alias##*owner=}
  [ "$owner" != 0 ] && ! nb_owner_alive "$owner" || continue
  nb_log "stale namespace $ns (owner $owner gone)"
  del_ns "$ns"
done
nb_log "down --stale: $(($(nb_ms) - t0)) ms"
