// edges.test.mjs - small rules at the edges of the server: pong ids, the round query, keys of rooms only on disk, big headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, connect, REPLY_TIMEOUT_MS } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

/** A number from /metrics. */
async function metric(server, name) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = text.match(new RegExp(`^${name} (\\d+)`, 'm'));
  assert.ok(m, `${name} is in /metrics`);
  return Number(m[1]);
}
/** verrijk_rooms_loaded: rooms in memory. */
const roomsLoaded = (server) => metric(server, 'verrijk_rooms_loaded');
/** verrijk_download_log_reads_total: logs read for downloads. */
const logReads = (server) => metric(server, 'verrijk_download_log_reads_total');

/** A room with one closed round; returns its code, replay key and the facilitator's token. */
async function closedRoom(server) {
  const room = roomCode();
  const fac = await Member.connect(server, room);
  await fac.must({ t: 'create', room, name: 'Fien', title: 'Rand', deck: DECK, lang: 'nl', tz_offset: 0 });
  await fac.must({ t: 'start' });
  await fac.must({ t: 'close', text: 'klaar' });
  const key = fac.seen('closed')[0].summary.replay_key;
  const token = fac.token;
  await fac.close();
  return { room, key, token };
}

test('pong carries the id of the ping that had one, and none for a ping without', async () => {
  const server = await startServer();
  try {
    const c = await connect(server, 'ABCDEF');
    c.send({ t: 'ping', id: 42 });
    assert.deepEqual(await c.expect('pong'), { t: 'pong', id: 42 });
    c.send({ t: 'ping', id: 0 });
    assert.deepEqual(await c.expect('pong'), { t: 'pong', id: 0 });
    c.send({ t: 'ping' });
    assert.deepEqual(await c.expect('pong'), { t: 'pong' });
    await c.close();
  } finally {
    await server.stop();
  }
});

test('a round query that is not a round number is a 400, also when too long to read, never the last round', async () => {
  const server = await startServer();
  try {
    const { room, key } = await closedRoom(server);
    const get = (q) => fetch(`${server.url}/api/rooms/${room}/summary.json?key=${key}${q}`);
    assert.equal((await get('')).status, 200, 'no round: the last one');
    assert.equal((await get('&round=1')).status, 200);
    for (const bad of ['1'.padStart(16, '0'), '1'.repeat(40), '9'.repeat(600), '', 'x', '0', '101']) {
      const res = await get(`&round=${bad}`);
      assert.equal(res.status, 400, `round=${bad.slice(0, 20)}… (${bad.length} characters)`);
      assert.match(await res.text(), /round/);
    }
    assert.equal((await get(`&round=${'1'.padStart(15, '0')}`)).status, 200, '15 characters are still read');
  } finally {
    await server.stop();
  }
});

test('a wrong key for a room only on disk is turned away without reading its log, as an unknown code is', async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-shelf-'));
  let server = await startServer({ args: ['--data', data] });
  let rooms;
  try {
    rooms = [await closedRoom(server), await closedRoom(server)];
  } finally {
    await server.stop();
  }
  server = await startServer({ args: ['--data', data, '--max-failures', '1000', '--idle-minutes', '0.02'] });
  try {
    // Both rooms are read at start; with nobody attached they leave memory.
    const deadline = Date.now() + 20000;
    while (await roomsLoaded(server) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await roomsLoaded(server), 0, 'both rooms are only on disk');
    const [a, b] = rooms;
    const reads = await logReads(server);
    const url = (r, key) => `${server.url}/api/rooms/${r.room}/log${key ? `?key=${key}` : ''}`;
    for (const key of ['0'.repeat(32), b.key, a.key.slice(0, 31), '']) {
      assert.equal((await fetch(url(a, key))).status, 404, `key ${key || '(none)'}`);
    }
    assert.equal((await fetch(url(a), { headers: { authorization: `Bearer ${b.token}` } })).status, 404);
    assert.equal((await fetch(`${server.url}/api/rooms/ZZZZZZ/log?key=${a.key}`)).status, 404);
    assert.equal(await logReads(server), reads, 'no wrong key made the server read a log');

    // The right key, or the facilitator's token, opens it (reading the log).
    assert.equal((await fetch(url(a, a.key))).status, 200);
    assert.equal((await fetch(url(b), { headers: { authorization: `Bearer ${b.token}` } })).status, 200);
    assert.equal(await logReads(server), reads + 2);
  } finally {
    await server.stop();
    await rm(data, { recursive: true, force: true });
  }
});
