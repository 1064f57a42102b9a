#!/usr/bin/env bash
# Starts real BGP peers on loopback that connect to the controller: up.sh NAME... (gobgp bird frr exabgp).
# Config, logs, pidfile and routes go to $TESTBED_DIR/NAME (default gobgp-testbed/.run/NAME). Routes
# announced earlier (announce.sh, also before up) are announced again at start. See README.md.
# up.sh --netns NAME...: the same peers, each in its own network namespace (host 1 runs the first NAME, host 2 the
# second, ...) on a bridge in a controller namespace; see netns-up.sh and README.md.
set -euo pipefail
if [ "${1:-}" = --netns ]; then
  shift
  [ $# -gt 0 ] || { echo "usage: up.sh --netns NAME..." >&2; exit 1; }
  here=$(dirname "$0")
  "$here/netns-up.sh" --hosts $# >/dev/null
  n=0
  for name in "$@"; do
    n=$((n + 1))
    "$here/netns-host.sh" "$n" up "$name"
  done
  exit 0
fi
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
[ $# -gt 0 ] || tb_die "usage: up.sh NAME... (gobgp bird frr exabgp)"
for name in "$@"; do
  tb_check_name "$name"
  # shellcheck source=/dev/null
  . "$TESTBED_HOME/lib/$name.sh"
  dir=$(tb_peer_dir "$name")
  mkdir -p "$dir"
  if pid=$(tb_own_pid "$name"); then
    tb_log "$name already running (pid $pid)"
    continue
  fi
  rm -f "$dir/pid"
  "${name}_up" "$dir"
  tb_log "$name up (pid $(cat "$dir/pid"), $(tb_var "$name" ADDR) AS $(tb_var "$name" ASN) → $CONTROLLER_ADDR:$CONTROLLER_PORT AS $CONTROLLER_ASN, next hops: $NEXTHOP_MODE, dir $dir)"
done
