#!/usr/bin/env bash
# Can this machine run the network-namespace testbed? Prints "key value" lines and exits 0 when the core works
# (root, network namespaces, veth, bridge), 1 otherwise, with the first line "usable no REASON". Optional
# features are reported, not required: nft (partitions, loss), netem (tc qdisc netem), tun (the userspace wire
# for delay/jitter/reorder where the kernel has no netem), and any BGP daemon that is missing.
# Creates one namespace, b2v-chk<PID>, and deletes it; touches nothing else.
set -uo pipefail

no() {
  echo "usable no $*"
  exit 1
}
[ "$(id -u)" -eq 0 ] || no "not root (uid $(id -u))"
command -v ip >/dev/null 2>&1 || no "iproute2 'ip' not found (apt-get install iproute2)"
command -v nsenter >/dev/null 2>&1 || no "nsenter not found (util-linux)"
ns="b2v-chk$$"
trap 'ip netns del "$ns" 2>/dev/null' EXIT
err=$(ip netns add "$ns" 2>&1) || no "ip netns add failed: $err"
err=$(ip -n "$ns" link add ca type veth peer name cb 2>&1) || no "veth: $err"
err=$(ip -n "$ns" link add cbr type bridge 2>&1) || no "bridge: $err"
err=$(ip -n "$ns" link set ca master cbr 2>&1) || no "bridge port: $err"
err=$(ip -n "$ns" link set lo up 2>&1 && ip -n "$ns" link set cb up 2>&1) || no "link up: $err"
err=$(nsenter --net="/run/netns/$ns" -- true 2>&1) || no "nsenter --net: $err"
echo "usable yes"
if command -v nft >/dev/null 2>&1 && nsenter --net="/run/netns/$ns" -- nft add table bridge b2v_check 2>/dev/null; then
  echo "nft yes"
else
  echo "nft no"
fi
if command -v tc >/dev/null 2>&1 && ip -n "$ns" link set ca up 2>/dev/null &&
  nsenter --net="/run/netns/$ns" -- tc qdisc add dev cb root netem delay 1ms 2>/dev/null; then
  echo "netem yes"
else
  echo "netem no"
fi
[ -c /dev/net/tun ] && command -v python3 >/dev/null 2>&1 && echo "tun yes" || echo "tun no"
for b in bird birdc gobgpd gobgp /usr/lib/frr/bgpd vtysh exabgp; do
  command -v "$b" >/dev/null 2>&1 || [ -x "$b" ] || echo "missing $b"
done
exit 0
