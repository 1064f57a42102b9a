# Shared settings and helpers for the gobgp-testbed scripts. Sourced, not executed.
# Every value can be overridden from the environment (see README.md).
# shellcheck shell=bash

TESTBED_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESTBED_DIR=${TESTBED_DIR:-$TESTBED_HOME/.run}

CONTROLLER_ADDR=${CONTROLLER_ADDR:-127.0.0.1}
CONTROLLER_PORT=${CONTROLLER_PORT:-1179}
CONTROLLER_ASN=${CONTROLLER_ASN:-65000}
# doc: next hops are documentation addresses (192.0.2.x / 2001:db8:ffff::x), attribute values only.
# self: the peer announces itself (its own address; IPv4-mapped IPv6 for v6 over v4 where the peer does that).
NEXTHOP_MODE=${NEXTHOP_MODE:-doc}
# Graceful-restart time advertised by the peers that support it (BIRD, FRR), seconds. Short for tests.
GR_TIME=${GR_TIME:-5}
# Hold time the peers propose (0 = the implementation's default).
HOLD_TIME=${HOLD_TIME:-0}
MD5_PASSWORD=${MD5_PASSWORD:-}
# BFD with the controller (BIRD: protocol bfd + `bfd on`): interval in ms (empty = off) and multiplier.
BFD_INTERVAL=${BFD_INTERVAL:-}
BFD_MULT=${BFD_MULT:-3}
# A network namespace to run the daemon and its TCP clients in (netns-host.sh sets it; empty = this one). The
# prefix is an array so `"${TB_IN_NS[@]}" daemon … &` still leaves the daemon's own PID in $! (nsenter execs it).
TB_NETNS=${TB_NETNS:-}
TB_IN_NS=()
if [ -n "$TB_NETNS" ]; then TB_IN_NS=(nsenter "--net=/run/netns/$TB_NETNS" --); fi

GOBGP_ADDR=${GOBGP_ADDR:-127.0.0.11}
GOBGP_ASN=${GOBGP_ASN:-65001}
GOBGP_PORT=${GOBGP_PORT:-1791}
GOBGP_GRPC_PORT=${GOBGP_GRPC_PORT:-50151}
BIRD_ADDR=${BIRD_ADDR:-127.0.0.12}
BIRD_ASN=${BIRD_ASN:-65002}
BIRD_PORT=${BIRD_PORT:-1792}
FRR_ADDR=${FRR_ADDR:-127.0.0.13}
FRR_ASN=${FRR_ASN:-65003}
FRR_PORT=${FRR_PORT:-1793}
EXABGP_ADDR=${EXABGP_ADDR:-127.0.0.14}
EXABGP_ASN=${EXABGP_ASN:-65004}

tb_die() {
  echo "gobgp-testbed: $*" >&2
  exit 1
}

tb_log() {
  echo "gobgp-testbed: $*" >&2
}

tb_check_name() {
  case "$1" in
    gobgp | bird | frr | exabgp) ;;
    *) tb_die "unknown peer '$1' (expected gobgp, bird, frr or exabgp)" ;;
  esac
}

# tb_var NAME FIELD → value of e.g. BIRD_ADDR
tb_var() {
  local v="${1^^}_$2"
  printf '%s' "${!v:-}"
}

tb_peer_dir() {
  printf '%s/%s' "$TESTBED_DIR" "$1"
}

# Last octet of an IPv4 address, used to derive documentation next hops.
tb_last_octet() {
  printf '%s' "${1##*.}"
}

# Default next hops of a peer in doc mode (overridable with e.g. BIRD_NEXTHOP4 / BIRD_NEXTHOP6).
tb_doc_nh4() {
  local o
  o=$(tb_var "$1" NEXTHOP4)
  [ -n "$o" ] && { printf '%s' "$o"; return; }
  printf '192.0.2.%s' "$(tb_last_octet "$(tb_var "$1" ADDR)")"
}

tb_doc_nh6() {
  local o
  o=$(tb_var "$1" NEXTHOP6)
  [ -n "$o" ] && { printf '%s' "$o"; return; }
  printf '2001:db8:ffff::%s' "$(tb_last_octet "$(tb_var "$1" ADDR)")"
}

tb_is_v6() {
  [[ "$1" == *:* ]]
}

# Next hop for a prefix given the optional explicit one: prints an address, or "self".
tb_resolve_nh() {
  local name=$1 prefix=$2 nh=${3:-}
  if [ -n "$nh" ]; then
    printf '%s' "$nh"
  elif [ "$NEXTHOP_MODE" = self ]; then
    printf 'self'
  elif tb_is_v6 "$prefix"; then
    tb_doc_nh6 "$name"
  else
    tb_doc_nh4 "$name"
  fi
}

# Routes of a peer live in DIR/routes, one "PREFIX NEXTHOP" per line (NEXTHOP is an address or "self"),
# so they survive down/up (a restarted peer re-announces them).
tb_routes_file() {
  printf '%s/routes' "$(tb_peer_dir "$1")"
}

tb_routes_set() {
  local f
  f=$(tb_routes_file "$1")
  mkdir -p "$(dirname "$f")"
  touch "$f"
  awk -v p="$2" '$1 != p' "$f" >"$f.tmp"
  echo "$2 $3" >>"$f.tmp"
  mv "$f.tmp" "$f"
}

tb_routes_del() {
  local f
  f=$(tb_routes_file "$1")
  [ -f "$f" ] || return 0
  awk -v p="$2" '$1 != p' "$f" >"$f.tmp"
  mv "$f.tmp" "$f"
}

tb_pid_alive() {
  local pidfile=$1 pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# The pid of a peer we started, only if the process is still the one we started (its command line names
# our config directory), so a recycled PID is never signalled.
tb_own_pid() {
  local name=$1 dir pidfile pid
  dir=$(tb_peer_dir "$name")
  pidfile="$dir/pid"
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -F "$dir" || return 1
  printf '%s' "$pid"
}

# Waits until "$@" succeeds, up to $TB_WAIT seconds (default 30: loaded CI machines). Returns 1 on timeout.
tb_wait() {
  local deadline=$((SECONDS + ${TB_WAIT:-30}))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}
