#!/usr/bin/env bash
# setup.sh - install what Verrijk needs on Debian 12 (as root) and build it.
# Idempotent: installs only what is missing, then builds the server into
# build/ and the web client into web-client/dist.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(build-essential cmake pkg-config clang libclang-rt-14-dev
      libwebsockets-dev libwebsockets-evlib-uv libmsgpack-dev libuv1-dev
      libjansson-dev libcmocka-dev libssl-dev)
# The tests also drive Debian's chromium, run nginx and HAProxy in front of
# several servers (tests/integration/proxy.test.mjs), lint the C code, and
# read the printed card set and the printed summary back from their PDFs
# (poppler-utils: pdftotext).
[ "${VERRIJK_TEST_DEPS:-0}" = 1 ] && DEBS+=(chromium nginx haproxy cppcheck clang-tidy clang-format valgrind poppler-utils)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
apt_install() { # $@: Debian packages
  echo "==> installing Debian packages: $*"
  local SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

npm_ci() { # $1: folder with a package-lock.json; skips when node_modules is current
  local d=$1
  if [ ! -f "$d/node_modules/.package-lock.json" ] || [ "$d/package-lock.json" -nt "$d/node_modules/.package-lock.json" ]; then
    echo "==> npm ci in $d"
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Node.js: the web client needs >= 20. One already on the machine is used
# as it is. Otherwise (Debian 12's own nodejs is 18) Debian's nodejs and npm
# fetch a pinned Node 22 from the npm registry into tools/node, where
# `npm ci` checks it against the integrity hash in its package-lock.json;
# tools/node/env.sh puts it first on PATH here and in test.sh (run.sh
# needs Node only through this script).
# Debian's packages are installed only where there is no node or npm at
# all: a Node from elsewhere (NodeSource) conflicts with Debian's npm.
node_major() { node --version 2>/dev/null | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p'; }
. tools/node/env.sh
major=$(node_major)
if [ "${major:-0}" -lt 20 ]; then
  need=()
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
  echo "==> Node.js $(node --version 2>/dev/null || echo '(none)') is older than 20: installing Node.js 22 into tools/node"
  npm_ci tools/node
  . tools/node/env.sh
  major=$(node_major)
  if [ "${major:-0}" -lt 20 ]; then
    echo "Verrijk's web client needs Node.js >= 20, and installing one into tools/node failed (found: $(node --version 2>/dev/null || echo none))." >&2
    exit 1
  fi
fi
echo "==> Node.js $(node --version) ($(command -v node))"

npm_ci web-client
[ "${VERRIJK_TEST_DEPS:-0}" = 1 ] && npm_ci tests
# The benchmark's Node.js peer (bench/run.sh, bench/smoke.sh).
[ "${VERRIJK_TEST_DEPS:-0}" = 1 ] && npm_ci bench/peers/node

echo "==> building the web client"
(cd web-client && npm run --silent build)

echo "==> building the server"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
