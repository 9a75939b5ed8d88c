#!/usr/bin/env bash
# bench/profile.sh - profiles the server's hot path under verrijk-bench: perf (where the CPU goes), strace -c (syscalls per delivered event), callgrind (instructions per delivered event).
#
#   bench/profile.sh [SERVER]      writes bench/results/profile-{perf,strace,callgrind}.txt
#   PARTS="callgrind" bench/profile.sh   only the parts named
#
# Each part starts the server on 127.0.0.1 with a fresh data directory
# (core 0; the bench on core 1) and ends it by its PID. Delivered events in
# a window are counted from the server's /metrics: frames sent, and events
# logged × 8 (in `rounds` every event goes to all 8 members of its room).
# Needs perf, strace, valgrind and curl; a part whose tool is missing is
# skipped and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER=${1:-build/server/verrijk}
BENCH=${BENCH:-build/bench/verrijk-bench}
PORT=${PORT:-18932}
OUT=bench/results
mkdir -p "$OUT"

# shellcheck source=bench/lib.sh
. bench/lib.sh
trap bench_stop EXIT

want() { [[ " ${PARTS:-perf floor strace callgrind} " == *" $1 "* ]]; }

counters() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^verrijk_(events_total|frames_sent_total) / {printf "%s=%s ", $1, $2}'; }

window_note() { # BEFORE AFTER
  node -e '
    const p = (s) => Object.fromEntries(s.trim().split(/\s+/).map((kv) => kv.split("=")).map(([k, v]) => [k, Number(v)]));
    const a = p(process.argv[1]), b = p(process.argv[2]);
    const ev = b.verrijk_events_total - a.verrijk_events_total, fr = b.verrijk_frames_sent_total - a.verrijk_frames_sent_total;
    console.log(`window: ${ev} events logged, ~${ev * 8} delivered, ${fr} frames sent`);' "$1" "$2"
}

# perf: rounds at full speed, rooms of 8, 300 rooms (the server saturated).
if ! want perf; then
  :
elif command -v perf >/dev/null; then
  echo "==> perf (rounds, 300 rooms of 8, unpaced)"
  bench_start "$PORT" batch "$SERVER" taskset -c 0
  taskset -c 1 "$BENCH" rounds --url "ws://127.0.0.1:$PORT" --rooms 300 --members 8 --seconds 12 --pid "$bench_pid" --json >"$OUT/profile-perf-bench.json" &
  b=$!
  sleep 5
  perf record -g -o "$bench_data.perf" -p "$bench_pid" -- sleep 5 >/dev/null 2>&1
  wait "$b"
  {
    echo "# perf: rounds, 300 rooms of 8, unpaced, --sync batch; 5 s of the server (all threads)"
    echo "## by shared object"
    perf report -i "$bench_data.perf" --no-children --sort dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9]'
    echo "## where system calls and the main steps go (children included)"
    perf report -i "$bench_data.perf" --children --stdio -g none 2>/dev/null |
      grep -E '__send$|__x64_sys_sendto$|__libc_pwrite|__libc_recv|__x64_sys_epoll_wait|__x64_sys_futex|__x64_sys_openat|getrandom$|syncfs$|tcp_sendmsg_locked|tcp_v4_rcv|sock_def_readable|try_to_wake_up|_raw_spin_unlock_irqrestore|net_ws_flush|live_settle|vp_decode|game_decide|evlog_appendv'
    echo "## top symbols (self)"
    perf report -i "$bench_data.perf" --no-children --stdio -g none --percent-limit 0.8 2>/dev/null | grep -E '^ +[0-9]'
  } >"$OUT/profile-perf.txt"
  rm -f "$bench_data.perf"
  bench_stop
else
  echo "profile: perf is not installed; skipped" | tee "$OUT/profile-perf.txt"
fi

# The floor under perf: verrijk-floor with the traffic of the perf run
# above (its frames, bytes and intents; the whole run, not 5 s, so the
# shares compare but not the sample counts): what the same sends cost
# without the server's other work. BENCH.md's "server ÷ floor" is the
# ratio; this says which part of the server's CPU is the sends.
FLOOR=${FLOOR:-build/bench/verrijk-floor}
if ! want floor; then
  :
elif command -v perf >/dev/null && [[ -x "$FLOOR" && -s "$OUT/profile-perf-bench.json" ]]; then
  echo "==> perf of the floor (the perf run's traffic)"
  args=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(["--conns", r.connections, "--frames", r.frames, "--bytes", r.bytes_in, "--in-frames", r.frames_out,
      "--in-bytes", r.bytes_out, "--seconds", r.measured_s.toFixed(3), "--events", r.events].join(" "));' "$OUT/profile-perf-bench.json")
  fp=$(mktemp "${TMPDIR:-/tmp}/verrijk-floor-perf-XXXXXX")
  # shellcheck disable=SC2086
  perf record -g -o "$fp" -- "$FLOOR" $args --server-cpu 0 --client-cpu 1 >"$fp.txt" 2>/dev/null || true
  {
    echo "# perf: verrijk-floor $args (its server side: the sends and receives of the perf run above)"
    cat "$fp.txt"
    echo "## where system calls go (children included; both of the floor's processes, the server side is core 0)"
    perf report -i "$fp" --children --stdio -g none --sort pid,sym 2>/dev/null |
      grep -E '__send$|__libc_recv|__x64_sys_epoll_wait|tcp_sendmsg_locked|tcp_v4_rcv|__x64_sys_sendto$' | head -20
  } >"$OUT/profile-floor.txt"
  rm -f "$fp" "$fp.txt"
else
  echo "profile: the floor's profile needs perf, $FLOOR and the perf run's report; skipped" | tee "$OUT/profile-floor.txt"
fi

# strace -c: rounds paced at 3000 intents/s (the server not saturated), 5 s.
if ! want strace; then
  :
elif command -v strace >/dev/null; then
  echo "==> strace -c (rounds, 300 rooms of 8, 3000 intents/s)"
  bench_start "$PORT" batch "$SERVER" taskset -c 0
  taskset -c 1 "$BENCH" rounds --url "ws://127.0.0.1:$PORT" --rooms 300 --members 8 --seconds 12 --rate 3000 --pid "$bench_pid" >/dev/null &
  b=$!
  sleep 4
  m0=$(counters)
  timeout -s INT 5 strace -c -f -p "$bench_pid" -o "$bench_data.strace" || true
  m1=$(counters)
  wait "$b"
  {
    echo "# strace -c -f: rounds, 300 rooms of 8, 3000 intents/s, --sync batch; 5 s of the server (all threads)"
    window_note "$m0" "$m1"
    cat "$bench_data.strace"
  } >"$OUT/profile-strace.txt"
  rm -f "$bench_data.strace"
  bench_stop
else
  echo "profile: strace is not installed; skipped" | tee "$OUT/profile-strace.txt"
fi

# callgrind: instructions (user space) per delivered event, 10 s of a
# paced run; the count does not depend on how busy the machine is.
if ! want callgrind; then
  :
elif command -v valgrind >/dev/null; then
  echo "==> callgrind (rounds, 20 rooms of 8, 100 intents/s)"
  cg=$(mktemp "${TMPDIR:-/tmp}/verrijk-callgrind-XXXXXX")
  bench_start "$PORT" batch "$SERVER" valgrind --tool=callgrind --callgrind-out-file="$cg" --instr-atstart=no --dump-instr=no
  "$BENCH" rounds --url "ws://127.0.0.1:$PORT" --rooms 20 --members 8 --seconds 25 --rate 100 --timeout 200 >/dev/null &
  b=$!
  sleep 8
  m0=$(counters)
  callgrind_control -i on "$bench_pid" >/dev/null
  sleep 10
  callgrind_control -i off "$bench_pid" >/dev/null
  m1=$(counters)
  wait "$b"
  # The counts are written when the server ends.
  kill "$bench_pid"; wait "$bench_pid" 2>/dev/null || true; bench_pid=""
  {
    echo "# callgrind: rounds, 20 rooms of 8, 100 intents/s, --sync batch; 10 s of the server, user space only"
    window_note "$m0" "$m1"
    callgrind_annotate --inclusive=no "$cg" 2>/dev/null | grep -E '^ *[0-9,]+ ' | awk 'NR <= 30' | sed "s|$PWD/||g"
  } >"$OUT/profile-callgrind.txt"
  rm -f "$cg"
  bench_stop
else
  echo "profile: valgrind is not installed; skipped" | tee "$OUT/profile-callgrind.txt"
fi
echo "==> wrote $OUT/profile-{perf,floor,strace,callgrind}.txt"
