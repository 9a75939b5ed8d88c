#!/usr/bin/env bash
# lint.sh - static analysis of the C code (protocol/src and server): the
# house style of every C file in the repository (.clang-format), the layers'
# include rules (scripts/check-layers.sh), cppcheck, then clang-tidy with the
# checks chosen in .clang-tidy. Exits non-zero on any finding.
#
#   scripts/lint.sh [build-dir]     (default: build)
#
# clang-tidy reads the compiler flags from <build-dir>/compile_commands.json;
# the build dir is (re)configured first so that the list of files is current.
# LINT_JOBS sets how many clang-tidy processes run at once (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
jobs=${LINT_JOBS:-2}

for tool in clang-format cppcheck clang-tidy; do
  command -v "$tool" >/dev/null || { echo "lint: $tool is not installed" >&2; exit 2; }
done

echo "==> house style (clang-format --dry-run -Werror; \`clang-format -i FILE\` mends a file)"
style_status=0
mapfile -t c_files < <(git ls-files '*.c' '*.h')
clang-format --dry-run -Werror "${c_files[@]}" || style_status=$?

echo "==> layers (who includes whom, scripts/check-layers.sh)"
layers_status=0
scripts/check-layers.sh || layers_status=$?

# Every C file of the server and the protocol library; the tests are not
# linted (they are built with -Werror and run under the sanitizers).
mapfile -t files < <(find protocol/src server -name '*.c' | sort)

echo "==> cppcheck (${#files[@]} files)"
cppcheck_status=0
cppcheck --enable=warning,portability,performance --std=c11 --inline-suppr --error-exitcode=1 \
  -I protocol/include -I server --suppress=missingIncludeSystem -q -j"$jobs" \
  protocol/src server || cppcheck_status=$?

echo "==> clang-tidy (${#files[@]} files, $jobs at a time, flags from $build)"
cmake -S . -B "$build" >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Each file's report goes to its own file so that parallel runs do not
# interleave; a file with findings leaves a ".failed" marker next to it.
tidy_status=0
printf '%s\n' "${files[@]}" | xargs -P"$jobs" -I{} sh -c '
  report="$2/$(echo "$3" | tr / _)"
  clang-tidy -p "$1" --quiet "$3" >"$report.txt" 2>"$report.err" || touch "$report.failed"
' sh "$build" "$out" {} || tidy_status=$?

failed=0
for f in "${files[@]}"; do
  report="$out/$(echo "$f" | tr / _)"
  if [ -e "$report.failed" ]; then
    failed=$((failed + 1))
    cat "$report.txt"
    grep -v -E '^[0-9]+ (warning|error)s? (and [0-9]+ (warning|error)s? )?(generated|treated as errors?)\.?$' "$report.err" || true
  fi
done

if [ "$style_status" -ne 0 ] || [ "$layers_status" -ne 0 ] || [ "$cppcheck_status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$tidy_status" -ne 0 ]; then
  echo "lint: FAILED (house style exit $style_status; layers exit $layers_status; cppcheck exit $cppcheck_status; clang-tidy findings in $failed file(s))" >&2
  exit 1
fi
echo "lint: clean (house style of ${#c_files[@]} files; cppcheck and clang-tidy, ${#files[@]} files)"
