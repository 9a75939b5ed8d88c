// report.mjs - turns the JSON lines of bench/run.sh into the generated part of bench/BENCH.md (machine, commands, tables, targets).
//
// Usage: node bench/report.mjs RESULTS.jsonl BENCH.md
//
// Everything above the line `<!-- end of generated part -->` is rewritten;
// what follows it (the analysis, the profiles, what was changed) is kept
// as it is, so the report can be regenerated from a new run without losing
// the text a person wrote about the last one.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const [resultsPath, outPath] = process.argv.slice(2);
if (!resultsPath || !outPath) {
  console.error('usage: node bench/report.mjs RESULTS.jsonl BENCH.md');
  process.exit(1);
}
const MARK = '<!-- end of generated part -->';
const runs = readFileSync(resultsPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

const sh = (cmd, args) => {
  try { return execFileSync(cmd, args, { encoding: 'utf8' }).trim(); } catch { return '?'; }
};
const num = (v, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
const ms = (v) => num(v, v != null && v < 10 ? 2 : 1);
const table = (head, rows) => [
  `| ${head.join(' | ')} |`,
  `|${head.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const errs = (r) => (r.errors_total || r.protocol_violations || r.seq_gaps || r.dropped
  ? `${r.errors_total ?? 0} / ${r.protocol_violations ?? 0} / ${r.seq_gaps ?? 0} / ${r.dropped ?? 0}` : '0');

const cpu = (os.cpus()[0] || {}).model || '?';
const machine = [
  `- CPU: ${os.cpus().length} × ${cpu} (${sh('sh', ['-c', 'grep -m1 -o "hypervisor" /proc/cpuinfo || echo "bare metal"'])})`,
  `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; kernel ${os.release()}; ${sh('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'])}`,
  `- open files: ${sh('sh', ['-c', 'ulimit -Hn'])} per process (hard limit)`,
  `- data directory filesystem: ${sh('sh', ['-c', `df -T "\${DATA_ROOT:-\${TMPDIR:-/tmp}}" | awk 'NR==2 {print $2}'`])}`,
  `- server: commit ${sh('git', ['rev-parse', '--short', 'HEAD'])}, ${sh('sh', ['-c', 'grep -m1 CMAKE_BUILD_TYPE build/CMakeCache.txt | cut -d= -f2'])} build; pinned to core 0, verrijk-bench to core 1 (\`taskset\`), same run`,
  `- run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  // ONLY_SIDE=1 reruns the side-by-side part only and keeps the older runs.
  ...(runs.some((r) => !r.at) && runs.some((r) => r.at)
    ? [`- **two runs**: *Side by side*, *The big View* and *Every core* (with *Behind the proxy*) are from ${runs.filter((r) => r.at).map((r) => r.at).sort()[0].slice(0, 16).replace('T', ' ')} UTC (this commit); the tables from *Targets* on are from an earlier full run of \`bench/run.sh\`, before this commit's changes, not rerun`]
    : []),
].join('\n');

const special = (r) => r.label.startsWith('multicore') || r.label.startsWith('proxy ') || r.label.startsWith('side') || r.label.startsWith('curve') || r.label.startsWith('slow readers') || r.label.startsWith('compare');
const by = (scenario) => runs.filter((r) => r.scenario === scenario && !special(r));
const connect = by('connect');
const rounds = by('rounds');
const burst = by('burst');
const curve = runs.filter((r) => r.label.startsWith('curve'));
const slow = runs.filter((r) => r.label.startsWith('slow readers'));
const compare = runs.filter((r) => r.label.startsWith('compare baseline: ')).map((b) => {
  const what = b.label.slice('compare baseline: '.length);
  return { what, b, n: runs.find((r) => r.label === `compare build: ${what}`) };
}).filter((x) => x.n);
const cell = (r) => (r.scenario === 'connect'
  ? `${num(r.established)} of ${num(r.connections)} connected in ${ms(r.setup_s)} s (${num(r.server_cpu_setup_s, 1)} s server CPU), ${num(r.server_rss_per_conn_kib, 2)} KiB per connection`
  : `${num(r.events_per_s)} events/s, ${num(r.events_per_frame, 2)} per frame, p50 / p99 ${ms(r.latency_p50_ms)} / ${ms(r.latency_p99_ms)} ms, ${num(r.server_us_per_event, 2)} µs per event at ${num(100 * r.server_cpu_share)} % CPU`);
const compareTable = table(['run (--sync batch)', 'BASELINE', 'this build'], compare.map(({ what, b, n }) => [what, cell(b), cell(n)]));
// Side by side: per scenario, this server, each peer, and the floor of each (bench/run.sh's side()).
const sideRuns = runs.filter((r) => r.label.startsWith('side '));
const sideWhat = [...new Set(sideRuns.map((r) => r.label.replace(/^side (floor of )?[^:]+: /, '')))];
const sideOf = (who, what) => sideRuns.find((r) => r.label === `side ${who}: ${what}`);
const sideWho = [...new Set(sideRuns.filter((r) => !r.label.startsWith('side floor')).map((r) => r.target))];
const times = (a, b, d = 1) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? `${num(a / b, d)}×` : '–');
const sideRows = [];
for (const what of sideWhat) {
  const ours = sideOf('verrijk', what);
  for (const who of sideWho) {
    const r = sideOf(who, what);
    if (!r) continue;
    const f = sideOf(`floor of ${who}`, what);
    const name = who === 'verrijk' ? '**this server**' : `${who} peer`;
    const load = r.load ? r.load.split(' ')[0] : '–';
    if (r.scenario === 'connect') {
      sideRows.push([what, `${name}: ${num(r.established)} idle connections`, '–', '–', '–', '–', '–',
        `${num(r.server_rss_per_conn_kib, 2)} KiB${who === 'verrijk' ? '' : ` (${times(r.server_rss_per_conn_kib, ours?.server_rss_per_conn_kib, 2)})`}`, load]);
      continue;
    }
    const p99 = r.scenario === 'burst' ? r.burst_total_max_ms : r.latency_p99_ms;
    const vs = (a, b, d) => (who === 'verrijk' ? '' : ` (${times(a, b, d)})`);
    sideRows.push([what, `${name}, ${num(r.established)} connections`,
      `${num(r.events_per_s)}${vs(r.events_per_s, ours?.events_per_s, 2)}`, num(r.events_per_frame, 2),
      `${num(r.server_us_per_event, 2)}${vs(r.server_us_per_event, ours?.server_us_per_event, 1)}`,
      f ? `${num(f.floor_us_per_event, 2)} → **${times(r.server_us_per_event, f.floor_us_per_event, 2)}**` : '–',
      `${ms(p99)}${vs(p99, r.scenario === 'burst' ? ours?.burst_total_max_ms : ours?.latency_p99_ms, 1)}`, '–', load]);
  }
}
const sideTable = table(['scenario', 'server', 'delivered events/s (× this server)', 'events per frame', 'server µs CPU per event (× this server)',
  'its floor µs per event → server ÷ floor', 'p99 ms (× this server)', 'RSS per idle connection (× this server)', 'load (1 min) at start'], sideRows);

const bigview = runs.find((r) => r.scenario === 'bigview');
const us = (x) => (x ? `${num(x.p50)} / ${num(x.mean)} / ${num(x.max)}` : '–');
const bigviewTable = bigview ? table(['welcome after', 'count', 'bytes', 'ms, intent to whole frame: p50 / mean / max', 'server main-thread CPU µs: p50 / mean / max'], [
  ['join (90 → 100 members)', num(bigview.joins), num(bigview.join_welcome_bytes), `${ms(bigview.join_ms.p50)} / ${ms(bigview.join_ms.mean)} / ${ms(bigview.join_ms.max)}`, us(bigview.join_server_us)],
  ['resume (100 members)', num(bigview.resumes), num(bigview.resume_welcome_bytes), `${ms(bigview.resume_ms.p50)} / ${ms(bigview.resume_ms.mean)} / ${ms(bigview.resume_ms.max)}`, us(bigview.resume_server_us)],
]) : '';

// Every core: one server against two (bench/run.sh's multicore()).
const mc = runs.filter((r) => r.label.startsWith('multicore '));
const mcOne = mc.find((r) => r.label.endsWith(': 1 server'));
const mcTwo = mc.filter((r) => r.label.includes(': 2 servers'));
const mcSum = mcTwo.reduce((a, r) => a + (r.events_per_s || 0), 0);
const mcTable = mcOne && mcTwo.length === 2 ? table(['servers', 'delivered events/s', 'server µs CPU per event', 'server CPU', 'bench CPU', 'p99 ms', 'scaling'], [
  ['1 (core 0; bench on core 1)', num(mcOne.events_per_s), num(mcOne.server_us_per_event, 2), `${num(100 * mcOne.server_cpu_share)} %`, `${num(100 * mcOne.bench_cpu_share)} %`, ms(mcOne.latency_p99_ms), '1×'],
  ...mcTwo.map((r, i) => [`2: server ${i + 1} (core ${i}; its bench on core ${1 - i})`, num(r.events_per_s), num(r.server_us_per_event, 2), `${num(100 * r.server_cpu_share)} %`, `${num(100 * r.bench_cpu_share)} %`, ms(r.latency_p99_ms), '']),
  ['2, together', num(mcSum), num((mcTwo[0].server_cpu_s + mcTwo[1].server_cpu_s) / (mcTwo[0].events + mcTwo[1].events) * 1e6, 2), '', '', '', `**${num(mcSum / mcOne.events_per_s, 2)}×**`],
]) : '';

// Every core behind the proxy: nginx (deploy/nginx.conf) in front of one
// server, then two (bench/run.sh's proxied()). Each part's CPU over the
// bench's interval: the servers' (--pid and --cpu-pid), nginx's workers'
// (--cpu-pid), the bench's own.
const px = runs.filter((r) => r.label.startsWith('proxy ')).sort((a, b) => a.server_pids.length - b.server_pids.length);
const pxCpu = (r, pids) => (r.cpu_pids || []).filter((c) => pids.includes(c.pid)).reduce((a, c) => a + (c.cpu_s || 0), 0);
const pxParts = (r) => {
  const servers = (r.server_cpu_s || 0) + pxCpu(r, r.server_pids.slice(1));
  const proxy = pxCpu(r, r.proxy_pids);
  return { servers, proxy, bench: r.bench_cpu_s || 0 };
};
const perEvent = (cpuS, r) => (r.events ? num(cpuS / r.events * 1e6, 2) : '–');
const pxOne = px.find((r) => r.server_pids.length === 1);
const pxTable = px.length ? table(['servers behind nginx', 'delivered events/s', 'servers µs CPU per event', 'nginx µs CPU per event', 'bench µs CPU per event', 'all, µs per event', 'cores busy (of 2)', 'p99 ms', 'scaling'],
  px.map((r) => {
    const c = pxParts(r);
    const all = c.servers + c.proxy + c.bench;
    return [String(r.server_pids.length), num(r.events_per_s), perEvent(c.servers, r), perEvent(c.proxy, r), perEvent(c.bench, r), perEvent(all, r),
      num(all / r.measured_s, 2), ms(r.latency_p99_ms), pxOne && pxOne.events_per_s ? `**${num(r.events_per_s / pxOne.events_per_s, 2)}×**` : '–'];
  })) : '';

const profile = (name) => {
  const f = `bench/results/profile-${name}.txt`;
  return existsSync(f) ? `\`\`\`\n${readFileSync(f, 'utf8').trim()}\n\`\`\`` : 'Not run.';
};

const connectTable = table(
  ['--sync', 'connections', 'rooms', 'failed', 'connects/s', 'all welcomed (s)', 'server RSS before → after (MiB)', 'KiB per connection'],
  connect.map((r) => [r.sync, num(r.established), num(r.rooms), num(r.failed), num(r.connect_rate), ms(r.setup_s),
    `${num(r.server_rss_before_kib / 1024, 1)} → ${num(r.server_rss_after_kib / 1024, 1)}`, num(r.server_rss_per_conn_kib, 2)]));

const roundsTable = table(
  ['--sync', 'connections', 'room size', 'intents/s', 'delivered events/s', 'events per frame', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'server µs per event', 'server CPU', 'bench CPU', 'errors / violations / gaps / dropped'],
  rounds.map((r) => [r.sync, num(r.established), num(r.members), num(r.intents_per_s), num(r.events_per_s), num(r.events_per_frame, 2),
    ms(r.latency_p50_ms), ms(r.latency_p95_ms), ms(r.latency_p99_ms), ms(r.latency_max_ms), num(r.server_us_per_event, 2),
    `${num(100 * r.server_cpu_share)} %`, `${num(100 * r.bench_cpu_share)} %`, errs(r)]));

const burstTable = table(
  ['--sync', 'connections', 'room size', 'votes per burst', 'all revealed: p50 of bursts (ms)', 'max (ms)', 'per room p50 (ms)', 'per room p99 (ms)', 'errors'],
  burst.map((r) => [r.sync, num(r.established), num(r.members), num(r.votes_per_burst), ms(r.burst_total_p50_ms), ms(r.burst_total_max_ms),
    ms(r.room_p50_ms), ms(r.room_p99_ms), errs(r)]));

const curveTable = table(
  ['offered intents/s', 'intents/s', 'delivered events/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'server CPU', 'server µs per event'],
  curve.map((r) => [num(r.rate_target), num(r.intents_per_s), num(r.events_per_s), ms(r.latency_p50_ms), ms(r.latency_p95_ms),
    ms(r.latency_p99_ms), ms(r.latency_max_ms), `${num(100 * r.server_cpu_share)} %`, num(r.server_us_per_event, 2)]));

const slowTable = table(
  ['slow readers', 'closed by the server', 'closed after (s, max)', 'p50 / p99 ms, rooms with one', 'p50 / p99 ms, other rooms', 'p99 ms, all', 'server RSS at start → peak (MiB)', 'server CPU'],
  slow.map((r) => [num(r.slow_readers ?? 0), r.slow_readers ? `${num((r.slow_closed_1008 ?? 0) + (r.slow_closed_other ?? 0))} of ${num(r.slow_readers)}` : '–',
    r.slow_readers ? ms(r.slow_close_s_max) : '–',
    r.slow_readers ? `${ms(r.latency_slow_rooms_p50_ms)} / ${ms(r.latency_slow_rooms_p99_ms)}` : '–',
    r.slow_readers ? `${ms(r.latency_other_rooms_p50_ms)} / ${ms(r.latency_other_rooms_p99_ms)}` : `${ms(r.latency_p50_ms)} / ${ms(r.latency_p99_ms)}`,
    ms(r.latency_p99_ms), `${num(r.server_rss_measure_start_kib / 1024, 1)} → ${num(r.server_rss_peak_kib / 1024, 1)}`, `${num(100 * r.server_cpu_share)} %`]));

// The targets of the performance issue, against this run.
const pick = (xs, f) => xs.filter(f);
const best = (xs, f) => xs.reduce((b, r) => (f(r) != null && (!b || f(r) > f(b)) ? r : b), null);
const yes = (ok) => (ok ? 'met' : '**not met**');
const where = (r) => `${num(r.established)} connections, rooms of ${r.members}, --sync ${r.sync}`;
const largest = connect.length ? Math.max(...connect.map((r) => r.established)) : 0;
const bigConnects = pick(connect, (r) => r.established === largest);
const rounds8 = pick(rounds, (r) => r.members === 8);
const bestUs8 = rounds8.reduce((m, r) => Math.min(m, r.server_us_per_event ?? Infinity), Infinity);
const batchBest = best(pick(rounds, (r) => r.sync === 'batch'), (r) => r.events_per_s);
const batchBest8 = best(pick(rounds8, (r) => r.sync === 'batch'), (r) => r.events_per_s);
// always against batch in the same configuration; the worst ratio counts.
const ratios = pick(rounds, (r) => r.sync === 'always').map((a) => {
  const b = rounds.find((r) => r.sync === 'batch' && r.established === a.established && r.members === a.members);
  return b && a.events_per_s ? { a, ratio: b.events_per_s / a.events_per_s } : null;
}).filter(Boolean);
const worstRatio = ratios.reduce((w, x) => (!w || x.ratio > w.ratio ? x : w), null);
const lowRate = curve[0];
const targets = table(['target', 'measured in this run', ''], [
  ['≥ 18,000 connections in one process, ≥ 2,000 rooms',
    bigConnects.map((r) => `${num(r.established)} connections in ${num(r.rooms)} rooms, ${num(r.failed)} failed (--sync ${r.sync})`).join('; ') || '–',
    yes(bigConnects.some((r) => r.established >= 18000 && r.rooms >= 2000 && !r.failed))],
  ['≤ 4 KiB server RSS per idle connection (at the largest size)',
    bigConnects.map((r) => `${num(r.server_rss_per_conn_kib, 2)} KiB (--sync ${r.sync})`).join(', ') || '–',
    yes(bigConnects.length && bigConnects.every((r) => r.server_rss_per_conn_kib <= 4))],
  ['≤ 6 µs server CPU per delivered event, rounds, rooms of 8',
    rounds8.length ? `best ${num(bestUs8, 2)} µs; ${rounds8.map((r) => `${num(r.server_us_per_event, 2)} (${num(r.established)}, ${r.sync})`).join(', ')}` : '–',
    yes(bestUs8 <= 6)],
  ['≥ 120,000 delivered events/s in rounds, --sync batch',
    batchBest ? `${num(batchBest.events_per_s)} /s (${where(batchBest)})${batchBest8 ? `; rooms of 8: ${num(batchBest8.events_per_s)} /s (${where(batchBest8)})` : ''}` : '–',
    yes(batchBest && batchBest.events_per_s >= 120000)],
  ['--sync always within 2× of batch (same size and rooms)',
    worstRatio ? `worst: batch ${num(worstRatio.ratio, 2)}× always (${where(worstRatio.a)})` : 'not measured',
    worstRatio ? yes(worstRatio.ratio <= 2) : '–'],
  ['p99 ≤ 5 ms at 18,000 connections, each member acting every ~10 s',
    lowRate ? `${ms(lowRate.latency_p99_ms)} ms at ${num(lowRate.rate_target)} intents/s over ${num(lowRate.established)} connections` : '–',
    yes(lowRate && lowRate.established >= 18000 && lowRate.latency_p99_ms <= 5)],
]);

const commands = runs.map((r) => (r.scenario === 'floor'
  ? `- ${r.label}: \`verrijk-floor ${r.args} --server-cpu 0 --client-cpu 1 --json\``
  : `- ${r.label} (${r.target && r.target !== 'verrijk' ? `peer ${r.target}` : `--sync ${r.sync}`}): \`taskset -c 1 verrijk-bench ${r.scenario} --url ws://127.0.0.1:PORT --pid PID --json ${r.args}\``)).join('\n');

const generated = `# Verrijk benchmark report

Generated by \`bench/run.sh\` (the numbers, from one run) and \`bench/report.mjs\`
(this part of the file). Every run starts the real server with a fresh data
directory: \`taskset -c 0 build/server/verrijk --host 127.0.0.1 --port PORT
--data DIR --web web-client/dist --sync MODE\`, and \`verrijk-bench\` (\`bench/\`)
against it. The raw figures are in \`bench/results/latest.jsonl\`.

## Machine

${machine}

## Side by side: this server, the floor and the peers

${sideRows.length ? `One run, one scenario after the other, each server started afresh on core 0 with \`verrijk-bench\` on core 1: this server (\`--sync batch\`), the peers of \`bench/peers/\`, and after each the floor of what it sent (\`verrijk-floor\`: the same connections, frames, frame sizes and incoming messages, one \`send()\` per frame and nothing else; server ÷ floor is how much more CPU per event the server spent than those sends cost). Burst: p99 is the slowest of the bursts until every room's last member had \`revealed\`. The load column is the machine's 1-minute load average when the run began (2 cores; near 2 or above means others were using them and every figure is suspect).

${sideTable}` : 'Not run.'}

## The big View: join and resume of a room at its caps

${bigview ? `\`bench/bigview.mjs\`: a room in deck mode with 100 members (40-byte names), one round being played whose notes are full (${num(bigview.notes)} notes of ${num(bigview.note_bytes)} bytes, SPEC.md §3.2 item 4), the last card on the table. Newcomers join one after the other, then a member without a socket resumes on a fresh connection again and again. The server's CPU is its main thread's (\`/proc/PID/task/PID/schedstat\`, ns) from sending the intent until the welcome was read: the View's encoding, its sends, and for a join the \`joined\` event to everyone. Load (1 min) at start: ${bigview.load?.split(' ')[0] ?? '–'}.

${bigviewTable}` : 'Not run.'}

## Every core: one server against two

${mcTable ? `Rounds, rooms of 8, unpaced, ${num(mcOne.established)} connections: one server, then two servers (one per core) with half the rooms each, each with its own \`verrijk-bench\` on the other core, at the same time. The rooms reach their server directly, as the proxy of \`deploy/\` would route them, without the proxy's own cost. With 2 cores the benches share the cores with the servers, so the throughput is bounded by the load generators too; the servers' CPU per event shows whether each server did its work as cheaply as alone. Load (1 min) at start: ${mcOne.load?.split(' ')[0] ?? '–'}.

${mcTable}` : 'Not run.'}

### Behind the proxy

${pxTable ? `The same rounds (rooms of 8, unpaced, ${num(px[0].established)} connections, one \`verrijk-bench\`) through Debian's nginx running \`deploy/nginx.conf\` (the consistent hash on the room code; one worker per core, as deployed), in front of one server and then of two, each with its own data directory: what a user of this 2-core machine would deploy. Nothing is pinned: the servers, nginx's ${num(px[0].proxy_pids.length)} workers and the bench share both cores as the kernel schedules them, so the throughput is the whole machine's. Each part's CPU is its own, from \`/proc/PID/stat\` (utime + stime) over the bench's measured interval: the servers' and nginx's workers' read by the bench (\`--pid\`, \`--cpu-pid\`), the bench's from \`getrusage\`; "all" is their sum per delivered event, and "cores busy" that sum per second. Load (1 min) at start: ${px[0].load?.split(' ')[0] ?? '–'}.

${pxTable}` : 'Not run (nginx missing, or `NO_PROXY=1`).'}

## Targets

${targets}

## connect: idle members

${connectTable}

## rounds: rooms playing as fast as the rate limits allow

Latency: from sending an intent until the last member of its room has the
resulting event. Server CPU per event: utime + stime of the server process
(all its threads) over the interval, divided by the events delivered.

${roundsTable}

## burst: every member of every room votes at once

${burstTable}

## Slow readers

${slow.length ? `${num(slow[0].established)} connections in rooms of ${slow[0].members}, --sync batch, ${num(slow[0].rate_target)} intents/s for 15 s. A slow reader is a \`screen\` in its room that stops reading when the interval starts (small receive buffer) and asks for the whole state (\`resume\`) 10 times a second, so its queue fills within seconds; the server must close it once 256 KiB wait for it, and nobody else may notice.

${slowTable}` : 'Not run.'}

## Latency as the offered rate rises (--sync batch, rooms of 8)

${curveTable}

## Before and after

${compare.length ? `The same runs against \`BASELINE\` (${process.env.BASELINE_NAME || 'an older build'}) and this build, one after the other.\n\n${compareTable}` : 'Not run (set BASELINE to an older build of the server).'}

## Profile of the hot path (bench/profile.sh)

### perf

${profile('perf')}

### perf of the floor (the same traffic as the perf run)

${profile('floor')}

### strace -c

${profile('strace')}

### callgrind

${(() => {
  const f = 'bench/results/profile-callgrind.txt';
  if (!existsSync(f)) return '';
  const t = readFileSync(f, 'utf8');
  const d = Number((t.match(/~(\d+) delivered/) || [])[1]);
  const ir = Number(((t.match(/([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS/) || [])[1] || '').replace(/,/g, ''));
  return d && ir ? `${num(ir / d)} instructions (user space) per delivered event.\n\n` : '';
})()}${profile('callgrind')}

## Commands

${commands}

`;

let rest = '';
if (existsSync(outPath)) {
  const old = readFileSync(outPath, 'utf8');
  const i = old.indexOf(MARK);
  if (i >= 0) rest = old.slice(i + MARK.length);
}
writeFileSync(outPath, `${generated}${MARK}${rest || '\n'}`);
