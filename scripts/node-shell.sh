#!/bin/sh
# npm's script shell under scripts/with-node.sh: the chosen node before node_modules/.bin, then plain sh.
PATH="$WITH_NODE_BIN:$PATH" exec /bin/sh "$@"
