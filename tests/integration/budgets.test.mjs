// budgets.test.mjs - what one address may take: probes from connections that are no member, new rooms per hour, sockets that never join, sockets per address, joins per room; and --max-rooms never keeps an existing room out.
//
// Every client here is 127.0.0.1. Servers that must tell clients apart run
// with --trust-proxy 127.0.0.1, and each client names its address with
// X-Real-IP, as a reverse proxy would.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runBinary, REPLY_TIMEOUT_MS } from './harness.mjs';
import { DECK, roomCode, upgrade, member } from './members.mjs';

const FAILS_MAX = 20;          // LIMITS_FAILS_MAX
const JOINS_PER_ROOM = 150;    // LIMITS_JOINS_PER_ROOM
const SUITE_TIMEOUT_MS = 120000;
const WAIT_MS = 15000;         // a bound on waiting for the server to act, never a sleep

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const createMsg = (room) => ({ t: 'create', room, name: 'Fien', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: {} });

async function createRoom(server, ip) {
  const room = roomCode();
  const fac = await member(server, room, { ip });
  const w = await fac.must(createMsg(room));
  return { room, fac, token: w.token };
}

/** Resolves with what `promise` gives, or fails the test after ms. */
async function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); });
  try { return await Promise.race([promise, late]); } finally { clearTimeout(timer); }
}

/** A gauge from /metrics. */
async function gauge(server, name) {
  const text = await (await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(REPLY_TIMEOUT_MS) })).text();
  const m = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  assert.ok(m, `${name} in /metrics`);
  return Number(m[1]);
}

describe('a connection that is no member', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer({ args: ['--trust-proxy', '127.0.0.1'] }); });
  after(async () => { await server.stop(); });

  it('gets one answer for vote or leave whether the room exists or not, and each counts towards the failure limit', async () => {
    const prober = '198.51.100.70';
    const { room, fac } = await createRoom(server, '198.51.100.71');
    const answers = [];
    for (let i = 0; i < FAILS_MAX; i++) {
      const code = i % 2 ? room : roomCode();
      const m = await member(server, code, { ip: prober });
      const a = await m.req(i % 4 < 2 ? { t: 'vote', value: 3 } : { t: 'leave' });
      answers.push(`${a.code}: ${a.msg}`);
      await m.client.close();
    }
    // The same words for a room that exists and one that does not.
    assert.equal(new Set(answers).size, 1, answers.join('\n'));
    assert.match(answers[0], /^not_allowed: /);
    // The limit tripped: probes, and joins, are refused alike now.
    for (const code of [room, roomCode()]) {
      const m = await member(server, code, { ip: prober });
      await m.refused({ t: 'vote', value: 3 }, 'rate_limited');
      await m.refused({ t: 'leave' }, 'rate_limited');
      await m.refused({ t: 'join', room: code, name: 'Probe' }, 'rate_limited');
      await m.client.close();
    }
    // Members are not affected: the facilitator still acts.
    await fac.must({ t: 'lock', locked: true });
    await fac.client.close();
  });
});

describe('--max-creates-per-hour', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer({ args: ['--trust-proxy', '127.0.0.1', '--max-creates-per-hour', '3'] }); });
  after(async () => { await server.stop(); });

  it('the fourth new room from one address within the hour is refused rate_limited; another address still creates', async () => {
    const ip = '198.51.100.80';
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createRoom(server, ip));
    const room = roomCode();
    const m = await member(server, room, { ip });
    const refused = await m.refused(createMsg(room), 'rate_limited');
    assert.match(refused.msg, /new rooms.*try again in \d+ s/);
    // Nothing was made: the code is still free for someone else.
    const other = await member(server, room, { ip: '198.51.100.81' });
    await other.must(createMsg(room));
    await other.client.close();
    await m.client.close();
    for (const h of made) await h.fac.client.close();
  });

  it('refuses 0 and what is no number', async () => {
    for (const bad of ['0', 'x', '1000001']) {
      const r = await runBinary(['--max-creates-per-hour', bad, '--port', '1']);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--max-creates-per-hour/);
    }
  });
});

describe('--max-rooms keeps no existing room out', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer({ args: ['--max-rooms', '2', '--idle-minutes', '0.01'] }); });
  after(async () => { await server.stop(); });

  it('a room that left memory resumes while the server holds --max-rooms others; a new room is server_busy', async () => {
    const a = await createRoom(server);
    await a.fac.client.close();
    // Its device is gone (after the 10 s grace it goes offline); idle, it leaves memory.
    const deadline = Date.now() + 30000;
    while (await gauge(server, 'verrijk_rooms_loaded') > 0) {
      assert.ok(Date.now() < deadline, 'the idle room never left memory');
      await sleep(100);
    }
    const held = [await createRoom(server), await createRoom(server)];
    const room = roomCode();
    const busy = await member(server, room);
    await busy.refused(createMsg(room), 'server_busy');
    await busy.client.close();

    const back = await member(server, a.room);
    const w = await back.must({ t: 'resume', room: a.room, token: a.token });
    assert.equal(w.t, 'welcome');
    assert.equal(w.you.player, 1);
    await back.client.close();
    for (const h of held) await h.fac.client.close();
  });
});

describe('--join-timeout-seconds', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer({ args: ['--join-timeout-seconds', '1', '--max-connections', '30'] }); });
  after(async () => { await server.stop(); });

  it('a socket that never joins is closed with 1008; a member opened with it stays', async () => {
    const idle = await member(server, roomCode());
    const { fac } = await createRoom(server);
    const closed = await within(idle.client.closed, WAIT_MS, 'the idle socket closed');
    assert.equal(closed.code, 1008);
    // The member is as old as the idle socket and is still served.
    fac.client.send({ t: 'ping' });
    await fac.client.expect('pong');
    await fac.must({ t: 'lock', locked: true });
    await fac.client.close();
  });

  it('30 idle sockets that hold a --max-connections 30 server are dropped, and a real client gets in', async () => {
    const idle = [];
    for (let i = 0; i < 30; i++) {
      const r = await upgrade(server, roomCode());
      // The first may have been closed for idling already; only the open ones hold a place.
      if (r.opened) idle.push(r.client);
    }
    await within(Promise.all(idle.map((c) => c.closed)), WAIT_MS, 'every idle socket closed');
    const { fac } = await createRoom(server);
    await fac.client.close();
  });

  it('a socket that left its room is closed like one that never joined', async () => {
    const { room, fac } = await createRoom(server);
    const anna = await member(server, room);
    await anna.must({ t: 'join', room, name: 'Anna' });
    await anna.must({ t: 'leave' });
    const closed = await within(anna.client.closed, WAIT_MS, 'the socket that left closed');
    assert.equal(closed.code, 1008);
    await fac.must({ t: 'lock', locked: true });
    await fac.client.close();
  });

  it('refuses 0 and what is no number', async () => {
    for (const bad of ['0', 'x', '3601']) {
      const r = await runBinary(['--join-timeout-seconds', bad, '--port', '1']);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--join-timeout-seconds/);
    }
  });
});

describe('--max-connections-per-address', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer({ args: ['--trust-proxy', '127.0.0.1', '--max-connections-per-address', '3'] }); });
  after(async () => { await server.stop(); });

  it('the fourth socket from one address is refused rate_limited and 1013; other addresses get in; a closed one frees its place', async () => {
    const ip = '198.51.100.90';
    const room = roomCode();
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await member(server, room, { ip }));
    const r = await upgrade(server, room, { ip });
    // The refusal comes in the protocol's words, then the close.
    assert.ok(r.opened, r.why);
    const err = await r.client.expect('error');
    assert.equal(err.code, 'rate_limited');
    assert.match(err.msg, /connections from your address/);
    assert.equal((await within(r.client.closed, WAIT_MS, 'the refused socket closed')).code, 1013);

    const other = await member(server, room, { ip: '198.51.100.91' });
    other.client.send({ t: 'ping' });
    await other.client.expect('pong');
    await other.client.close();

    await held[0].client.close();
    // The server counts the close when it sees it: wait for a place, bounded.
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const again = await upgrade(server, room, { ip });
      assert.ok(again.opened, again.why);
      const m = await Promise.race([again.client.next(1000).catch(() => null), again.client.closed]);
      if (m && m.t === 'error') {
        assert.ok(Date.now() < deadline, 'the closed socket never gave its place back');
        await again.client.closed;
        continue;
      }
      again.client.send({ t: 'ping' });
      await again.client.expect('pong');
      await again.client.close();
      break;
    }
    for (const h of held.slice(1)) await h.client.close();
  });

  it('refuses 0 and what is no number', async () => {
    for (const bad of ['0', 'x']) {
      const r = await runBinary(['--max-connections-per-address', bad, '--port', '1']);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--max-connections-per-address/);
    }
  });
});

describe('joins per address and room', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer({ args: ['--trust-proxy', '127.0.0.1'] }); });
  after(async () => { await server.stop(); });

  it(`join/leave churn from one address is refused after ${JOINS_PER_ROOM} joins, so it cannot use up the room's 400 members`, async () => {
    const ip = '198.51.100.100';
    const { room, fac } = await createRoom(server, '198.51.100.101');
    // Ten connections in parallel, each inside its own message rate.
    const per = JOINS_PER_ROOM / 10;
    let n = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      const m = await member(server, room, { ip });
      for (let i = 0; i < per; i++) {
        await m.must({ t: 'join', room, name: `Churn${n++}` });
        await m.must({ t: 'leave' });
      }
      await m.client.close();
    }));
    const m = await member(server, room, { ip });
    const refused = await m.refused({ t: 'join', room, name: 'One more' }, 'rate_limited');
    assert.match(refused.msg, /joins to this room.*try again in \d+ s/);
    await m.client.close();

    // Another address joins, as member 2 + the churn's joins: nothing else was used up.
    const anna = await member(server, room, { ip: '198.51.100.102' });
    const w = await anna.must({ t: 'join', room, name: 'Anna' });
    assert.equal(w.you.player, 2 + JOINS_PER_ROOM);
    // And the churning address may still join another room.
    const other = await createRoom(server, '198.51.100.103');
    const b = await member(server, other.room, { ip });
    await b.must({ t: 'join', room: other.room, name: 'Bram' });
    await b.client.close();
    await other.fac.client.close();
    await anna.client.close();
    await fac.client.close();
  });
});
