// biglog.test.mjs - the HTTP API and big session logs: exports and replays of rooms not in memory
// keep --max-rooms, big logs are read off the loop thread (other rooms go on), a per-address budget
// for these GETs, start-up recovery of a big log, and the bound on a room's log (--max-log-mb).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encode, decode } from '@msgpack/msgpack';
import { startServer } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TEST_TIMEOUT_MS = 240000;
const READS_MAX = 60; // NET_HTTP_READS_MAX, the default of --max-downloads-per-minute

// ---- the log format (server/log/README.md): magic, then u32 len | u32 CRC-32C | payload ----

const MAGIC = Buffer.from('VRJKLOG1');
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();
function crc32c(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function readRecords(bytes) {
  assert.ok(bytes.subarray(0, 8).equals(MAGIC), 'a session log');
  const out = [];
  let off = 8;
  while (off + 8 <= bytes.length) {
    const len = bytes.readUInt32LE(off);
    out.push(bytes.subarray(off + 8, off + 8 + len));
    off += 8 + len;
  }
  assert.equal(off, bytes.length, 'whole records');
  return out;
}
function record(payload) {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32c(payload), 4);
  return Buffer.concat([head, payload]);
}

/**
 * A room whose log holds about `mb` MB: a facilitator and Anna, a round
 * without auto-reveal, Anna's card on the table and her vote, then that
 * vote again and again (each a valid `voted` event, seq continuing), as a
 * player changing her vote at the rate limit would write over days.
 * Returns the room, the facilitator's and Anna's tokens, and the size.
 */
async function bigLog(data, mb) {
  const server = await startServer({ args: ['--data', data] });
  const room = roomCode();
  let tokens;
  try {
    const fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'Groot', deck: DECK, lang: 'nl', tz_offset: 0,
      opts: { hand: 1, auto_reveal: false } });
    const anna = await Member.connect(server, room);
    await anna.must({ t: 'join', room, name: 'Anna' });
    await fac.must({ t: 'start' });
    await anna.until(fac.lastSeq());
    await anna.must({ t: 'play', card: anna.seen('dealt')[0].cards[0] });
    await anna.must({ t: 'vote', value: 4 });
    tokens = { fac: fac.token, anna: anna.token };
    await fac.close();
    await anna.close();
  } finally {
    await server.stop();
  }
  const file = path.join(data, 'rooms', `${room}.log`);
  const recs = readRecords(await readFile(file));
  const last = decode(recs.at(-1));
  assert.equal(last.e, 'voted');
  const parts = [await readFile(file)];
  let size = parts[0].length;
  for (let seq = last.seq + 1; size < mb * 1e6; seq++) {
    const r = record(Buffer.from(encode({ ...last, seq })));
    parts.push(r);
    size += r.length;
  }
  await writeFile(file, Buffer.concat(parts));
  return { room, tokens, size };
}

/**
 * Pings through each of `clients` until stop(), one ping in flight per
 * connection and at most one per PING_EVERY_MS (a connection may send 20
 * messages a second); each pong is filed with when its ping left and when
 * it came back (ms, performance.now()).
 */
const PING_EVERY_MS = 55;
function pinger(clients) {
  const pongs = [];
  let running = true;
  const one = async (client, delay) => {
    await sleep(delay);
    while (running) {
      const sent = performance.now();
      client.send({ t: 'ping' });
      for (;;) {
        const m = await client.next(10000);
        if (m.t === 'pong') break;
        assert.notEqual(m.t, 'error', `ping answered ${JSON.stringify(m)}`);
      }
      const back = performance.now();
      pongs.push({ sent, back });
      await sleep(Math.max(0, PING_EVERY_MS - (back - sent)));
    }
  };
  const done = Promise.all(clients.map((c, i) => one(c, (i * PING_EVERY_MS) / clients.length)));
  return { pongs, async stop() { running = false; await done; } };
}

/**
 * The pongs of pings sent in the second half of a GET's wait (between its
 * request and its answer's headers) and answered before the headers came.
 * A server that did the GET's work on its loop answers none: it is busy
 * from the moment it reads the request, and only the first moments of a
 * wait (the request on its way) can see pongs.
 */
const lateBetween = (pongs, g) => pongs.filter((p) => p.sent >= (g.t0 + g.t1) / 2 && p.back <= g.t1);
const rtts = (pongs) => pongs.map((p) => p.back - p.sent).sort((a, b) => a - b);
const pct = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
const fmt = (sorted) => `n ${sorted.length}, p50 ${pct(sorted, 0.5).toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`;

/** GET path; resolves { status, body, text, headers, t0, t1, t2 }: t1 when the headers came, t2 when the body had. */
async function timedGet(server, p, headers = {}) {
  const t0 = performance.now();
  const r = await fetch(`${server.url}${p}`, { headers, signal: AbortSignal.timeout(120000) });
  const t1 = performance.now();
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, body, text: body.toString('utf8'), headers: r.headers, t0, t1, t2: performance.now() };
}

/**
 * The same for a big download whose bytes are only counted (`size`). In
 * this thread, on purpose: its answer's headers and the pongs are then
 * seen in the order they arrived, which is what the tests assert.
 */
async function bigGet(server, p, headers = {}) {
  const t0 = performance.now();
  const r = await fetch(`${server.url}${p}`, { headers, signal: AbortSignal.timeout(120000) });
  const t1 = performance.now();
  let size = 0;
  for await (const chunk of r.body) size += chunk.length;
  return { status: r.status, size, t0, t1, t2: performance.now() };
}

/** A room of its own with a facilitator attached, and more connections to it, to ping through. */
async function otherRoom(server) {
  const room = roomCode();
  const fac = await Member.connect(server, room);
  await fac.must({ t: 'create', room, name: 'Ander', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: {} });
  const clients = [fac.client];
  // Members, since a connection that is none is closed after a while.
  for (let i = 0; i < 5; i++) {
    const m = await Member.connect(server, room);
    await m.must({ t: 'join', room, name: `Pinger ${i + 1}` });
    clients.push(m.client);
  }
  return { clients, async close() { for (const c of clients) await c.close(); } };
}

/** m.req(obj), sent again while the connection is over its rate (20 messages a second). */
async function paced(m, obj) {
  for (;;) {
    const r = await m.req(obj);
    if (r.code !== 'rate_limited') return r;
    await sleep(200);
  }
}

async function waitFor(what, fn, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function metric(server, name) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
}

test('summary and log GETs of rooms not in memory keep --max-rooms: nothing is loaded, and creating still works', { timeout: TEST_TIMEOUT_MS }, async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-cap-'));
  const rooms = [];
  try {
    let server = await startServer({ args: ['--data', data] });
    try {
      for (let i = 0; i < 5; i++) {
        const room = roomCode();
        const fac = await Member.connect(server, room);
        await fac.must({ t: 'create', room, name: 'Fien', title: `S${i}`, deck: DECK, lang: 'nl', tz_offset: 0, opts: {} });
        await fac.must({ t: 'start' });
        await fac.must({ t: 'close', text: 'klaar', actions: [] });
        rooms.push({ room, key: fac.seen('closed')[0].summary.replay_key, token: fac.token });
        await fac.close();
      }
    } finally {
      await server.stop();
    }
    // Two rooms may be held in memory. Closed rooms are on disk only, once
    // the start has marked their members offline.
    server = await startServer({ args: ['--data', data, '--max-rooms', '2', '--idle-minutes', '0.1'] });
    try {
      await waitFor('the rooms read at start to leave memory', async () => (await metric(server, 'verrijk_rooms_loaded')) === 0);
      for (const { room, key, token } of rooms) {
        const s = await timedGet(server, `/api/rooms/${room}/summary.json?key=${key}`);
        assert.equal(s.status, 200, s.text);
        assert.equal(JSON.parse(s.text).text, 'klaar');
        const l = await timedGet(server, `/api/rooms/${room}/log`, { authorization: `Bearer ${token}` });
        assert.equal(l.status, 200, l.text);
        assert.equal(decode(l.body).at(-1).e, 'closed');
        const w = await timedGet(server, `/api/rooms/${room}/summary.md?key=${'0'.repeat(32)}`);
        assert.equal(w.status, 404);
      }
      assert.equal(await metric(server, 'verrijk_rooms_loaded'), 0, 'the exports loaded no room into memory');
      // Both places are free: two new rooms can be created.
      for (let i = 0; i < 2; i++) {
        const room = roomCode();
        const fac = await Member.connect(server, room);
        await fac.must({ t: 'create', room, name: 'Nieuw', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: {} });
        await fac.close();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});

test('a 16 MB log: repeated /log and summary GETs, and a wrong key, are read off the loop thread while another room pings', { timeout: TEST_TIMEOUT_MS }, async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-big-'));
  try {
    const { room, tokens, size } = await bigLog(data, 16);
    const t0 = performance.now();
    const server = await startServer({ args: ['--data', data, '--idle-minutes', '0.02', '--max-log-mb', '64'] });
    try {
      const up = performance.now() - t0;
      // The log is read on the thread pool: the server answers before it is in.
      await waitFor('recovery', () => /back from the log/.test(server.stderr()), 120000);
      const recovered = performance.now() - t0;
      // Close the round, so that the replay and the summary have something to show.
      const fac = await Member.connect(server, room);
      await fac.must({ t: 'resume', room, token: tokens.fac });
      console.log(`# start-up with a ${(size / 1e6).toFixed(1)} MB log: /healthz answered after ${up.toFixed(0)} ms, ` +
        `the room was back after ${recovered.toFixed(0)} ms; the server says: ${server.stderr().match(/back from the log.*/)[0]}`);
      await fac.must({ t: 'reveal' });
      await fac.must({ t: 'close', text: 'groot', actions: [] });
      const key = fac.seen('closed')[0].summary.replay_key;
      await fac.close();

      // A client that hangs up while its log is being read: the answer,
      // when it comes, finds nobody, and the server goes on.
      const gone = new AbortController();
      const aborted = fetch(`${server.url}/api/rooms/${room}/log?key=${key}`, { signal: gone.signal }).catch((e) => e.name);
      await sleep(20);
      gone.abort();
      assert.equal(await aborted, 'AbortError');

      const other = await otherRoom(server);
      // Baseline: pings alone.
      let p = pinger(other.clients);
      await waitFor('50 pongs', () => p.pongs.length >= 50);
      await p.stop();
      const base = rtts(p.pongs);
      console.log(`# baseline ping: ${fmt(base)}`);

      // Repeated /log and summary GETs of the big room (in memory now).
      p = pinger(other.clients);
      const gets = [];
      for (let i = 0; i < 3; i++) {
        const l = await bigGet(server, `/api/rooms/${room}/log?key=${key}`);
        assert.equal(l.status, 200);
        gets.push(l);
        const s = await timedGet(server, `/api/rooms/${room}/summary.json?key=${key}`);
        assert.equal(s.status, 200, s.text.slice(0, 200));
      }
      await p.stop();
      const during = rtts(p.pongs);
      const inBetween = gets.map((g) => lateBetween(p.pongs, g).length);
      console.log(`# ping during repeated /log GETs: ${fmt(during)}; /log took ${gets.map((g) => (g.t1 - g.t0).toFixed(0)).join(', ')} ms ` +
        `(${(gets[0].size / 1e6).toFixed(1)} MB each); pongs in the second half of each wait: ${inBetween.join(', ')}`);
      // While the server reads the log, it answers pings (reading 16 MB
      // takes hundreds of ms; a ping, a few).
      const total = inBetween.reduce((a, b) => a + b, 0);
      assert.ok(total >= gets.length, `pings answered in between the /log GETs' processing: ${inBetween.join(', ')}`);

      // A wrong key for the room while it is not in memory: turned away
      // from what the server keeps of a room that left memory, without
      // reading the 16 MB log (so in the time an unknown code takes).
      const wrong = [];
      for (let i = 0; i < 3; i++) {
        await waitFor('the room to leave memory', async () => (await metric(server, 'verrijk_rooms_loaded')) === 1);
        const reads = await metric(server, 'verrijk_download_log_reads_total');
        const w = await timedGet(server, `/api/rooms/${room}/summary.json?key=${'0'.repeat(32)}`);
        assert.equal(w.status, 404);
        assert.equal(await metric(server, 'verrijk_download_log_reads_total'), reads, 'a wrong key reads no log');
        wrong.push(w);
      }
      console.log(`# wrong-key GET on the ${(size / 1e6).toFixed(1)} MB log: answered after ${wrong.map((g) => (g.t1 - g.t0).toFixed(1)).join(', ')} ms, its log not read`);
      await other.close();
    } finally {
      await server.stop();
    }
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});

test('room downloads cost one of the address\'s budget: past it 429 with Retry-After and a clear body, while another address is served', { timeout: TEST_TIMEOUT_MS }, async () => {
  const server = await startServer({ args: ['--trust-proxy', '127.0.0.1', '--max-downloads-per-minute', String(READS_MAX)] });
  try {
    const room = roomCode();
    const fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: {} });
    await fac.must({ t: 'start' });
    await fac.must({ t: 'close', text: '', actions: [] });
    const key = fac.seen('closed')[0].summary.replay_key;
    const url = `/api/rooms/${room}/summary.csv?key=${key}`;
    // The budget refills at READS_MAX a minute: count until it runs out.
    const t0 = Date.now();
    let served = 0;
    let over;
    while (!over && served < 2 * READS_MAX) {
      const r = await timedGet(server, served % 2 ? url : `/api/rooms/${room}/log?key=${key}`, { 'X-Real-IP': '198.51.100.7' });
      if (r.status === 200) served++;
      else over = r;
    }
    const refilled = Math.ceil(((Date.now() - t0) * READS_MAX) / 60000);
    assert.ok(over, 'the budget runs out');
    assert.ok(served >= READS_MAX && served <= READS_MAX + refilled, `${served} served, ${READS_MAX} + ${refilled} refilled allowed`);
    assert.equal(over.status, 429);
    assert.match(over.text, /Too many summary and replay downloads from your address/);
    assert.ok(Number(over.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
    const other = await timedGet(server, url, { 'X-Real-IP': '198.51.100.8' });
    assert.equal(other.status, 200, 'another address has its own budget');
    // Over budget is not a failed attempt: the address is not locked out of joining.
    const anna = await Member.connect(server, room);
    await fac.close();
    await anna.close();
  } finally {
    await server.stop();
  }
});

test('a room at --max-log-mb answers room_full to what does not finish it; nothing acknowledged is lost; it resumes, closes and exports', { timeout: TEST_TIMEOUT_MS }, async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-bound-'));
  const file = (room) => path.join(data, 'rooms', `${room}.log`);
  try {
    const room = roomCode();
    let tokens;
    let server = await startServer({ args: ['--data', data] });
    try {
      const fac = await Member.connect(server, room);
      await fac.must({ t: 'create', room, name: 'Fien', title: 'Begrensd', deck: DECK, lang: 'nl', tz_offset: 0,
        opts: { hand: 1, auto_reveal: false } });
      const anna = await Member.connect(server, room);
      await anna.must({ t: 'join', room, name: 'Anna' });
      await fac.must({ t: 'start' });
      await anna.until(fac.lastSeq());
      await anna.must({ t: 'play', card: anna.seen('dealt')[0].cards[0] });
      tokens = { fac: fac.token, anna: anna.token, annaId: anna.you.player };
      await fac.close();
      await anna.close();
    } finally {
      await server.stop();
    }
    // The bound: what the log holds now and about 2 KB more.
    const bound = (await stat(file(room))).size + 2048;
    const args = ['--data', data, '--max-log-mb', (bound / 1048576).toFixed(6)];
    server = await startServer({ args });
    let lastAcked;
    let full;
    try {
      const anna = await Member.connect(server, room);
      await anna.must({ t: 'resume', room, token: tokens.anna });
      for (let i = 0; i < 1000 && !full; i++) {
        const value = 1 + (i % 5);
        const r = await paced(anna, { t: 'vote', value });
        if (r.t === 'ok') lastAcked = value;
        else full = r;
      }
      assert.ok(full, 'the bound is reached');
      assert.equal(full.code, 'room_full');
      assert.match(full.msg, /size limit.*close the round/);
      assert.ok(lastAcked, 'votes were acknowledged before the bound');
      const note = await paced(anna, { t: 'note', text: 'nog een gedachte' });
      assert.equal(note.code, 'room_full', 'a note is refused too');
      const late = await Member.connect(server, room);
      await late.refused({ t: 'join', room, name: 'Laat' }, 'room_full');
      await late.close();
      await anna.close();
    } finally {
      await server.stop();
    }
    // Restarted: whoever was in comes back; the facilitator closes the round.
    server = await startServer({ args });
    try {
      const anna = await Member.connect(server, room);
      await anna.must({ t: 'resume', room, token: tokens.anna });
      const fac = await Member.connect(server, room);
      await fac.must({ t: 'resume', room, token: tokens.fac });
      await fac.refused({ t: 'reveal' }, 'room_full');
      await fac.must({ t: 'close', text: 'af', actions: [] });
      const revealed = fac.seen('revealed').at(-1);
      assert.deepEqual(revealed.votes, [[tokens.annaId, lastAcked]], 'the last acknowledged vote stands');
      const summary = fac.seen('closed')[0].summary;
      await fac.refused({ t: 'start' }, 'room_full');
      const s = await timedGet(server, `/api/rooms/${room}/summary.json?key=${summary.replay_key}`);
      assert.equal(s.status, 200);
      assert.equal(JSON.parse(s.text).text, 'af');
      const l = await timedGet(server, `/api/rooms/${room}/log?key=${summary.replay_key}`);
      assert.equal(l.status, 200);
      assert.equal(decode(l.body).at(-1).e, 'closed');
      const size = (await stat(file(room))).size;
      console.log(`# log bound ${bound} B: the log holds ${size} B after the close (${lastAcked} was the last vote acknowledged)`);
      assert.ok(size <= bound * 1.25 + 64 * 1024, 'the log stays near its bound');
      await anna.close();
      await fac.close();
    } finally {
      await server.stop();
    }
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});
