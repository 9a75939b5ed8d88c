#!/usr/bin/env bash
# bench/smoke.sh: a tiny CI run of verrijk-bench against the real server (three small scenarios, a few seconds).
#
# usage: bench/smoke.sh [SERVER_BINARY] [BENCH_BINARY]
#   defaults: build/server/verrijk and build/bench/verrijk-bench (relative to the repo root)
# Runs bench/wire_test.mjs (when node is there), then starts the server on
# 127.0.0.1 with a free port and a temporary --data and --web,
# runs connect, rounds (with one slow reader) and burst with --json --pid, and fails when a run fails,
# delivers no events, or reports a protocol error. Ends only the server it started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVER="${1:-$ROOT/build/server/verrijk}"
BENCH="${2:-$ROOT/build/bench/verrijk-bench}"
DECKS="$ROOT/decks"
DECK_FILE="$DECKS/verrijkte-leeromgevingen.json"
START_TRIES=5
RUN_TIMEOUT=60

for bin in "$SERVER" "$BENCH"; do
  if [[ ! -x "$bin" ]]; then
    echo "smoke: $bin is not an executable (build first)" >&2
    exit 2
  fi
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/verrijk-bench-smoke.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$TMP/web" "$TMP/data"
echo '<!doctype html><title>verrijk</title>' > "$TMP/web/index.html"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free port: one nobody answers on, then the server must come up on it
# (another process may take it in between: try again with another one).
PORT=""
for _ in $(seq "$START_TRIES"); do
  candidate=$(( 20000 + RANDOM % 40000 ))
  port_open "$candidate" && continue
  "$SERVER" --host 127.0.0.1 --port "$candidate" --data "$TMP/data" --web "$TMP/web" \
    --decks "$DECKS" --sync batch --max-creates-per-hour 1000000 --max-connections-per-address 1000000 \
    > "$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    port_open "$candidate" && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$SERVER_PID" 2>/dev/null && port_open "$candidate"; then
    PORT="$candidate"
    break
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
done
if [[ -z "$PORT" ]]; then
  echo "smoke: the server did not start; its output:" >&2
  cat "$TMP/server.log" >&2
  exit 1
fi

# Reads one numeric field of the bench's JSON (node when present, else sed).
field() {
  if command -v node > /dev/null; then
    node -e 'const o = JSON.parse(require("fs").readFileSync(0, "utf8")); const v = o[process.argv[1]]; console.log(v === undefined || v === null ? "" : v);' "$2" < "$1"
  else
    sed -n "s/.*\"$2\":\([0-9.eE+-]*\).*/\1/p" "$1"
  fi
}

FAILED=0
run() {
  local name="$1"; shift
  local out="$TMP/$name.json"
  if ! timeout "$RUN_TIMEOUT" "$BENCH" "$name" --url "ws://127.0.0.1:$PORT" --pid "$SERVER_PID" \
      --deck-file "$DECK_FILE" --timeout "$RUN_TIMEOUT" --json "$@" > "$out" 2> "$TMP/$name.err"; then
    echo "smoke: $name failed:" >&2
    cat "$TMP/$name.err" "$out" >&2
    FAILED=1
    return
  fi
  local bad=""
  for key in protocol_violations seq_gaps errors_total dropped failed; do
    [[ "$(field "$out" "$key")" == "0" ]] || bad="$bad $key=$(field "$out" "$key")"
  done
  [[ "$(field "$out" established)" == "$(field "$out" connections)" ]] || bad="$bad established=$(field "$out" established)"
  if [[ "$name" != connect ]]; then
    local events
    events="$(field "$out" events)"
    [[ -n "$events" && "$events" != 0 ]] || bad="$bad events=$events"
  fi
  if [[ -n "$bad" ]]; then
    echo "smoke: $name:$bad" >&2
    cat "$out" >&2
    FAILED=1
    return
  fi
  echo "smoke: $name ok: $(cat "$out")"
}

# The client's own wire handling first (fragments, pings, lengths), against a scripted server.
if command -v node > /dev/null; then
  if ! timeout "$RUN_TIMEOUT" node "$ROOT/bench/wire_test.mjs" "$BENCH"; then
    FAILED=1
  fi
else
  echo "smoke: node not found, bench/wire_test.mjs skipped"
fi

run rounds --rooms 2 --members 4 --seconds 2 --slow-readers 1
run connect --rooms 2 --members 4 --hold 1
run burst --rooms 2 --members 4 --repeat 1

# The side-by-side comparison, CI-sized (about 15 s): the socket test of a
# played round against our server and the Node.js peer, then the floor
# (verrijk-floor) with the traffic of the rounds run above.
FLOOR="$(dirname "$BENCH")/verrijk-floor"
if [[ ! -d "$ROOT/bench/peers/node/node_modules" ]] || ! command -v node > /dev/null; then
  echo "smoke: bench/peers/node has no node_modules (npm ci there): the peer comparison is skipped"
else
  if ! (cd "$ROOT" && VERRIJK_BIN="$SERVER" timeout "$RUN_TIMEOUT" node --test bench/peers/peer_round.test.mjs > "$TMP/peers.out" 2>&1); then
    echo "smoke: bench/peers/peer_round.test.mjs failed:" >&2
    cat "$TMP/peers.out" >&2
    FAILED=1
  else
    echo "smoke: peer_round ok (verrijk and the node peer)"
  fi
fi
if [[ -x "$FLOOR" ]]; then
  out="$TMP/rounds.json"
  args=(--conns "$(field "$out" connections)" --frames "$(field "$out" frames)" --bytes "$(field "$out" bytes_in)"
    --in-frames "$(field "$out" frames_out)" --in-bytes "$(field "$out" bytes_out)" --seconds 2 --events "$(field "$out" events)")
  # The real mix of frame sizes, when node can read it from the report.
  if command -v node > /dev/null; then
    args+=(--sizes "$(node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(r.frame_sizes.map(([n, b]) => `${n}:${b}`).join(","));' < "$out")")
  fi
  if ! timeout "$RUN_TIMEOUT" "$FLOOR" "${args[@]}" --json > "$TMP/floor.json" 2> "$TMP/floor.err"; then
    echo "smoke: verrijk-floor ${args[*]} failed:" >&2
    cat "$TMP/floor.err" "$TMP/floor.json" >&2
    FAILED=1
  else
    echo "smoke: floor ok: $(cat "$TMP/floor.json")"
  fi
fi

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "smoke: the server died during the runs; its output:" >&2
  cat "$TMP/server.log" >&2
  FAILED=1
fi
if [[ "$FAILED" != 0 ]]; then
  exit 1
fi
echo "smoke: all scenarios passed"
