#!/bin/sh
# The whole suite (npm test) once per supported Node, each from the npm registry (devDependencies node, node22).
#   scripts/test-matrix.sh            # 24, then 22
#   scripts/test-matrix.sh 22         # one version
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- 24 22
for v in "$@"; do
  t0=$(date +%s)
  echo "=== Node $v: npm test" >&2
  scripts/with-node.sh "$v" npm test || { echo "=== Node $v: FAILED" >&2; exit 1; }
  echo "=== Node $v: passed in $(( $(date +%s) - t0 ))s" >&2
done
echo "=== passed on Node: $*" >&2
