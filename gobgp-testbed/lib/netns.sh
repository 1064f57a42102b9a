# Settings and helpers of the network-namespace fault testbed (netns-*.sh). Sourced, not executed.
# Every value can be overridden from the environment (README.md, "Hosts in network namespaces").
# shellcheck shell=bash

NB_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Configs, logs, pidfiles, the run id and the manifest of what this run created.
NB_DIR=${NB_DIR:-$NB_HOME/.run/netns}

nb_die() {
  echo "netns-testbed: $*" >&2
  exit 1
}

nb_log() {
  echo "netns-testbed: $*" >&2
}

# Every namespace and link this run creates is named b2v-<run id>-…, so parallel runs never collide and a
# cleanup can tell its own objects from anyone else's. The id is chosen at the first netns-up.sh of a run
# directory and kept in $NB_DIR/run-id; NB_RUN_ID sets it. Interface names have at most 15 characters:
# "b2v-" + 5 + "-h240" = 14.
if [ -z "${NB_RUN_ID:-}" ] && [ -f "$NB_DIR/run-id" ]; then NB_RUN_ID=$(cat "$NB_DIR/run-id"); fi
NB_RUN_ID=${NB_RUN_ID:-}
nb_new_run_id() {
  # 5 hex digits (20 random bits)
  printf '%05x' $((((RANDOM << 15) | RANDOM) % 1048576))
}
nb_set_prefix() {
  [[ "$NB_RUN_ID" =~ ^[a-z0-9]{1,5}$ ]] || nb_die "run id '$NB_RUN_ID' must be 1-5 characters of [a-z0-9]"
  NB_PREFIX="b2v-$NB_RUN_ID-"
  NB_CTL="${NB_PREFIX}ctl"
  NB_BR="${NB_PREFIX}br0"
}
[ -n "$NB_RUN_ID" ] && nb_set_prefix

# The bridge subnet exists only inside this run's namespaces (nothing is added to the root namespace), so it
# cannot collide with the machine's own network (here eth0 is 192.0.2.0/24). 198.18.0.0/15 is the RFC 2544
# benchmarking range, which no real network routes.
NB_NET4=${NB_NET4:-198.18.0}    # /24: controller .1, host N .(10+N), N = 1..240
NB_NET6=${NB_NET6:-fdb2:7600::} # /64: controller ::1, host N ::(10+N)
NB_CTL4=${NB_CTL4:-$NB_NET4.1}
NB_CTL6=${NB_CTL6:-${NB_NET6}1}
# 1: permanent ARP/ND entries both ways, like a VPC (its ARP never fails), so a dead host is pure silence
# instead of "neighbour FAILED → EHOSTUNREACH" after some seconds.
NB_STATIC_NEIGH=${NB_STATIC_NEIGH:-1}
CONTROLLER_PORT=${CONTROLLER_PORT:-1179}
CONTROLLER_ASN=${CONTROLLER_ASN:-65000}

# Marker on the lo of every namespace we create, with the PID of the process that owns the run (the TypeScript
# harness sets its own; 0 = started by hand). netns-down.sh --stale only deletes namespaces that carry the
# marker with a non-zero owner that is dead: never a live run, never a testbed someone built by hand.
NB_MARK=b2v-netns-testbed
NB_OWNER=${NB_OWNER:-0}
nb_mark() { printf '%s:owner=%s' "$NB_MARK" "$NB_OWNER"; }
nb_owner_alive() { [ "${1:-0}" != 0 ] && kill -0 "$1" 2>/dev/null; }

nb_host_ns() { printf '%sh%s' "$NB_PREFIX" "$1"; }   # namespace of host N
nb_host_port() { printf '%sh%s' "$NB_PREFIX" "$1"; } # its bridge port, in the controller namespace (same name)
nb_host4() { printf '%s.%s' "$NB_NET4" "$((10 + $1))"; }
nb_host6() { printf '%s%s' "$NB_NET6" "$((10 + $1))"; }
nb_host_asn() { printf '%s' "$((65000 + $1))"; }
# Deterministic locally administered MACs: 02:b2:76:00:HH:LL, the controller is host 0.
nb_mac() { printf '02:b2:76:00:%02x:%02x' "$(($1 / 256))" "$(($1 % 256))"; }
nb_host_dir() { printf '%s/host%s' "$NB_DIR" "$1"; }

nb_ns_exists() { [ -e "/run/netns/$1" ] && ip -n "$1" link show lo >/dev/null 2>&1; }

nb_require_run() {
  [ -n "$NB_RUN_ID" ] || nb_die "no testbed in $NB_DIR (run netns-up.sh first, or set NB_DIR)"
}

nb_manifest_add() {
  mkdir -p "$NB_DIR"
  grep -qxF "$1" "$NB_DIR/manifest" 2>/dev/null || echo "$1" >>"$NB_DIR/manifest"
}

# The PID in FILE, only while /proc/PID/cmdline still names MARKER (our directory): a recycled PID is never
# signalled.
nb_own_pid() {
  local pidfile=$1 marker=$2 pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -F "$marker" || return 1
  printf '%s' "$pid"
}

nb_wait() {
  local deadline=$((SECONDS + ${NB_WAIT:-30}))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

nb_ms() { date +%s%3N; }

# Stops the process whose pidfile is DIR/pid (only while its command line names DIR): SIG (default TERM), then
# SIGKILL after NB_STOP_WAIT seconds. A frozen (SIGSTOPped) process gets SIGCONT too, or it never dies of TERM.
nb_stop_dir() {
  local dir=$1 sig=${2:-TERM} pid deadline
  if ! pid=$(nb_own_pid "$dir/pid" "$dir"); then
    rm -f "$dir/pid"
    return 0
  fi
  kill -s "$sig" "$pid" 2>/dev/null || true
  kill -s CONT "$pid" 2>/dev/null || true
  deadline=$((SECONDS + ${NB_STOP_WAIT:-10}))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      kill -s KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 5))
    fi
    sleep 0.05
  done
  rm -f "$dir/pid"
}
