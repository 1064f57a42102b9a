#!/usr/bin/env bash
# The BGP daemon of host N in a netns testbed: the loopback testbed's own scripts (up.sh, down.sh, announce.sh,
# withdraw.sh, state.sh and lib/*.sh), run inside the host's namespace with the host's address.
#   netns-host.sh N up KIND [PREFIX...]   KIND = bird | gobgp | frr | exabgp; PREFIXes announced with next hop self
#   netns-host.sh N announce PREFIX [NH]  (NH default self: the host's own address)
#   netns-host.sh N withdraw PREFIX
#   netns-host.sh N down [--kill]         SIGTERM (NOTIFICATION where the daemon sends one) or SIGKILL (a crash)
#   netns-host.sh N restart [--kill]      down, then up with the same routes; BIRD restarts in graceful-restart
#                                         recovery (-R), FRR always advertises it: the controller keeps the routes
#   netns-host.sh N freeze | thaw         SIGSTOP / SIGCONT: the process lives, its kernel still ACKs, nothing is sent
#   netns-host.sh N state                 the daemon's view of its session ("established", ...), "frozen" or "stopped"
#   netns-host.sh N pid                   the daemon's PID
# One daemon per host; its config, logs, pidfile and routes are in $NB_DIR/hostN/KIND/. The daemon listens on port
# 179 of the host's address and connects to the controller at 198.18.0.1:CONTROLLER_PORT, AS 65000+N.
set -euo pipefail
# shellcheck source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
nb_require_run

N=${1:-}
cmd=${2:-}
[[ "$N" =~ ^[0-9]+$ ]] && [ -n "$cmd" ] || nb_die "usage: netns-host.sh N up|announce|withdraw|down|restart|freeze|thaw|state|pid [...]"
shift 2
nb_ns_exists "$(nb_host_ns "$N")" || nb_die "no namespace $(nb_host_ns "$N") (netns-up.sh --hosts $N first)"
hdir=$(nb_host_dir "$N")
mkdir -p "$hdir"
kind=$(cat "$hdir/kind" 2>/dev/null || true)

# The loopback testbed's settings for this host's daemon.
host_env() {
  local k=${1^^}
  export TESTBED_DIR=$hdir TB_NETNS=$(nb_host_ns "$N") CONTROLLER_ADDR=$NB_CTL4 CONTROLLER_PORT CONTROLLER_ASN
  export NEXTHOP_MODE=self "${k}_ADDR=$(nb_host4 "$N")" "${k}_ASN=$(nb_host_asn "$N")" "${k}_PORT=179"
  # IPv6 next hop self: the host's own IPv6 address (BIRD must be told one; it refuses IPv4-mapped ones).
  export "${k}_NEXTHOP6=$(nb_host6 "$N")"
  # gRPC of gobgpd on the host's own address: reachable only inside its namespace, where the CLI runs too.
  export GOBGP_GRPC_PORT=50051
}
tb() { host_env "$kind" && "$NB_HOME/$1" "${@:2}"; }
daemon_pid() {
  [ -n "$kind" ] || return 1
  nb_own_pid "$hdir/$kind/pid" "$hdir/$kind"
}
need_kind() { [ -n "$kind" ] || nb_die "no daemon was started in host $N"; }

case "$cmd" in
  up)
    k=${1:-}
    case "$k" in bird | gobgp | frr | exabgp) ;; *) nb_die "KIND must be bird, gobgp, frr or exabgp" ;; esac
    shift
    if [ -n "$kind" ] && [ "$kind" != "$k" ]; then tb down.sh "$kind"; fi
    kind=$k
    echo "$kind" >"$hdir/kind"
    for p in "$@"; do tb announce.sh "$kind" "$p" self; done
    tb up.sh "$kind"
    ;;
  announce) need_kind && tb announce.sh "$kind" "$@" ;;
  withdraw) need_kind && tb withdraw.sh "$kind" "$@" ;;
  down) [ -z "$kind" ] || tb down.sh "$@" "$kind" ;;
  restart)
    need_kind
    tb down.sh "$@" "$kind"
    TESTBED_GR_RECOVERY=1 tb up.sh "$kind"
    ;;
  freeze | thaw)
    pid=$(daemon_pid) || nb_die "no daemon running in host $N"
    if [ "$cmd" = freeze ]; then kill -s STOP "$pid"; else kill -s CONT "$pid"; fi
    ;;
  state)
    if pid=$(daemon_pid); then
      if [ "$(awk '{print $3}' "/proc/$pid/stat")" = T ]; then echo frozen; else tb state.sh "$kind" | awk '{print $2}'; fi
    else
      echo stopped
    fi
    ;;
  pid) daemon_pid ;;
  *) nb_die "unknown command $cmd" ;;
esac
