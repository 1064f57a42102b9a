#!/bin/sh
# Run a command with a chosen Node.js first on PATH, npm scripts (nested `npm run` too) included.
#   scripts/with-node.sh 24 npm test       # node_modules/node (the default devDependency)
#   scripts/with-node.sh 22 npm test       # node_modules/node22 (devDependency "node22": "npm:node@22…")
#   scripts/with-node.sh system npm run bench:codec   # the machine's own node, whatever version it is
# The binaries come from the npm registry as devDependencies; nothing else is downloaded.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
want=${1:?usage: scripts/with-node.sh <24|22|system> <command...>}
shift
case $want in
  system)
    # the first node on PATH outside any node_modules, linked alone into a directory so that putting it first
    # on PATH shadows nothing else
    bin=$(PATH=$(printf %s "$PATH" | tr : '\n' | grep -v '/node_modules/' | paste -sd: -) command -v node) \
      || { echo "with-node: no system node on PATH" >&2; exit 2; }
    dir="$root/node_modules/.cache/with-node/system"
    mkdir -p "$dir" && ln -sf "$bin" "$dir/node"
    bin=$dir ;;
  *)
    bin="$root/node_modules/node$want/bin"
    [ -x "$bin/node" ] || bin="$root/node_modules/node/bin" ;;
esac
[ -x "$bin/node" ] || { echo "with-node: $bin/node is missing: was npm ci run with install scripts allowed?" >&2; exit 2; }
major=$("$bin/node" -p 'process.versions.node.split(".")[0]')
if [ "$want" != system ] && [ "$major" != "$want" ]; then
  echo "with-node: no Node $want here (node_modules/node is $major); add \"node$want\": \"npm:node@$want\" to devDependencies" >&2
  exit 2
fi
# npm run-script puts node_modules/.bin (whose node is the default, 24) first on PATH for every script;
# the script shell below puts the chosen node back in front of it.
export WITH_NODE_BIN="$bin" PATH="$bin:$PATH" npm_config_script_shell="$root/scripts/node-shell.sh"
echo "with-node: $("$bin/node" -v) ($bin/node)" >&2
exec "$@"
