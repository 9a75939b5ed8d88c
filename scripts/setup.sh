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
# several servers (tests/integration/proxy.test.mjs), and lint the C code.
[ "${VERRIJK_TEST_DEPS:-0}" = 1 ] && DEBS+=(chromium nginx haproxy cppcheck clang-tidy valgrind)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Verrijk's web client needs Node.js >= 20 (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

npm_ci() { # $1: folder with a package-lock.json; skips when node_modules is current
  local d=$1
  if [ ! -f "$d/node_modules/.package-lock.json" ] || [ "$d/package-lock.json" -nt "$d/node_modules/.package-lock.json" ]; then
    echo "==> npm ci in $d"
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci web-client
[ "${VERRIJK_TEST_DEPS:-0}" = 1 ] && npm_ci tests

echo "==> building the web client"
(cd web-client && npm run --silent build)

echo "==> building the server"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
