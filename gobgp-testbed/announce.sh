#!/usr/bin/env bash
# announce.sh NAME PREFIX [NEXTHOP]: the peer announces PREFIX (again, with a new next hop if it changed).
# NEXTHOP: an address, or "self"; default from NEXTHOP_MODE (doc: 192.0.2.x / 2001:db8:ffff::x, x = the last
# octet of the peer's address; self: the peer's own address). Recorded in $TESTBED_DIR/NAME/routes, so it also
# works before up.sh and survives a restart of the peer.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh"
[ $# -ge 2 ] || tb_die "usage: announce.sh NAME PREFIX [NEXTHOP|self]"
name=$1 prefix=$2
tb_check_name "$name"
# shellcheck source=/dev/null
. "$TESTBED_HOME/lib/$name.sh"
nh=$(tb_resolve_nh "$name" "$prefix" "${3:-}")
tb_routes_set "$name" "$prefix" "$nh"
"${name}_announce" "$prefix" "$nh"
