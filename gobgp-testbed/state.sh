#!/usr/bin/env bash
# state.sh NAME...: one line per peer, "NAME STATE" where STATE is the peer's view of its session with the
# controller ("established", "active", "connect", ...) or "stopped" when our process is not running.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
[ $# -gt 0 ] || set -- gobgp bird frr exabgp
for name in "$@"; do
  tb_check_name "$name"
  # shellcheck source=/dev/null
  . "$TESTBED_HOME/lib/$name.sh"
  if tb_own_pid "$name" >/dev/null; then
    echo "$name $("${name}_state")"
  else
    echo "$name stopped"
  fi
done
