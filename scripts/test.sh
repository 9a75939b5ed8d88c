#!/usr/bin/env bash
# test.sh - every test: the web client's unit tests; unit tests (cmocka, via
# ctest) and integration tests over real sockets against the real binary,
# once as a normal build and once under AddressSanitizer +
# UndefinedBehaviorSanitizer; static analysis; a bounded fuzzing run
# (VERRIJK_FUZZ_SECONDS per target, default 60); then the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export VERRIJK_TEST_DEPS=1
scripts/setup.sh
# setup.sh may have put a Node.js 22 into tools/node (the machine's was older than 20).
. tools/node/env.sh

echo "==> sanitizer build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DVERRIJK_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "==> the default card set keeps the conventions of a good card (tests/decks, reads the JSON)"
(cd tests && node --test decks/)

echo "==> web client unit tests (view reducer checked against a trace of the current game core)"
web-client/test/server-trace/regen.sh build
(cd web-client && npm test --silent)

for b in build build-asan; do
  echo "==> unit tests ($b)"
  ctest --test-dir "$b" --output-on-failure -j2
done

for b in build build-asan; do
  echo "==> integration tests against $b/server/verrijk"
  (cd tests && VERRIJK_BIN="../$b/server/verrijk" node --test --test-concurrency=1 integration/)
done

echo "==> benchmark smoke run (verrijk-bench against the real server; the benchmark itself is bench/run.sh)"
bench/smoke.sh build/server/verrijk build/bench/verrijk-bench

echo "==> setup on a machine whose Node.js is 18 (as Debian 12's) still builds the web client"
tools/node/test-old-node.sh

echo "==> the image's build, trimmed (deploy/check-image-build.sh; the whole container test is deploy/test-containers.sh)"
deploy/check-image-build.sh

echo "==> static analysis (cppcheck, clang-tidy)"
scripts/lint.sh build

echo "==> fuzzing: every saved regression, then each target for ${VERRIJK_FUZZ_SECONDS:-60} s"
tests/fuzz/run.sh "${VERRIJK_FUZZ_SECONDS:-60}"

echo "==> browser tests (chromium)"
(cd tests && VERRIJK_BIN=../build/server/verrijk node --test --test-concurrency=1 browser/)
