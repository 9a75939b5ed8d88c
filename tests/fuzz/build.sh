#!/usr/bin/env bash
# build.sh - builds the libFuzzer targets into build-fuzz/ with clang, and their seed corpora.
#
# The code under test is compiled with -fsanitize=fuzzer-no-link (coverage
# for libFuzzer, without its main) plus ASan and UBSan, into one archive;
# each target file is compiled and linked with -fsanitize=fuzzer, which
# brings libFuzzer's main. Without the coverage flag on the library sources
# the fuzzer would see only its own file and stay blind (STACK-NOTES.md).
#
# Usage: tests/fuzz/build.sh [--force]   (run from anywhere)
#   OUT=build-fuzz        where everything goes
#   FUZZ_CFLAGS=...       extra flags for every file, e.g. -fsanitize-recover=undefined
#                         to fuzz past a known UBSan finding with a suppressions file
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-build-fuzz}
CC=${CC_FUZZ:-clang}
TARGETS=(decode game record deck)

# The sources under test: the same globs as the CMake files (server/log/
# holds record.c, the record reader that recovery uses).
LIB_SOURCES=(protocol/src/*.c server/game/*.c server/log/*.c)
HEADERS=(protocol/include/verrijk/*.h protocol/src/*.h server/game/*.h server/log/*.h
         tests/fuzz/*.h)

stale() { # stale OUTPUT INPUT... : true when OUTPUT is missing or older than an input
  local out=$1; shift
  [[ -e $out ]] || return 0
  local f
  for f in "$@"; do [[ $f -nt $out ]] && return 0; done
  return 1
}

if [[ ${1:-} == --force ]]; then rm -rf "$OUT/obj" "$OUT"/fuzz_* "$OUT/seed_gen"; fi

command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
PKGS=(msgpack jansson libcrypto libuv)
read -ra PKG_CFLAGS <<<"$(pkg-config --cflags "${PKGS[@]}")"
read -ra PKG_LIBS <<<"$(pkg-config --libs "${PKGS[@]}")"
read -ra EXTRA <<<"${FUZZ_CFLAGS:-}"

WARN=(-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter)
# The project's own headers are included with quotes; -iquote keeps a
# header there from shadowing a system one of the same name (a server/limits.h
# would otherwise replace <limits.h> inside msgpack.h).
COMMON=(-std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined -Iprotocol/include -iquote protocol/src -iquote server -iquote tests/fuzz
        "${WARN[@]}" "${PKG_CFLAGS[@]}" "${EXTRA[@]}")
# shellcheck disable=SC2054 # the commas belong to one clang option
LIB_SAN=(-fsanitize=fuzzer-no-link,address,undefined)
# shellcheck disable=SC2054
TARGET_SAN=(-fsanitize=fuzzer,address,undefined)

mkdir -p "$OUT/obj"

# 1. The code under test, one object per source, into an archive (the
# linker then takes only what a target uses).
objs=()
for src in "${LIB_SOURCES[@]}"; do
  [[ -e $src ]] || continue
  obj="$OUT/obj/$(echo "${src%.c}" | tr / _).o"
  if stale "$obj" "$src" "${HEADERS[@]}"; then
    echo "  CC  $src"
    "$CC" "${COMMON[@]}" "${LIB_SAN[@]}" -c "$src" -o "$obj"
  fi
  objs+=("$obj")
done
LIB="$OUT/libverrijk_fuzz.a"
if stale "$LIB" "${objs[@]}"; then
  rm -f "$LIB"
  ar rcs "$LIB" "${objs[@]}"
fi

# 2. The targets.
for t in "${TARGETS[@]}"; do
  src="tests/fuzz/fuzz_$t.c"
  bin="$OUT/fuzz_$t"
  if stale "$bin" "$src" "$LIB" "${HEADERS[@]}"; then
    echo "  LD  $bin"
    "$CC" "${COMMON[@]}" "${TARGET_SAN[@]}" "$src" "$LIB" "${PKG_LIBS[@]}" -o "$bin"
  fi
done

# 3. The seed generator: the game target's script interpreter with a main
# of its own (no libFuzzer), which plays scripted sessions and writes what
# they log as seeds for the record target, and the decks' MessagePack
# forms as seeds for the deck target.
if stale "$OUT/seed_gen" tests/fuzz/fuzz_game.c "$LIB" "${HEADERS[@]}"; then
  echo "  LD  $OUT/seed_gen"
  "$CC" "${COMMON[@]}" -fsanitize=address,undefined -DFUZZ_SEED_MAIN tests/fuzz/fuzz_game.c "$LIB" \
    "${PKG_LIBS[@]}" -o "$OUT/seed_gen" -fsanitize=fuzzer-no-link
fi

# 4. Seed corpora (regenerated each build; libFuzzer adds what it finds).
C="$OUT/corpus"
mkdir -p "$C/decode" "$C/game" "$C/record" "$C/deck"
if stale "$C/decode/.stamp" protocol/vectors/client.json; then
  # shellcheck disable=SC2016 # the script is JavaScript
  node -e '
    const fs = require("fs");
    const [vectors, dir] = process.argv.slice(1);
    const v = JSON.parse(fs.readFileSync(vectors, "utf8")).vectors;
    for (const x of v) fs.writeFileSync(`${dir}/vector-${x.name}`, Buffer.from(x.hex, "hex"));
    console.log(`  seeds: ${v.length} client vectors`);
  ' protocol/vectors/client.json "$C/decode"
  touch "$C/decode/.stamp"
fi
if stale "$C/record/.stamp" "$OUT/seed_gen" decks/*.json; then
  "$OUT/seed_gen" "$C" decks/*.json
  touch "$C/record/.stamp"
fi
