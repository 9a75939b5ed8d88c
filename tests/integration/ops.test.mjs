// ops.test.mjs - what operators and join screens read from the real binary: --version, --public-url, GET /api/server, GET /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, runBinary } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

const VERSION_LINE = /^verrijk (\d+\.\d+\.\d+\S*|dev)\n$/;

/** The metric families /metrics must name (issue 7, Prometheus conventions). */
const FAMILIES = {
  verrijk_build_info: 'gauge',
  verrijk_connections: 'gauge',
  verrijk_rooms_live: 'gauge',
  verrijk_rooms_loaded: 'gauge',
  verrijk_members_online: 'gauge',
  verrijk_rooms_created_total: 'counter',
  verrijk_intents_total: 'counter',
  verrijk_events_total: 'counter',
  verrijk_frames_sent_total: 'counter',
  verrijk_bytes_sent_total: 'counter',
  verrijk_send_queue_drops_total: 'counter',
  verrijk_log_records_total: 'counter',
  verrijk_log_writes_total: 'counter',
  verrijk_log_write_errors_total: 'counter',
  verrijk_log_sync_seconds: 'histogram',
  verrijk_recovery_seconds: 'gauge',
};

/**
 * Parses the Prometheus text format 0.0.4 strictly enough to catch a
 * malformed line: returns { types: {family: type}, samples: {"name{labels}": value} }.
 */
function parseExposition(text) {
  const types = {};
  const samples = {};
  let family = null;
  assert.ok(text.endsWith('\n'), 'the text ends with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    let m;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$/.exec(line))) continue;
    if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      family = m[1];
      assert.equal(types[family], undefined, `one TYPE line for ${family}`);
      types[family] = m[2];
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (\S+)$/.exec(line);
    assert.ok(m, `a sample line: ${JSON.stringify(line)}`);
    const [, name, labels = '', value] = m;
    assert.ok(family && (name === family || (types[family] === 'histogram' && /^(_bucket|_sum|_count)$/.test(name.slice(family.length)) && name.startsWith(family))),
      `${name} belongs to the family of the last TYPE line (${family})`);
    assert.ok(/^([+-]?\d+(\.\d+)?([eE][+-]?\d+)?|[+-]Inf|NaN)$/.test(value), `a number: ${line}`);
    samples[name + labels] = Number(value.replace('Inf', 'Infinity'));
  }
  return { types, samples };
}

async function scrape(server) {
  const r = await fetch(`${server.url}/metrics`);
  if (r.status === 404) {
    assert.fail('GET /metrics answers 404: ops_api_routes(net, &cfg) is not yet called from main.c (see the wiring of server/http/ops_api.h)');
  }
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return { text: await r.text() };
}

test('--version prints the version and exits 0', async () => {
  const r = await runBinary(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, VERSION_LINE);
});

test('--public-url refuses a URL that is not http(s) or holds a space, before starting', async () => {
  for (const bad of ['ftp://example.org/', 'example.org', 'https://exa mple.org/', 'https://']) {
    const r = await runBinary(['--public-url', bad, '--port', '1']);
    assert.equal(r.code, 2, `exit code for ${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--public-url wants a URL/);
  }
});

test('GET /api/server: a server on loopback offers phones no URL and says why at start', async () => {
  const server = await startServer();
  try {
    const r = await fetch(`${server.url}/api/server`);
    assert.equal(r.status, 200, 'GET /api/server (ops_api_routes wired into main.c)');
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const body = await r.json();
    const version = (await runBinary(['--version'])).stdout.trim().replace(/^verrijk /, '');
    assert.deepEqual(body, { version, join_urls: [] });
    assert.match(server.stdout(), /Listening on 127\.0\.0\.1 only: phones cannot reach it/);
  } finally {
    await server.stop();
  }
});

test('GET /api/server: --public-url is the one join URL, and is printed at start', async () => {
  const url = 'https://verrijk.example.org/sessies/';
  const server = await startServer({ args: ['--public-url', url] });
  try {
    const body = await (await fetch(`${server.url}/api/server`)).json();
    assert.deepEqual(body.join_urls, [url]);
    assert.equal(body.public_url, url);
    assert.match(server.stdout(), /^Phones can join at: https:\/\/verrijk\.example\.org\/sessies\/ \(--public-url\)$/m);
  } finally {
    await server.stop();
  }
});

test('GET /metrics answers the Prometheus text format with the metric names, and counts what happened', async () => {
  const server = await startServer();
  let fac;
  let stranger;
  try {
    const before = parseExposition((await scrape(server)).text);
    for (const [name, type] of Object.entries(FAMILIES)) assert.equal(before.types[name], type, `TYPE of ${name}`);
    assert.equal(before.samples.verrijk_connections, 0);
    assert.equal(before.samples.verrijk_rooms_created_total, 0);
    assert.ok(Object.keys(before.samples).some((k) => /^verrijk_build_info\{version="[^"]+"\}$/.test(k)), 'build_info carries the version');
    assert.equal(before.samples['verrijk_log_sync_seconds_bucket{le="+Inf"}'], before.samples.verrijk_log_sync_seconds_count);

    const room = roomCode();
    fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'Studiedag', deck: DECK, lang: 'nl', tz_offset: 60 });
    stranger = await Member.connect(server, room);
    await stranger.refused({ t: 'join', room, name: 'Fien', role: 'player' }, 'name_taken');

    const after = parseExposition((await scrape(server)).text);
    assert.equal(after.samples['verrijk_intents_total{type="create",outcome="ok"}'], 1);
    assert.equal(after.samples['verrijk_intents_total{type="join",outcome="name_taken"}'], 1);
    assert.equal(after.samples.verrijk_rooms_created_total, 1);
    assert.equal(after.samples.verrijk_connections, 2);
    assert.equal(after.samples.verrijk_rooms_loaded, 1);
    assert.equal(after.samples.verrijk_rooms_live, 1);
    assert.equal(after.samples.verrijk_members_online, 1);
    assert.ok(after.samples.verrijk_events_total >= 2, 'created and joined were logged');
    assert.ok(after.samples.verrijk_log_records_total >= after.samples.verrijk_events_total, 'every event reached the log');
    assert.ok(after.samples.verrijk_frames_sent_total >= 2, 'welcome and error frames');
    assert.ok(after.samples.verrijk_bytes_sent_total > after.samples.verrijk_frames_sent_total);
    // Histogram buckets are cumulative and end at +Inf = _count.
    const buckets = Object.entries(after.samples).filter(([k]) => k.startsWith('verrijk_log_sync_seconds_bucket'));
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i][1] >= buckets[i - 1][1], 'cumulative buckets');
    assert.equal(buckets.at(-1)[0], 'verrijk_log_sync_seconds_bucket{le="+Inf"}');
    assert.equal(buckets.at(-1)[1], after.samples.verrijk_log_sync_seconds_count);
    // Nothing secret: no token or room code appears in the metrics.
    const text = (await scrape(server)).text;
    assert.ok(!text.includes(fac.token), 'no token in /metrics');
    assert.ok(!text.includes(room), 'no room code in /metrics');

    // promtool, when installed, agrees that the text is valid.
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10000 });
    if (!promtool.error) assert.equal(promtool.status, 0, `promtool check metrics:\n${promtool.stdout}${promtool.stderr}`);
  } finally {
    await fac?.close();
    await stranger?.close();
    await server.stop();
  }
});

test('GET /metrics: under --sync always each flush of the session log is timed in verrijk_log_sync_seconds', async () => {
  const server = await startServer({ args: ['--sync', 'always'] });
  let fac;
  try {
    const room = roomCode();
    fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'Studiedag', deck: DECK, lang: 'nl', tz_offset: 60 });
    const { samples } = parseExposition((await scrape(server)).text);
    assert.ok(samples.verrijk_log_syncs_total >= 1, 'the log flushed at least once');
    assert.ok(samples.verrijk_log_sync_seconds_count > 0,
      'verrijk_log_sync_seconds has no observation: the log does not report flush durations yet (evlog_options.synced = metrics_log_synced_ns)');
    assert.equal(samples.verrijk_log_sync_seconds_count, samples.verrijk_log_syncs_total, 'one observation per flush');
    assert.ok(samples.verrijk_log_sync_seconds_sum > 0 && samples.verrijk_log_sync_seconds_sum < 60);
  } finally {
    await fac?.close();
    await server.stop();
  }
});

test('a new room code is no failure: creating a room logs no failed load, and every line goes through the ops log', async () => {
  const server = await startServer();
  let fac;
  try {
    const room = roomCode();
    fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'Studiedag', deck: DECK, lang: 'nl', tz_offset: 60 });
    const lines = server.stderr().split('\n').filter((l) => l.includes(room));
    assert.ok(!/no such file|load failed/i.test(server.stderr()), `a new room's missing log was reported:\n${server.stderr()}`);
    assert.ok(!/^evlog:/m.test(server.stderr()), `a raw log line, outside the ops log:\n${server.stderr()}`);
    assert.ok(lines.length <= 1, `more than the creation was logged for a new room:\n${lines.join('\n')}`);
  } finally {
    await fac?.close();
    await server.stop();
  }
});
