# bench/lib.sh - starts and ends the server for bench/run.sh and bench/profile.sh (sourced, not run).
#
# bench_start PORT SYNC BINARY [WRAPPER...]: the server on 127.0.0.1:PORT
# with a fresh data directory, run under WRAPPER (taskset, valgrind);
# sets bench_pid and bench_data, and returns once the port answers.
# bench_start_peer PORT NAME [WRAPPER...]: a peer of bench/peers/ (node)
# instead, the same way (bench_pid, bench_data for its log).
# bench_stop: ends that server by its PID and removes its data.
# bench_start_proxy PORT UPSTREAM_PORT...: Debian's nginx running
# deploy/nginx.conf (bench/nginx_conf.mjs: loopback ports) on 127.0.0.1:PORT
# in front of the servers on those ports; sets proxy_pid (the master) and
# proxy_workers (its workers' PIDs, whose CPU the bench reads).
# bench_stop_proxy: ends it by its PID.

bench_pid=""
bench_data=""

bench_start() {
  local port=$1 sync=$2 bin=$3
  shift 3
  bench_data=$(mktemp -d "${DATA_ROOT:-${TMPDIR:-/tmp}}/verrijk-bench-XXXXXX")
  # The load comes from a few loopback addresses (--sources): the
  # per-address budgets, meant for people, would refuse it; and setting up
  # thousands of connections may keep some waiting for their room longer
  # than the join timeout.
  "$@" "$bin" --host 127.0.0.1 --port "$port" --data "$bench_data" --web web-client/dist \
    --sync "$sync" --max-creates-per-hour 1000000 --max-connections-per-address 1000000 \
    --join-timeout-seconds 3600 >"$bench_data.log" 2>&1 &
  bench_pid=$!
  bench_wait_port "$port"
}

bench_start_peer() {
  local port=$1 name=$2
  shift 2
  bench_data=$(mktemp -d "${TMPDIR:-/tmp}/verrijk-peer-XXXXXX")
  case $name in
    # Its best settings: production mode (ws and msgpack need no more).
    node) NODE_ENV=production "$@" node bench/peers/node/server.mjs --host 127.0.0.1 --port "$port" --decks decks \
      >"$bench_data.log" 2>&1 & ;;
    *) echo "bench: no peer named $name" >&2; return 1 ;;
  esac
  bench_pid=$!
  bench_wait_port "$port"
}

bench_wait_port() {
  local port=$1
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$bench_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: the server did not start:" >&2
  cat "$bench_data.log" >&2
  return 1
}

bench_stop() {
  if [[ -n "$bench_pid" ]]; then
    kill "$bench_pid" 2>/dev/null || true
    wait "$bench_pid" 2>/dev/null || true
    bench_pid=""
  fi
  if [[ -n "$bench_data" ]]; then
    rm -rf "$bench_data" "$bench_data.log"
    bench_data=""
  fi
}

proxy_pid=""
proxy_dir=""
proxy_workers=""

bench_start_proxy() {
  local port=$1
  shift
  command -v nginx >/dev/null || { echo "bench: nginx is missing (apt-get install nginx)" >&2; return 1; }
  proxy_dir=$(mktemp -d "${TMPDIR:-/tmp}/verrijk-proxy-XXXXXX")
  mkdir -p "$proxy_dir/tmp"
  # Started as root, nginx's workers run as nobody and must reach these.
  chmod 755 "$proxy_dir" "$proxy_dir/tmp"
  node bench/nginx_conf.mjs "$port" "$proxy_dir" "$@" >"$proxy_dir/nginx.conf" || return 1
  # Two descriptors per proxied WebSocket: its soft limit up to the hard
  # one (nginx_conf.mjs drops deploy's worker_rlimit_nofile, above it here).
  (ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    exec nginx -c "$proxy_dir/nginx.conf" -p "$proxy_dir" -g "daemon off; pid $proxy_dir/nginx.pid;") >"$proxy_dir/out.log" 2>&1 &
  proxy_pid=$!
  for _ in $(seq 300); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
      proxy_workers=$(ps --ppid "$proxy_pid" -o pid= | tr -s ' \n' ' ')
      [[ -n "${proxy_workers// /}" ]] && return 0
    fi
    kill -0 "$proxy_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: nginx did not start:" >&2
  cat "$proxy_dir/out.log" >&2
  return 1
}

bench_stop_proxy() {
  if [[ -n "$proxy_pid" ]]; then
    kill "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
    proxy_pid=""
  fi
  if [[ -n "$proxy_dir" ]]; then
    rm -rf "$proxy_dir"
    proxy_dir=""
  fi
  proxy_workers=""
}
