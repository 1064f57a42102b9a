#!/usr/bin/env bash
# Faults of a netns testbed. Every change is inside the run's own namespaces, never in the root namespace.
#   netns-fault.sh link-down N [host|bridge]  host (default): eth0 down inside host N (its NIC dies, its kernel
#                                             knows). bridge: its bridge port down (cable pulled: the host keeps its
#                                             address and sees NO-CARRIER). Both are silence for the controller.
#   netns-fault.sh link-up N [host|bridge]
#   netns-fault.sh partition N                every frame between host N and the rest dropped, both ways, links up:
#                                             nft (bridge family, in the controller namespace) when installed, else
#                                             the bridge port's STP state "disabled" (NB_PARTITION=nft|port forces one)
#   netns-fault.sh heal N                     undo partition and loss
#   netns-fault.sh loss N PCT                 random drop of PCT % of frames each way (nft numgen; no netem needed)
#   netns-fault.sh netem N ARGS...            delay/jitter/loss/reorder/duplicate on host N's link, e.g.
#                                             "delay 100ms 20ms loss 5% reorder 25%": the userspace wire for hosts
#                                             built with --wire, else tc netem on both ends; exit 3 when neither
#   netns-fault.sh netem-clear N
#   netns-fault.sh clear N                    every fault of host N undone
#   netns-fault.sh ctl-port-block PORT        partition between the controller and a service it reaches on its own
#                                             loopback at tcp PORT (the EC2 endpoint through the loopback bridge):
#                                             every segment to or from PORT dropped, so calls hang, as on a lost path
#   netns-fault.sh ctl-port-unblock PORT
# Freezing, restarting or killing a host's daemon: netns-host.sh.
set -euo pipefail
# shellcheck source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"
nb_require_run

cmd=${1:-}
arg=${2:-}
[ -n "$cmd" ] && [[ "$arg" =~ ^[0-9]+$ ]] || nb_die "usage: netns-fault.sh COMMAND N|PORT [...] (see the header)"
T=b2v_fault
nft_ctl() { nsenter --net="/run/netns/$NB_CTL" -- nft "$@"; }
have_nft() { command -v nft >/dev/null 2>&1; }

# Controller ↔ local service (EC2): an inet table with the blocked ports in a set.
case "$cmd" in
  ctl-port-block)
    have_nft || nb_die "ctl-port-block needs nft (apt-get install nftables)"
    nft_ctl list table inet b2v_ctl >/dev/null 2>&1 || nft_ctl -f - <<EON
table inet b2v_ctl {
  set blocked { type inet_service; }
  chain b2v_out { type filter hook output priority 0; policy accept;
    tcp dport @blocked drop
    tcp sport @blocked drop
  }
}
EON
    nft_ctl add element inet b2v_ctl blocked "{ $arg }"
    exit 0
    ;;
  ctl-port-unblock)
    have_nft && nft_ctl list table inet b2v_ctl >/dev/null 2>&1 || exit 0
    nft_ctl delete element inet b2v_ctl blocked "{ $arg }" 2>/dev/null || true
    exit 0
    ;;
esac

N=$arg
NS=$(nb_host_ns "$N")
PORT=$(nb_host_port "$N")
nb_ns_exists "$NS" || nb_die "no namespace $NS"

partition_mode() {
  case "${NB_PARTITION:-}" in
    nft | port) echo "$NB_PARTITION" ;;
    *) if have_nft; then echo nft; else echo port; fi ;;
  esac
}

# One bridge-family table in the controller namespace; partitioned ports are elements of a set. (nft's chain
# names "in" and "fwd" are keywords, hence the b2v_ names.)
nft_table() {
  nft_ctl list table bridge $T >/dev/null 2>&1 && return 0
  nft_ctl -f - <<EON
table bridge $T {
  set partitioned { type ifname; }
  chain b2v_fwd { type filter hook forward priority 0; policy accept;
    iifname @partitioned drop
    oifname @partitioned drop
  }
  chain b2v_in { type filter hook input priority 0; policy accept;
    iifname @partitioned drop
  }
  chain b2v_out { type filter hook output priority 0; policy accept;
    oifname @partitioned drop
  }
}
EON
}

# Deletes the rules commented "loss PORT" from every chain.
loss_del() {
  have_nft && nft_ctl list table bridge $T >/dev/null 2>&1 || return 0
  local chain h
  for chain in b2v_fwd b2v_in b2v_out; do
    for h in $(nft_ctl -a list chain bridge $T $chain | awk -v c="\"loss $PORT\"" '$0 ~ c {print $NF}'); do
      nft_ctl delete rule bridge $T $chain handle "$h"
    done
  done
}

wire_pid() { nb_own_pid "$(nb_host_dir "$N")/wire/pid" "$(nb_host_dir "$N")/wire"; }

case "$cmd" in
  link-down | link-up)
    state=down
    [ "$cmd" = link-up ] && state=up
    if [ "${3:-host}" = bridge ]; then
      ip -n "$NB_CTL" link set "$PORT" "$state"
    else
      ip -n "$NS" link set eth0 "$state"
      # The static neighbour entries go with the link; put them back.
      if [ "$state" = up ] && [ "$NB_STATIC_NEIGH" = 1 ]; then
        ip -n "$NS" neigh replace "$NB_CTL4" lladdr "$(nb_mac 0)" dev eth0 nud permanent
        ip -n "$NS" neigh replace "$NB_CTL6" lladdr "$(nb_mac 0)" dev eth0 nud permanent
      fi
    fi
    ;;
  partition)
    if [ "$(partition_mode)" = nft ]; then
      nft_table
      nft_ctl add element bridge $T partitioned "{ \"$PORT\" }"
    else
      nsenter --net="/run/netns/$NB_CTL" -- bridge link set dev "$PORT" state 0
    fi
    ;;
  heal)
    if have_nft && nft_ctl list table bridge $T >/dev/null 2>&1; then
      nft_ctl delete element bridge $T partitioned "{ \"$PORT\" }" 2>/dev/null || true
    fi
    loss_del
    # state 3 = forwarding (a no-op unless the port state was changed)
    nsenter --net="/run/netns/$NB_CTL" -- bridge link set dev "$PORT" state 3 2>/dev/null || true
    ;;
  loss)
    pct=${3:?loss N PCT}
    [[ "$pct" =~ ^[0-9]+$ ]] && [ "$pct" -le 100 ] || nb_die "loss: PCT must be 0..100"
    have_nft || nb_die "loss needs nft (apt-get install nftables)"
    nft_table
    loss_del
    for rule in "b2v_fwd iifname" "b2v_fwd oifname" "b2v_in iifname" "b2v_out oifname"; do
      read -r chain dir <<<"$rule"
      nft_ctl add rule bridge $T "$chain" "$dir" "\"$PORT\"" numgen random mod 100 \< "$pct" drop comment "\"loss $PORT\""
    done
    ;;
  netem)
    shift 2
    [ $# -gt 0 ] || nb_die "netem N ARGS (e.g. delay 100ms loss 5%)"
    if wpid=$(wire_pid); then
      # the userspace wire: the same arguments as tc netem for delay [jitter], loss, reorder, duplicate
      delay=0 jitter=0 loss=0 reorder=0 dup=0
      while [ $# -gt 0 ]; do
        case "$1" in
          delay)
            delay=${2%ms}
            shift 2
            if [[ "${1:-}" =~ ^[0-9.]+ms$ ]]; then jitter=${1%ms}; shift; fi
            ;;
          loss) loss=${2%\%}; shift 2 ;;
          reorder) reorder=${2%\%}; shift 2 ;;
          duplicate) dup=${2%\%}; shift 2 ;;
          *) nb_die "wire netem: unsupported argument '$1' (delay, loss, reorder, duplicate)" ;;
        esac
      done
      wdir=$(nb_host_dir "$N")/wire
      printf 'delay_ms %s\njitter_ms %s\nloss_pct %s\nreorder_pct %s\ndup_pct %s\n' "$delay" "$jitter" "$loss" "$reorder" "$dup" >"$wdir/conf"
      kill -USR1 "$wpid"
      exit 0
    fi
    # controller → host on the bridge port's egress, host → controller on the host's eth0 egress
    if ! err=$(nsenter --net="/run/netns/$NB_CTL" -- tc qdisc replace dev "$PORT" root netem "$@" 2>&1); then
      if echo "$err" | grep -qi 'unknown'; then
        echo "netem unsupported: the kernel has no sch_netem and host $N has no userspace wire (netns-up.sh --wire $N): $err" >&2
        exit 3
      fi
      nb_die "tc netem: $err"
    fi
    nsenter --net="/run/netns/$NS" -- tc qdisc replace dev eth0 root netem "$@"
    ;;
  netem-clear)
    if wpid=$(wire_pid); then
      : >"$(nb_host_dir "$N")/wire/conf"
      kill -USR1 "$wpid"
      exit 0
    fi
    nsenter --net="/run/netns/$NB_CTL" -- tc qdisc del dev "$PORT" root 2>/dev/null || true
    nsenter --net="/run/netns/$NS" -- tc qdisc del dev eth0 root 2>/dev/null || true
    ;;
  clear)
    "$0" link-up "$N" host
    "$0" link-up "$N" bridge
    "$0" heal "$N"
    "$0" netem-clear "$N"
    ;;
  *) nb_die "unknown command $cmd" ;;
esac
