#!/usr/bin/env bash
# Builds (or extends) a fault testbed on network namespaces: netns-up.sh [--hosts N] [--wire N,M,...]
#   controller namespace b2v-<id>-ctl: bridge b2v-<id>-br0 with 198.18.0.1/24 and fdb2:7600::1/64, the
#     controller's own addresses (bgp2vpc runs in this namespace: nsenter --net=/run/netns/b2v-<id>-ctl).
#   host namespaces b2v-<id>-h1..hN: eth0 = 198.18.0.(10+N)/24, fdb2:7600::(10+N)/64; its veth peer b2v-<id>-hN
#     is a port of the bridge. One subnet, no routers, no default routes, nothing in the root namespace.
#   Permanent ARP/ND entries both ways (NB_STATIC_NEIGH=0: dynamic), as in a VPC: a dead host is silence.
#   --wire N,M: those hosts are linked by a userspace wire (lib/wire.py: two TAPs and a process copying frames)
#     instead of a veth, so netns-fault.sh netem works for them on kernels without sch_netem.
# The run id (b2v-<id>-) is chosen here and kept in $NB_DIR/run-id; every object created is listed in
# $NB_DIR/manifest, and netns-down.sh deletes exactly that. Idempotent: complete hosts are kept, half-built ones
# rebuilt. Prints the run id on stdout.
set -euo pipefail
# shellcheck source=lib/netns.sh
. "$(dirname "$0")/lib/netns.sh"

hosts=0 wire=" "
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts) hosts=$2; shift 2 ;;
    --wire) wire=" ${2//,/ } "; shift 2 ;;
    *) nb_die "usage: netns-up.sh [--hosts N] [--wire N,M,...]" ;;
  esac
done
[[ "$hosts" =~ ^[0-9]+$ ]] && [ "$hosts" -le 240 ] || nb_die "--hosts must be 0..240 (one /24)"
[ "$(id -u)" -eq 0 ] || nb_die "needs root (network namespaces)"
mkdir -p "$NB_DIR"
if [ -f "$NB_DIR/run-id" ] && [ "$(cat "$NB_DIR/run-id")" != "$NB_RUN_ID" ]; then
  nb_die "$NB_DIR belongs to run $(cat "$NB_DIR/run-id"), not $NB_RUN_ID"
fi
if [ -z "$NB_RUN_ID" ]; then
  NB_RUN_ID=$(nb_new_run_id)
  nb_set_prefix
fi
echo "$NB_RUN_ID" >"$NB_DIR/run-id"
echo "$NB_OWNER" >"$NB_DIR/owner"
t0=$(nb_ms)

# --- controller namespace and bridge ---------------------------------------------------------------------------
# A bridge has carrier only while one of its ports does: with every host link down the controller's interface
# would go NO-CARRIER and the kernel would drop its packets at once (a VPC does not do that when a host dies).
# The anchor veth pair (anc0 in the bridge, anc1 up, no address) keeps the carrier on.
if ! nb_ns_exists "$NB_CTL" || ! ip -n "$NB_CTL" link show "$NB_BR" >/dev/null 2>&1; then
  ip netns del "$NB_CTL" 2>/dev/null || true
  ip netns add "$NB_CTL"
  nb_manifest_add "netns $NB_CTL"
  # Bridged frames skip iptables/nft "ip" hooks (our faults use the bridge family); this sysctl is per namespace
  # and 1 by default. No DAD: addresses are usable at once.
  nsenter --net="/run/netns/$NB_CTL" -- sh -c '
    for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables \
             /proc/sys/net/bridge/bridge-nf-call-arptables; do [ -w "$f" ] && echo 0 >"$f"; done
    sysctl -q -w net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0'
  ip -n "$NB_CTL" -b - <<EOB
link set lo up
link set lo alias $(nb_mark)
link add $NB_BR address $(nb_mac 0) type bridge stp_state 0 forward_delay 0 mcast_snooping 0
addr add $NB_CTL4/24 dev $NB_BR
addr add $NB_CTL6/64 dev $NB_BR nodad
link add ${NB_PREFIX}anc0 type veth peer name ${NB_PREFIX}anc1
link set ${NB_PREFIX}anc0 master $NB_BR
link set ${NB_PREFIX}anc1 up
link set ${NB_PREFIX}anc0 up
link set $NB_BR up
EOB
fi

# --- hosts ----------------------------------------------------------------------------------------------------------
host_ok() { # complete = namespace, eth0 with its address, bridge port attached, its wire running (wire hosts)
  local n=$1
  nb_ns_exists "$(nb_host_ns "$n")" &&
    ip -n "$(nb_host_ns "$n")" -4 addr show dev eth0 2>/dev/null | grep -qF "$(nb_host4 "$n")/" &&
    ip -n "$NB_CTL" link show "$(nb_host_port "$n")" 2>/dev/null | grep -qF "master $NB_BR" &&
    { { [[ "$wire" != *" $n "* ]] && [ ! -f "$(nb_host_dir "$n")/wire/pid" ]; } ||
      nb_own_pid "$(nb_host_dir "$n")/wire/pid" "$(nb_host_dir "$n")/wire" >/dev/null; }
}
todo=()
ports=" $(ip -n "$NB_CTL" -o link show | awk -F': ' '{split($2, a, "@"); printf "%s ", a[1]}')"
for ((n = 1; n <= hosts; n++)); do
  if [ ! -e "/run/netns/$(nb_host_ns "$n")" ] && [[ "$ports" != *" $(nb_host_port "$n") "* ]]; then
    todo+=("$n")
    continue
  fi
  host_ok "$n" && continue
  # half-built (an earlier netns-up.sh was interrupted): start this host over
  nb_stop_dir "$(nb_host_dir "$n")/wire" KILL
  ip netns del "$(nb_host_ns "$n")" 2>/dev/null || true
  ip -n "$NB_CTL" link del "$(nb_host_port "$n")" 2>/dev/null || true
  todo+=("$n")
done

if [ ${#todo[@]} -gt 0 ]; then
  # 1. one ip process in the root namespace for every new namespace and veth pair (batch mode returns to the
  #    original namespace after each add; the veth ends are created directly in their namespaces).
  {
    for n in "${todo[@]}"; do
      echo "netns add $(nb_host_ns "$n")"
      [[ "$wire" == *" $n "* ]] && continue
      echo "link add $(nb_host_port "$n") netns $NB_CTL type veth peer name eth0 address $(nb_mac "$n") netns $(nb_host_ns "$n")"
    done
  } | ip -b -
  for n in "${todo[@]}"; do nb_manifest_add "netns $(nb_host_ns "$n")"; done
  for n in "${todo[@]}"; do
    [[ "$wire" == *" $n "* ]] || continue
    [ -c /dev/net/tun ] || nb_die "--wire needs /dev/net/tun"
    wdir=$(nb_host_dir "$n")/wire
    mkdir -p "$wdir"
    : >"$wdir/conf"
    python3 "$NB_HOME/lib/wire.py" "/run/netns/$NB_CTL" "/run/netns/$(nb_host_ns "$n")" "$(nb_host_port "$n")" \
      "$wdir/conf" </dev/null >"$wdir/out.log" 2>&1 &
    echo $! >"$wdir/pid"
    nb_wait grep -q ready "$wdir/out.log" || nb_die "wire for host $n did not start (see $wdir/out.log)"
  done
  # 2. one ip process in the controller namespace: bridge ports and static neighbours
  {
    for n in "${todo[@]}"; do
      p=$(nb_host_port "$n")
      echo "link set $p master $NB_BR"
      echo "link set $p up"
      if [ "$NB_STATIC_NEIGH" = 1 ]; then
        echo "neigh replace $(nb_host4 "$n") lladdr $(nb_mac "$n") dev $NB_BR nud permanent"
        echo "neigh replace $(nb_host6 "$n") lladdr $(nb_mac "$n") dev $NB_BR nud permanent"
      fi
    done
  } | ip -n "$NB_CTL" -b -
  # 3. one ip process per host namespace
  for n in "${todo[@]}"; do
    {
      echo "link set lo up"
      echo "link set lo alias $(nb_mark)"
      echo "link set eth0 address $(nb_mac "$n")"
      echo "addr add $(nb_host4 "$n")/24 dev eth0"
      echo "addr add $(nb_host6 "$n")/64 dev eth0 nodad"
      echo "link set eth0 up"
      if [ "$NB_STATIC_NEIGH" = 1 ]; then
        echo "neigh replace $NB_CTL4 lladdr $(nb_mac 0) dev eth0 nud permanent"
        echo "neigh replace $NB_CTL6 lladdr $(nb_mac 0) dev eth0 nud permanent"
      fi
    } | ip -n "$(nb_host_ns "$n")" -b -
    mkdir -p "$(nb_host_dir "$n")"
  done
fi

nb_log "up: run $NB_RUN_ID, controller $NB_CTL ($NB_BR $NB_CTL4), hosts 1..$hosts (${#todo[@]} new), $(($(nb_ms) - t0)) ms"
echo "$NB_RUN_ID"
