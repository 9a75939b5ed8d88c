#!/usr/bin/env bash
# run.sh - builds the fuzz targets if needed, replays every saved regression, then fuzzes each target for a bounded time.
#
# Usage: tests/fuzz/run.sh [SECONDS]        (default 60 per target)
#   FUZZ_TARGETS="decode game"  only these targets (default: all four)
#   FUZZ_JOBS=2                 targets fuzzed at the same time (default 1)
# Prints, per target, the executions and executions per second; exits
# non-zero when a regression input or a new input crashes, leaks or breaks
# an invariant. New crashing inputs are kept in build-fuzz/crashes/TARGET/,
# the libFuzzer log of each run in build-fuzz/logs/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-60}
OUT=${OUT:-build-fuzz}
read -ra TARGETS <<<"${FUZZ_TARGETS:-decode game record deck}"
JOBS=${FUZZ_JOBS:-1}
[[ $SECS =~ ^[0-9]+$ ]] || { echo "usage: tests/fuzz/run.sh [SECONDS]" >&2; exit 2; }

tests/fuzz/build.sh

# Longest input per target: a client message is at most 16 KiB (a little
# more reaches too_large); a game script of 1 KiB is ~250 steps; a log image
# holds a few dozen events; a deck file is a few tens of KiB.
declare -A MAX_LEN=([decode]=17000 [game]=1024 [record]=32768 [deck]=65536)

# Stop on the first report; leaks count. An input that takes longer than
# the timeout is a finding too (a quadratic path an attacker can drive).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$OUT/logs"

status=0

# 1. Regressions: every input that ever crashed a target is replayed once
# (libFuzzer runs the files given on its command line and exits).
for t in "${TARGETS[@]}"; do
  mapfile -t regs < <(find "tests/fuzz/regressions/$t" -type f ! -name '*.md' 2>/dev/null | sort)
  (( ${#regs[@]} )) || continue
  if "$OUT/fuzz_$t" "${regs[@]}" >"$OUT/logs/$t.regressions.log" 2>&1; then
    echo "fuzz_$t: ${#regs[@]} regression inputs replayed, all pass"
  else
    echo "fuzz_$t: REGRESSION: a saved input fails again (log: $OUT/logs/$t.regressions.log)"
    grep -E '^==fuzz==|runtime error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|^Running: ' \
      "$OUT/logs/$t.regressions.log" | tail -4 | sed 's/^/    /'
    status=1
  fi
done

# 2. Fuzzing, each target for SECS seconds, from its corpus (the seeds of
# build.sh plus whatever earlier runs found).
fuzz_one() {
  local t=$1 dict=()
  [[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
  mkdir -p "$OUT/crashes/$t"
  "$OUT/fuzz_$t" "$OUT/corpus/$t" "${dict[@]}" -max_total_time="$SECS" -rss_limit_mb=2048 \
    -max_len="${MAX_LEN[$t]}" -timeout=20 -print_final_stats=1 -artifact_prefix="$OUT/crashes/$t/" \
    >"$OUT/logs/$t.log" 2>&1
}

report() {
  local t=$1 rc=$2 log="$OUT/logs/$1.log"
  local execs rate corpus
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$OUT/corpus/$t" -type f ! -name .stamp | wc -l)
  if [[ $rc == 0 ]]; then
    printf 'fuzz_%-7s %10s executions in %ss, %6s exec/s, corpus %s inputs\n' "$t" "${execs:-?}" "$SECS" \
      "${rate:-?}" "$corpus"
  else
    printf 'fuzz_%-7s CRASH after %s executions (exit %s; log: %s)\n' "$t" "${execs:-?}" "$rc" "$log"
    grep -E '^==fuzz==|runtime error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|SUMMARY|Test unit written' \
      "$log" | head -6 | sed 's/^/    /'
    status=1
  fi
}

declare -A PIDS=()
for t in "${TARGETS[@]}"; do
  fuzz_one "$t" &
  PIDS[$t]=$!
  while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n || true; done
done
for t in "${TARGETS[@]}"; do
  rc=0
  wait "${PIDS[$t]}" || rc=$?
  report "$t" "$rc"
done
exit $status
