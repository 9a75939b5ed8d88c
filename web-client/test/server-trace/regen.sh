#!/usr/bin/env bash
# regen.sh - rebuilds trace.msgpack from the current game core (see gen_trace.c); run from anywhere.
# Usage: web-client/test/server-trace/regen.sh [BUILD_DIR]   (default: build; the libraries must be built there)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="${1:-build}"
cd "$root"
cmake --build "$build" --target verrijk_game verrijk_protocol >/dev/null
cc -std=c11 -Wall -Wextra -Werror -Iserver -Iprotocol/include \
   web-client/test/server-trace/gen_trace.c \
   "$build/server/libverrijk_game.a" "$build/protocol/libverrijk_protocol.a" \
   -lmsgpackc -ljansson -lcrypto -o "$build/gen_trace"
"$build/gen_trace" decks/verrijkte-leeromgevingen.json web-client/test/server-trace/trace.msgpack
