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
# A format 2 deck with windows, kept with the tests so the trace does not follow the default deck's content.
"$build/gen_trace" tests/decks/vensters-v2.json web-client/test/server-trace/trace.msgpack
