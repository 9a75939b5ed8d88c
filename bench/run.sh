#!/usr/bin/env bash
# bench/run.sh - runs the standard benchmark scenarios at several sizes and --sync modes, then writes bench/BENCH.md.
#
# Not a test: nothing here asserts. Every run starts the real server on
# 127.0.0.1 with a fresh data directory, pinned to core 0 (taskset), and
# verrijk-bench pinned to core 1, and ends the server by its PID. Results
# go to bench/results/latest.jsonl (one JSON object per run, with the run's
# parameters); bench/report.mjs turns them into bench/BENCH.md.
#
#   bench/run.sh              the full set (about 30 minutes on 2 cores)
#   QUICK=1 bench/run.sh      small sizes only, a few minutes
#
# Knobs (environment): SIZES ("1000 5000 18000": connections), MODES
# ("none batch always"), RUN_S (seconds per rounds run, 10), SERVER and
# BENCH (the binaries), DATA_ROOT (where the data directories go: the disk
# --sync is meant to measure; default the system's temporary directory),
# CURVE_RATES (intents/s for the latency curve at the largest size),
# BASELINE (another build of the server, e.g. of an older commit: a few
# runs are repeated with it for a before/after table), NO_PROFILE=1 (skip
# bench/profile.sh).
#
# Side by side (first, and BENCH.md's first table): the same scenarios
# against this server, each peer of bench/peers/ (PEERS, default "node";
# its packages: npm ci in bench/peers/node) and the floor of each run
# (verrijk-floor: the same sends with no protocol work). SIDE_N
# connections (2000) for rounds, paced rounds (SIDE_RATE intents/s, 2000)
# and bursts; IDLE_N (18000) idle connections for memory. ONLY_SIDE=1
# runs this part only; NO_SIDE=1 skips it. Then one server against two,
# directly and behind nginx running deploy/nginx.conf (NO_PROXY=1 skips
# the proxy runs).
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER=${SERVER:-build/server/verrijk}
BENCH=${BENCH:-build/bench/verrijk-bench}
FLOOR=${FLOOR:-build/bench/verrijk-floor}
PEERS=${PEERS:-node}
SIDE_RATE=${SIDE_RATE:-2000}
DATA_ROOT=${DATA_ROOT:-${TMPDIR:-/tmp}}
RUN_S=${RUN_S:-10}
if [[ -n "${QUICK:-}" ]]; then
  SIZES=${SIZES:-"400 1000"}
  MODES=${MODES:-"none batch always"}
  CURVE_RATES=${CURVE_RATES:-"100 1000 4000"}
  RUN_S=${RUN_S_QUICK:-4}
  SIDE_N=${SIDE_N:-400}
  IDLE_N=${IDLE_N:-2000}
else
  SIDE_N=${SIDE_N:-2000}
  IDLE_N=${IDLE_N:-18000}
  SIZES=${SIZES:-"1000 5000 18000"}
  MODES=${MODES:-"none batch always"}
  # 1,800 intents/s is every member of 18,000 acting about every 10 s.
  CURVE_RATES=${CURVE_RATES:-"1800 3600 5400 7200 10800 14400 20000"}
fi
PORT=${PORT:-18931}
RESULTS=bench/results
OUT_JSONL=$RESULTS/latest.jsonl

for f in "$SERVER" "$BENCH" "$FLOOR"; do
  [[ -x "$f" ]] || { echo "bench/run.sh: $f is missing: build first (cmake --build build)" >&2; exit 1; }
done
command -v taskset >/dev/null || { echo "bench/run.sh: taskset (util-linux) is needed" >&2; exit 1; }
mkdir -p "$RESULTS"
: > "$OUT_JSONL.tmp"

# shellcheck source=bench/lib.sh
. bench/lib.sh
trap bench_stop EXIT

# run LABEL SYNC SCENARIO ARGS...: one server, one bench run, one JSON line
# (with the load average when it began: the machine may not be idle).
# RUN_PEER=NAME runs it against that peer of bench/peers/ instead.
run() {
  local label=$1 sync=$2 scenario=$3; shift 3
  if [[ -n "${RUN_PEER:-}" ]]; then
    bench_start_peer "$PORT" "$RUN_PEER" taskset -c 0 || exit 1
  else
    bench_start "$PORT" "$sync" "${RUN_BINARY:-$SERVER}" taskset -c 0 || exit 1
  fi
  local json rc=0 load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  json=$(taskset -c 1 "$BENCH" "$scenario" --url "ws://127.0.0.1:$PORT" --pid "$bench_pid" --json "$@") || rc=$?
  bench_stop
  if [[ -z "$json" ]]; then
    echo "bench/run.sh: $label gave no report (exit $rc)" >&2
    return 0
  fi
  printf '%s\n' "$json" | node -e '
    const [label, sync, scenario, args, rc, target, load] = process.argv.slice(1);
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const r = JSON.parse(s);
      console.log(JSON.stringify({ label, sync, scenario, args, exit: Number(rc), target, load, at: new Date().toISOString(), ...r }));
    });' "$label" "$sync" "$scenario" "$*" "$rc" "${RUN_PEER:-verrijk}" "$load" >>"$OUT_JSONL.tmp"
  echo "  $label ($sync): exit $rc"
}

# floor LABEL: verrijk-floor with the traffic of the last run (a rounds or
# burst run): its connections, the frames the members read (their sizes
# as they were: frame_sizes) and the messages they sent in the measured
# interval, the same interval (bursts: in as many bursts). Its server side on core 0, its clients on core 1.
floor() {
  local label=$1 args json rc=0 load
  args=$(tail -n 1 "$OUT_JSONL.tmp" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const r = JSON.parse(s);
      const a = ["--conns", r.connections, "--frames", r.frames, "--bytes", r.bytes_in, "--in-frames", r.frames_out,
        "--in-bytes", r.bytes_out, "--seconds", r.measured_s.toFixed(3), "--events", r.events];
      if (r.scenario === "burst") a.push("--bursts", r.repeat);
      // The real mix of frame sizes (it then sets --frames and --bytes).
      if (r.frame_sizes?.length) a.push("--sizes", r.frame_sizes.map(([n, b]) => `${n}:${b}`).join(","));
      console.log(a.join(" "));
    });')
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  # shellcheck disable=SC2086
  json=$("$FLOOR" $args --server-cpu 0 --client-cpu 1 --json) || rc=$?
  if [[ -z "$json" ]]; then
    echo "bench/run.sh: $label gave no report (exit $rc)" >&2
    return 0
  fi
  printf '%s\n' "$json" | node -e '
    const [label, args, rc, load] = process.argv.slice(1);
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      console.log(JSON.stringify({ label, scenario: "floor", target: "floor", args, exit: Number(rc), load, at: new Date().toISOString(), ...JSON.parse(s) }));
    });' "$label" "$args" "$rc" "$load" >>"$OUT_JSONL.tmp"
  echo "  $label: exit $rc"
}

# side WHAT SCENARIO ARGS...: WHAT against this server, then each peer,
# each followed by its floor (but the idle connections: no sends to copy).
side() {
  local what=$1 scenario=$2; shift 2
  local who
  for who in verrijk $PEERS; do
    if [[ $who == verrijk ]]; then
      run "side verrijk: $what" batch "$scenario" "$@"
    else
      RUN_PEER=$who run "side $who: $what" batch "$scenario" "$@"
    fi
    if [[ $scenario != connect ]]; then floor "side floor of $who: $what"; fi
  done
}

if [[ -z "${NO_SIDE:-}" ]]; then
  echo "==> side by side: this server, peers [$PEERS] and the floor; $SIDE_N connections, $IDLE_N idle"
  side "rounds (rooms of 8)" rounds --rooms $((SIDE_N / 8)) --members 8 --seconds "$RUN_S"
  side "rounds (rooms of 40)" rounds --rooms $((SIDE_N / 40)) --members 40 --seconds "$RUN_S"
  side "paced rounds @ $SIDE_RATE/s (rooms of 8)" rounds --rooms $((SIDE_N / 8)) --members 8 --seconds "$RUN_S" --rate "$SIDE_RATE"
  side "burst (rooms of 8)" burst --rooms $((SIDE_N / 8)) --members 8 --repeat 3
  side "idle" connect --rooms $((IDLE_N / 8)) --members 8 --hold 3
fi
# The big View: join and resume of a room with 100 members and a round's
# notes full (bench/bigview.mjs), on this server.
if [[ -z "${NO_SIDE:-}" ]]; then
  bench_start "$PORT" batch "$SERVER" taskset -c 0 || exit 1
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  if json=$(taskset -c 1 node bench/bigview.mjs --port "$PORT" --pid "$bench_pid" --resumes 50 --json); then
    printf '%s\n' "$json" | node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        console.log(JSON.stringify({ label: "bigview", scenario: "bigview", target: "verrijk", sync: "batch", load: process.argv[1], at: new Date().toISOString(), ...JSON.parse(s) }));
      });' "$load" >>"$OUT_JSONL.tmp"
    echo "  bigview: ok"
  else
    echo "bench/run.sh: bench/bigview.mjs failed" >&2
  fi
  bench_stop
fi
# Every core: one server (core 0, the bench on core 1) against two
# servers, one per core, each with half the rooms and its own bench on the
# other core, started together (what the proxy's hash on the room code
# does, without the proxy: deploy/README.md says what it adds). The benches
# share the cores with the servers, so each server's CPU per event is
# reported next to the summed throughput.
multicore() {
  local n=$1 half=$(( $1 / 16 )) pa pb da db ja jb load
  run "multicore $n: 1 server" batch rounds --rooms $((n / 8)) --members 8 --seconds "$RUN_S"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  bench_start "$PORT" batch "$SERVER" taskset -c 0 || exit 1
  pa=$bench_pid da=$bench_data
  bench_start $((PORT + 1)) batch "$SERVER" taskset -c 1 || exit 1
  pb=$bench_pid db=$bench_data
  taskset -c 1 "$BENCH" rounds --url "ws://127.0.0.1:$PORT" --pid "$pa" --json --rooms "$half" --members 8 --seconds "$RUN_S" >"$da.json" &
  ja=$!
  taskset -c 0 "$BENCH" rounds --url "ws://127.0.0.1:$((PORT + 1))" --pid "$pb" --json --rooms "$half" --members 8 --seconds "$RUN_S" >"$db.json" &
  jb=$!
  wait "$ja" "$jb" || true
  for x in "a $da" "b $db"; do
    set -- $x
    node -e '
      const [label, load, f] = process.argv.slice(1);
      const r = JSON.parse(require("fs").readFileSync(f, "utf8"));
      console.log(JSON.stringify({ label, sync: "batch", scenario: "rounds", target: "verrijk", load, exit: 0, at: new Date().toISOString(), ...r }));' \
      "multicore $n: 2 servers, $1" "$load" "$2.json" >>"$OUT_JSONL.tmp" || echo "bench/run.sh: multicore server $1 gave no report" >&2
  done
  echo "  multicore $n: 2 servers"
  bench_stop
  bench_pid=$pa bench_data=$da
  bench_stop
}
if [[ -z "${NO_SIDE:-}" ]]; then
  multicore "$SIDE_N"
fi

# Every core behind the proxy: the same rounds through Debian's nginx
# running deploy/nginx.conf (bench/nginx_conf.mjs: loopback ports; one
# worker per core, as deployed) in front of one server, then of two, as
# a user would deploy them on this machine. Nothing is pinned: servers,
# nginx's workers and the bench share the two cores as the kernel
# schedules them, so the throughput is the machine's; the CPU of each
# part comes from /proc/PID/stat over the bench's measured interval (the
# servers' and nginx's workers' by --pid and --cpu-pid, the bench's own
# by getrusage), so each part's CPU per event stands apart.
proxy_servers=()
proxied() {
  local k=$1 n=$2 i port json rc=0 load args=() spids=() ports=()
  for ((i = 1; i <= k; i++)); do
    port=$((PORT + i))
    bench_start "$port" batch "$SERVER" || return 1
    proxy_servers+=("$bench_pid:$bench_data")
    spids+=("$bench_pid")
    ports+=("$port")
    bench_pid="" bench_data=""
  done
  if bench_start_proxy "$PORT" "${ports[@]}"; then
    args=(--pid "${spids[0]}")
    for i in "${spids[@]:1}" $proxy_workers; do args+=(--cpu-pid "$i"); done
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    json=$("$BENCH" rounds --url "ws://127.0.0.1:$PORT" --rooms $((n / 8)) --members 8 --seconds "$RUN_S" --json "${args[@]}") || rc=$?
    if [[ -n "$json" ]]; then
      printf '%s\n' "$json" | node -e '
        const [label, rc, load, servers, workers] = process.argv.slice(1);
        const ids = (s) => s.split(" ").filter(Boolean).map(Number);
        let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
          console.log(JSON.stringify({ label, sync: "batch", scenario: "rounds", target: "verrijk", exit: Number(rc), load,
            at: new Date().toISOString(), server_pids: ids(servers), proxy_pids: ids(workers), ...JSON.parse(s) }));
        });' "proxy $k: $n connections" "$rc" "$load" "${spids[*]}" "$proxy_workers" >>"$OUT_JSONL.tmp"
      echo "  proxy $k: exit $rc"
    else
      echo "bench/run.sh: proxy $k gave no report (exit $rc)" >&2
    fi
  fi
  proxied_stop
}
proxied_stop() {
  local e
  bench_stop_proxy
  for e in "${proxy_servers[@]}"; do
    bench_pid=${e%%:*} bench_data=${e#*:}
    bench_stop
  done
  proxy_servers=()
}
trap 'bench_stop; proxied_stop' EXIT
if [[ -z "${NO_SIDE:-}" && -z "${NO_PROXY:-}" ]]; then
  if command -v nginx >/dev/null; then
    proxied 1 "$SIDE_N" || echo "bench/run.sh: the run behind the proxy with 1 server failed" >&2
    proxied 2 "$SIDE_N" || echo "bench/run.sh: the run behind the proxy with 2 servers failed" >&2
  else
    echo "bench/run.sh: nginx is missing: the runs behind the proxy are skipped (apt-get install nginx)" >&2
  fi
fi

if [[ -n "${ONLY_SIDE:-}" ]]; then
  # The other runs of the last full run stay (BENCH.md says they are older).
  if [[ -f "$OUT_JSONL" ]]; then
    node -e '
      const fs = require("fs");
      const mine = (r) => /^(side |multicore |proxy |bigview)/.test(r.label);
      const old = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse).filter((r) => !mine(r));
      fs.appendFileSync(process.argv[2], old.map((r) => JSON.stringify(r) + "\n").join(""));' "$OUT_JSONL" "$OUT_JSONL.tmp"
  fi
  mv "$OUT_JSONL.tmp" "$OUT_JSONL"
  # The server's profile and the floor's, with the same traffic (what server ÷ floor is made of).
  [[ -n "${NO_PROFILE:-}" ]] || PARTS="perf floor" bench/profile.sh "$SERVER"
  node bench/report.mjs "$OUT_JSONL" bench/BENCH.md
  echo "==> wrote bench/BENCH.md (side by side, big View and every core rerun; the rest from the last full run)"
  exit 0
fi

echo "==> bench/run.sh: sizes [$SIZES], modes [$MODES], ${RUN_S} s per rounds run"
for sync in $MODES; do
  for n in $SIZES; do
    run "connect $n" "$sync" connect --rooms $((n / 8)) --members 8 --hold 3
    run "rounds $n (rooms of 8)" "$sync" rounds --rooms $((n / 8)) --members 8 --seconds "$RUN_S"
    run "rounds $n (rooms of 40)" "$sync" rounds --rooms $((n / 40)) --members 40 --seconds "$RUN_S"
    run "burst $n (rooms of 8)" "$sync" burst --rooms $((n / 8)) --members 8 --repeat 3
    run "burst $n (rooms of 40)" "$sync" burst --rooms $((n / 40)) --members 40 --repeat 3
  done
done

# Slow readers: the same paced run without and with 10 screens that stop
# reading (and keep asking for the whole state, so their queues fill within
# seconds); the server has CPU to spare, so latency shows interference,
# not queueing.
slow_n=${SLOW_SIZE:-1000}
for slow in 0 10; do
  run "slow readers $slow" batch rounds --rooms $((slow_n / 40)) --members 40 --seconds 15 --rate 500 \
    --slow-readers "$slow" --slow-resume 10
done

# The latency curve: the largest size, rooms of 8, --sync batch, the
# offered rate rising until p99 passes 50 ms.
largest=${SIZES##* }
for rate in $CURVE_RATES; do
  run "curve $largest @ $rate/s" batch rounds --rooms $((largest / 8)) --members 8 --seconds "$RUN_S" --rate "$rate"
  p99=$(tail -n 1 "$OUT_JSONL.tmp" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).latency_p99_ms ?? 0))')
  if node -e "process.exit(Number('$p99') > 50 ? 0 : 1)"; then break; fi
done

# Before and after: the same runs against BASELINE and this build.
if [[ -n "${BASELINE:-}" ]]; then
  largest=${SIZES##* }
  for who in baseline build; do
    bin=$SERVER; [[ $who == baseline ]] && bin=$BASELINE
    RUN_BINARY=$bin run "compare $who: connect $largest" batch connect --rooms $((largest / 8)) --members 8 --hold 3
    RUN_BINARY=$bin run "compare $who: rounds 2400 (rooms of 8)" batch rounds --rooms 300 --members 8 --seconds "$RUN_S"
    RUN_BINARY=$bin run "compare $who: rounds 2400 (rooms of 40)" batch rounds --rooms 60 --members 40 --seconds "$RUN_S"
    RUN_BINARY=$bin run "compare $who: rounds $largest @ $((largest / 10))/s" batch rounds --rooms $((largest / 8)) --members 8 \
      --seconds "$RUN_S" --rate $((largest / 10))
  done
fi

mv "$OUT_JSONL.tmp" "$OUT_JSONL"
if [[ -z "${NO_PROFILE:-}" ]]; then
  bench/profile.sh "$SERVER"
fi
node bench/report.mjs "$OUT_JSONL" bench/BENCH.md
echo "==> wrote bench/BENCH.md"
