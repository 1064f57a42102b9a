#!/usr/bin/env bash
# withdraw.sh NAME PREFIX: the peer withdraws PREFIX (and forgets it: a restart will not announce it again).
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
[ $# -eq 2 ] || tb_die "usage: withdraw.sh NAME PREFIX"
name=$1 prefix=$2
tb_check_name "$name"
# shellcheck source=/dev/null
. "$TESTBED_HOME/lib/$name.sh"
tb_routes_del "$name" "$prefix"
"${name}_withdraw" "$prefix"
