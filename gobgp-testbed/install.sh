#!/usr/bin/env bash
# Installs the real BGP peers used by the interop tests and benchmarks (Debian packages).
# No-op when every binary is present. Starts no service. Exit 1 when a peer is still missing afterwards.
set -euo pipefail

need=()
command -v gobgpd >/dev/null 2>&1 && command -v gobgp >/dev/null 2>&1 || need+=(gobgpd)
command -v bird >/dev/null 2>&1 && command -v birdc >/dev/null 2>&1 || need+=(bird2)
[ -x /usr/lib/frr/bgpd ] && command -v vtysh >/dev/null 2>&1 || need+=(frr)
command -v exabgp >/dev/null 2>&1 || need+=(exabgp)
command -v tshark >/dev/null 2>&1 || [ "${TESTBED_SKIP_TSHARK:-}" = 1 ] || need+=(tshark)

if [ ${#need[@]} -gt 0 ]; then
  echo "gobgp-testbed: installing ${need[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

missing=()
for bin in gobgpd gobgp bird birdc /usr/lib/frr/bgpd vtysh exabgp; do
  command -v "$bin" >/dev/null 2>&1 || [ -x "$bin" ] || missing+=("$bin")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "gobgp-testbed: still missing after install: ${missing[*]}" >&2
  exit 1
fi
echo "gobgp-testbed: gobgpd $(gobgpd --version 2>&1 | head -1 | awk '{print $NF}'), bird $(bird --version 2>&1 | awk '{print $NF}'), frr $(/usr/lib/frr/bgpd --version 2>&1 | head -1 | awk '{print $NF}'), exabgp $(exabgp --version 2>&1 | grep -i exabgp | head -1 | awk '{print $NF}')" >&2
