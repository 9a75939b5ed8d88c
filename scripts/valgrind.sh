#!/usr/bin/env bash
# valgrind.sh - memory errors and leaks under valgrind memcheck: every cmocka
# unit test, then the server itself through the round integration test.
#
#   scripts/valgrind.sh [build-dir]     (default: build-valgrind)
#
# The build dir gets a Debug build without sanitizers (valgrind and ASan do
# not mix). An error or a definite/indirect leak fails the run; reachable
# memory at exit does not. Each valgrind run writes its report to
# <build-dir>/valgrind/*.log and the totals are printed at the end.
# VALGRIND_JOBS sets how many unit tests run at once (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
build=${1:-build-valgrind}
jobs=${VALGRIND_JOBS:-2}
case "$build" in /*) ;; *) build="$repo/$build" ;; esac

command -v valgrind >/dev/null || { echo "valgrind: valgrind is not installed" >&2; exit 2; }

echo "==> Debug build without sanitizers ($build)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DVERRIJK_SANITIZE=OFF >/dev/null
cmake --build "$build" -j"$jobs" >/dev/null

logs="$build/valgrind"
rm -rf "$logs"
mkdir -p "$logs"
memcheck=(valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect
          --show-leak-kinds=definite,indirect --track-origins=yes --error-exitcode=99 --child-silent-after-fork=yes)

echo "==> unit tests under valgrind ($jobs at a time)"
# ctest knows each test's command line and directory: each becomes a small
# script that runs it under valgrind.
ctest --test-dir "$build" --show-only=json-v1 | VG="${memcheck[*]}" python3 -c '
import json, os, shlex, sys
logs = sys.argv[1]
for t in json.load(sys.stdin)["tests"]:
    wd = next((p["value"] for p in t.get("properties", []) if p["name"] == "WORKING_DIRECTORY"), ".")
    script = os.path.join(logs, "unit-%s.sh" % t["name"])
    with open(script, "w") as f:
        f.write("cd %s && exec %s --log-file=%s %s\n" % (shlex.quote(wd), os.environ["VG"],
                shlex.quote(os.path.join(logs, "unit-%s.log" % t["name"])),
                " ".join(shlex.quote(a) for a in t["command"])))
    print(t["name"])
' "$logs" >"$logs/unit-tests.txt"
unit_status=0
# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
xargs -P"$jobs" -I{} sh -c '
  if sh "$1/unit-$2.sh" >"$1/unit-$2.out" 2>&1; then
    echo "ok    $2"
  else
    echo "FAIL  $2 (exit $?; see $1/unit-$2.log and .out)"
    exit 1
  fi
' sh "$logs" {} <"$logs/unit-tests.txt" || unit_status=$?
echo "unit tests: $(wc -l <"$logs/unit-tests.txt") run"

echo "==> the server under valgrind: integration/round.test.mjs"
# The harness starts VERRIJK_BIN with its flags and stops it with SIGTERM;
# the wrapper execs valgrind so that the PID it signals is the server's. The
# harness asserts exit 0, which valgrind turns into 99 on any error or leak.
wrapper="$logs/verrijk-under-valgrind"
cat >"$wrapper" <<EOF
#!/bin/sh
exec ${memcheck[*]} --log-file="$logs/server-%p.log" "$build/server/verrijk" "\$@"
EOF
chmod +x "$wrapper"
server_status=0
(cd tests && VERRIJK_BIN="$wrapper" node --test --test-concurrency=1 integration/round.test.mjs) \
  >"$logs/round.out" 2>&1 || server_status=$?
grep -E '^# (tests|pass|fail)' "$logs/round.out" || true

echo "==> totals"
# Memcheck's last lines: "ERROR SUMMARY: n errors" and, with leaks, the
# "definitely lost"/"indirectly lost" byte counts.
total_errors=0
runs=0
for log in "$logs"/*.log; do
  [ -e "$log" ] || continue
  runs=$((runs + 1))
  n=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tail -1 | tr -d ,)
  total_errors=$((total_errors + ${n:-0}))
  if [ "${n:-0}" -ne 0 ]; then
    echo "--- $log"
    grep -E 'Invalid|uninitialised|definitely lost|indirectly lost|Mismatched|overlap|ERROR SUMMARY' "$log" | head -20
  fi
done
echo "valgrind: $runs runs, $total_errors errors (leaks included); unit tests exit $unit_status, round test exit $server_status"
if [ "$unit_status" -ne 0 ] || [ "$server_status" -ne 0 ] || [ "$total_errors" -ne 0 ]; then
  [ "$server_status" -ne 0 ] && tail -40 "$logs/round.out"
  exit 1
fi
echo "valgrind: clean"
