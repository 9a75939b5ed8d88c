// proxy.test.mjs - Debian's nginx (deploy/nginx.conf) and HAProxy (deploy/haproxy.cfg) in front of three real servers: each room's requests reach one server, never another.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { decode } from '@msgpack/msgpack';
import { REPO_DIR, freePort } from './harness.mjs';
import { Node, NginxProxy, HaProxy, writeWeb, upgrade, get } from './proxy/cluster.mjs';

const SERVERS = 3;
const CODES = 30;           // room codes (and rooms) spread over the servers
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const DECK = 'verrijkte-leeromgevingen';
const HEALTHCHECK = path.join(REPO_DIR, 'deploy', 'healthcheck.sh');
const TEST_TIMEOUT_MS = 180000;

function randomCode() {
  let s = '';
  for (let i = 0; i < 6; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/** n distinct random room codes. */
function codes(n) {
  const set = new Set();
  while (set.size < n) set.add(randomCode());
  return [...set];
}

/** Whether the rooms layer is committed (then rooms must work through the proxy). */
function roomsCommitted() {
  try {
    return execFileSync('git', ['ls-files', 'server/rooms/registry.c'], { cwd: REPO_DIR, encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

/**
 * Reads messages until the answer to request `id` (welcome, ok or error).
 * Returns { reply, before } with the messages that came first.
 */
async function answer(client, id) {
  const before = [];
  for (;;) {
    const m = await client.next();
    if (m.id === id && (m.t === 'welcome' || m.t === 'ok' || m.t === 'error')) return { reply: m, before };
    before.push(m);
  }
}

/** Sends a request and asserts it succeeded; returns { reply, before }. */
async function request(client, msg) {
  client.send(msg);
  const r = await answer(client, msg.id);
  assert.notEqual(r.reply.t, 'error', `${msg.t} failed: ${JSON.stringify(r.reply)}`);
  return r;
}

/** A room-layer request over a new connection through the proxy. */
async function roomRequest(proxy, msg) {
  const u = await upgrade(proxy.wsUrl(msg.room));
  assert.ok(u.opened, `upgrade for ${msg.room} refused: ${u.why}`);
  const r = await request(u.client, { id: 1, ...msg });
  return { client: u.client, upstream: u.upstream, ...r };
}

const createRoom = (proxy, room, name = 'Ann') => roomRequest(proxy, {
  t: 'create', room, name, title: `test ${room}`, deck: DECK, lang: 'nl', tz_offset: 0,
});

/** A View without what a restart changes by design: who is online (and since when away), and seq. */
function stableView(view) {
  const v = structuredClone(view);
  delete v.seq;
  for (const p of v.players ?? []) {
    delete p.online;
    delete p.away;
  }
  return v;
}

/** Runs deploy/healthcheck.sh against a port: its exit code. */
function healthcheck(port) {
  return new Promise((resolve) => {
    execFile('bash', [HEALTHCHECK, String(port)], { timeout: 15000 }, (err) => {
      resolve(err ? (typeof err.code === 'number' ? err.code : -1) : 0);
    });
  });
}

describe('deploy/healthcheck.sh', { timeout: TEST_TIMEOUT_MS }, () => {
  let root;
  let node;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'verrijk-health-'));
    await writeWeb(path.join(root, 'web'));
    node = new Node({ name: 'verrijk', port: await freePort(), data: path.join(root, 'data'), web: path.join(root, 'web') });
    await node.start();
  });
  after(async () => {
    try {
      if (node) await node.stop();
    } finally {
      if (root) await rm(root, { recursive: true, force: true });
    }
  });

  it('passes on a healthy server and fails on a closed port, a 503 or a wrong body', async () => {
    assert.equal(await healthcheck(node.port), 0, 'healthy server');
    assert.notEqual(await healthcheck(await freePort()), 0, 'closed port');
    for (const [status, body] of [[503, 'ok'], [200, 'not ok']]) {
      const fake = http.createServer((req, res) => { res.writeHead(status, { 'content-type': 'text/plain' }); res.end(body); });
      await new Promise((r) => fake.listen(0, '127.0.0.1', r));
      try {
        assert.notEqual(await healthcheck(fake.address().port), 0, `HTTP ${status} "${body}" passed`);
      } finally {
        await new Promise((r) => fake.close(r));
      }
    }
  });
});

/** The whole suite against one proxy kind (NginxProxy or HaProxy). */
function proxySuite(Proxy) {
  describe(`${Proxy.file} (Debian's ${path.basename(Proxy.binary)}) in front of three verrijk servers`, { timeout: TEST_TIMEOUT_MS }, () => {
    let root;
    let nodes = [];
    let proxy;
    let roomsReady = false;
    const byUpstream = (up) => nodes.find((n) => proxy.upstreamOf(n) === up);
    const up = (n) => proxy.upstreamOf(n);

    before(async () => {
      assert.ok(existsSync(Proxy.binary), `${Proxy.binary} is missing: this test runs it in front of the servers (apt-get install ${path.basename(Proxy.binary)})`);
      root = await mkdtemp(path.join(os.tmpdir(), 'verrijk-proxy-'));
      const web = path.join(root, 'web');
      await writeWeb(web);
      for (let i = 1; i <= SERVERS; i++) {
        const n = new Node({ name: `verrijk${i}`, port: await freePort(), data: path.join(root, `data${i}`), web });
        nodes.push(n);
        await n.start();
      }
      proxy = new Proxy({ port: await freePort(), prefix: path.join(root, 'proxy'), ports: nodes.map((n) => n.port) });
      await proxy.writeConfig();
      const t = proxy.check();
      assert.ok(t.ok, `the config check refused the templated ${Proxy.file}:\n${t.out}`);
      await proxy.start();

      // The rooms layer answers `join` of an unknown room with no_room; a
      // server without it answers every intent server_busy.
      const u = await upgrade(proxy.wsUrl('ZZZZZZ'));
      assert.ok(u.opened, `upgrade through the proxy refused: ${u.why}`);
      u.client.send({ t: 'join', id: 1, room: 'ZZZZZZ', name: 'probe', role: 'player' });
      const { reply } = await answer(u.client, 1);
      await u.client.close();
      roomsReady = !(reply.t === 'error' && reply.code === 'server_busy');
      assert.ok(roomsReady || !roomsCommitted(), `server/rooms/ is committed but join answers ${JSON.stringify(reply)}`);
    });

    after(async () => {
      const errors = [];
      if (proxy) await proxy.stop().catch((e) => errors.push(e));
      for (const n of nodes) await n.stop().catch((e) => errors.push(e));
      if (root) await rm(root, { recursive: true, force: true });
      if (errors.length) throw errors[0];
    });

    it(`the templated ${Proxy.file} passes the proxy's own config check`, () => {
      const t = proxy.check();
      assert.ok(t.ok, t.out);
    });

    it('/ws?room=CODE and every /api/rooms/CODE/ URL of a code reach the same server, every time', async () => {
      for (const code of codes(CODES)) {
        const seen = [];
        for (let round = 0; round < 2; round++) {
          const u = await upgrade(proxy.wsUrl(code));
          assert.ok(u.opened, `upgrade for ${code}: ${u.why}`);
          await u.client.close();
          seen.push(['ws', u.upstream]);
          for (const p of ['log?key=00', 'summary.json?key=00', 'summary.md?key=00', 'summary.csv?key=00&round=1']) {
            const r = await get(`${proxy.url}/api/rooms/${code}/${p}`);
            seen.push([p, r.upstream]);
          }
          const d = await get(`${proxy.url}/api/decks/0123456789abcdef?room=${code}`);
          seen.push(['deck by room', d.upstream]);
        }
        const target = seen[0][1];
        assert.ok(byUpstream(target), `${code}: upstream ${target} is none of the servers`);
        for (const [what, up] of seen) assert.equal(up, target, `${code}: ${what} went to ${up}, the WebSocket to ${target}`);
      }
    });

    it('a room parameter or path code not in its one spelling, or given twice, gets 400 at the proxy and reaches no server', async () => {
      for (const q of ['room=%41BCDEF', 'room=ABCDEF&room=GHJKMN', 'ROOM=ABCDEF&room=GHJKMN', 'room=GHJKMN&x=1&Room=ABCDEF',
        'room=abcdef', 'room=ABCDE0', 'room=ABCDEFG', 'room=', 'x=ABCDEF', '']) {
        const u = await upgrade(`${proxy.wsUrl()}?${q}`);
        if (u.client) await u.client.close();
        assert.equal(u.status, 400, `/ws?${q}: ${u.why ?? 'opened'} via ${u.upstream}`);
        assert.ok(!u.upstream, `/ws?${q} reached ${u.upstream}`);
      }
      for (const p of ['/api/rooms/abcdef/log?key=00', '/api/rooms/ABCDE1/log', '/api/rooms//log',
        '/api/rooms/ABCDEF/log?key=00&room=ABCDEF&room=GHJKMN']) {
        const r = await get(`${proxy.url}${p}`);
        assert.equal(r.status, 400, `${p} via ${r.upstream}`);
        assert.ok(!r.upstream, `${p} reached ${r.upstream}`);
      }
      // An escaped letter in the path: the proxy either refuses it or routes
      // it as the server reads it (decoded), never elsewhere.
      const canonical = await get(`${proxy.url}/api/rooms/ABCDEF/log?key=00`);
      const escaped = await get(`${proxy.url}/api/rooms/%41BCDEF/log?key=00`);
      if (escaped.status !== 400) assert.equal(escaped.upstream, canonical.upstream, '/api/rooms/%41BCDEF went elsewhere than ABCDEF');
    });

    it('room codes spread over all three servers', async () => {
      const count = new Map(nodes.map((n) => [up(n), 0]));
      for (const code of codes(CODES)) {
        const r = await get(`${proxy.url}/api/rooms/${code}/log?key=00`);
        assert.ok(count.has(r.upstream), `${code}: upstream ${r.upstream}`);
        count.set(r.upstream, count.get(r.upstream) + 1);
      }
      for (const [addr, n] of count) assert.ok(n > 0, `no code of ${CODES} went to ${addr}: ${JSON.stringify([...count])}`);
    });

    it('the web client, /healthz and /api/decks go to any server in turn; /metrics is not proxied', async () => {
      for (const p of ['/', '/healthz', '/api/decks']) {
        const ups = new Set();
        for (let i = 0; i < SERVERS * 2; i++) ups.add((await get(`${proxy.url}${p}`)).upstream);
        assert.deepEqual([...ups].sort(), nodes.map(up).sort(), `${p} reached ${[...ups]}`);
      }
      const page = await get(`${proxy.url}/`);
      assert.equal(page.status, 200);
      const m = await get(`${proxy.url}/metrics`);
      assert.equal(m.status, 404);
      assert.ok(!m.upstream, `the proxy passed /metrics to ${m.upstream}`);
    });

    it(`a stopped server makes only its codes unavailable (${Proxy.downStatus}, never another server) until it restarts`, async () => {
      const down = nodes[1];
      const where = new Map();
      for (const code of codes(CODES)) {
        const u = await upgrade(proxy.wsUrl(code));
        assert.ok(u.opened, u.why);
        await u.client.close();
        where.set(code, u.upstream);
      }
      assert.ok([...where.values()].includes(up(down)), `no code went to ${down.name}`);
      await down.stop();
      try {
        for (const [code, addr] of where) {
          const u = await upgrade(proxy.wsUrl(code));
          const r = await get(`${proxy.url}/api/rooms/${code}/log?key=00`);
          if (addr === up(down)) {
            assert.equal(u.opened, false, `${code} (on the stopped server) opened a WebSocket on ${u.upstream}`);
            assert.equal(u.status, Proxy.downStatus, `${code}: ${u.why}`);
            assert.equal(u.upstream, up(down), `${code} was tried on ${u.upstream}`);
            assert.equal(r.status, Proxy.downStatus);
            assert.equal(r.upstream, up(down));
          } else {
            assert.ok(u.opened, `${code} (on a running server) refused: ${u.why}`);
            await u.client.close();
            assert.equal(u.upstream, addr, `${code} moved from ${addr} to ${u.upstream}`);
            assert.equal(r.upstream, addr);
          }
        }
      } finally {
        await down.start();
      }
      for (const [code, addr] of where) {
        const u = await upgrade(proxy.wsUrl(code));
        assert.ok(u.opened, `${code} after the restart: ${u.why}`);
        await u.client.close();
        assert.equal(u.upstream, addr, `${code} after the restart went to ${u.upstream}, before to ${addr}`);
      }
    });

    it('create, join, resume, summaries and the replay of a room all reach the one server that holds its log', async (t) => {
      if (!roomsReady) { t.skip('the rooms layer is not in the server yet (every intent is server_busy)'); return; }
      const code = randomCode();
      const fac = await createRoom(proxy, code);
      assert.equal(fac.reply.t, 'welcome');
      const home = byUpstream(fac.upstream);
      assert.ok(home, `create went to ${fac.upstream}`);
      const ups = [['create', fac.upstream]];

      const player = await roomRequest(proxy, { t: 'join', room: code, name: 'Bo', role: 'player' });
      assert.equal(player.reply.t, 'welcome');
      ups.push(['join', player.upstream]);
      await player.client.close();
      const again = await roomRequest(proxy, { t: 'resume', room: code, token: player.reply.token });
      assert.equal(again.reply.t, 'welcome');
      assert.equal(again.reply.you.player, player.reply.you.player, 'resume attached another member');
      ups.push(['resume', again.upstream]);

      await request(fac.client, { t: 'start', id: 2 });
      const closed = await request(fac.client, { t: 'close', id: 3, text: 'done', actions: [] });
      const ev = closed.before.find((m) => m.t === 'ev' && m.e === 'closed');
      assert.ok(ev, `no closed event before the ok: ${JSON.stringify(closed.before)}`);
      const key = ev.summary.replay_key;
      assert.match(key, /^[0-9a-f]{32}$/);

      const log = await get(`${proxy.url}/api/rooms/${code}/log?key=${key}`);
      assert.equal(log.status, 200, `replay: ${log.body}`);
      assert.ok(Array.isArray(decode(log.body)), 'the replay is not a MessagePack array');
      ups.push(['replay', log.upstream]);
      for (const f of ['summary.json', 'summary.md', 'summary.csv']) {
        const r = await get(`${proxy.url}/api/rooms/${code}/${f}?key=${key}`);
        assert.equal(r.status, 200, `${f}: ${r.body}`);
        ups.push([f, r.upstream]);
      }
      for (const [what, u] of ups) assert.equal(u, up(home), `${what} went to ${u}, create to ${up(home)}`);
      for (const n of nodes) {
        assert.equal(n.roomsOnDisk().includes(code), n === home, `${n.name} ${n === home ? 'lacks' : 'holds'} the log of ${code}`);
      }
      await fac.client.close();
      await again.client.close();
    });

    it(`${CODES} rooms created through the proxy spread over all three servers, each log on exactly one`, async (t) => {
      if (!roomsReady) { t.skip('the rooms layer is not in the server yet (every intent is server_busy)'); return; }
      const made = new Map();
      for (const code of codes(CODES)) {
        const r = await createRoom(proxy, code);
        assert.equal(r.reply.t, 'welcome');
        made.set(code, r.upstream);
        await r.client.close();
      }
      for (const n of nodes) {
        const mine = [...made].filter(([, u]) => u === up(n)).map(([c]) => c);
        assert.ok(mine.length > 0, `none of ${CODES} rooms is on ${n.name}`);
        const onDisk = new Set(n.roomsOnDisk());
        for (const [code, u] of made) {
          assert.equal(onDisk.has(code), u === up(n), `${code} (created on ${u}): log ${onDisk.has(code) ? 'present' : 'missing'} on ${n.name}`);
        }
      }
    });

    it('stopping a server affects only its rooms; they come back with the same View when it restarts', async (t) => {
      if (!roomsReady) { t.skip('the rooms layer is not in the server yet (every intent is server_busy)'); return; }
      const down = nodes[2];
      // One room on the server that stops, one elsewhere.
      let codeDown = null;
      let codeUp = null;
      for (const code of codes(200)) {
        const u = await upgrade(proxy.wsUrl(code));
        if (u.client) await u.client.close();
        if (u.upstream === up(down) && !codeDown) codeDown = code;
        if (u.upstream !== up(down) && !codeUp) codeUp = code;
        if (codeDown && codeUp) break;
      }
      assert.ok(codeDown && codeUp, 'no pair of codes on different servers in 200 tries');

      const a = await createRoom(proxy, codeDown);
      const aPlayer = await roomRequest(proxy, { t: 'join', room: codeDown, name: 'Bo', role: 'player' });
      await request(a.client, { t: 'start', id: 2 });
      const b = await createRoom(proxy, codeUp);
      assert.equal(a.upstream, up(down));
      assert.notEqual(b.upstream, up(down));
      // A fresh View of room A for its facilitator, as a resume gives it.
      const viewA = await roomRequest(proxy, { t: 'resume', room: codeDown, token: a.reply.token });
      const before = stableView(viewA.reply.state);
      let bClosed = false;
      b.client.closed.then(() => { bClosed = true; });

      await down.stop();
      try {
        let timer;
        const c = await Promise.race([viewA.client.closed, new Promise((r) => { timer = setTimeout(() => r(null), 5000); })]);
        clearTimeout(timer);
        assert.ok(c, 'the stopped server\'s connection stayed open');
        const u = await upgrade(proxy.wsUrl(codeDown));
        assert.equal(u.opened, false, `room ${codeDown} opened on ${u.upstream} while its server was down`);
        assert.equal(u.status, Proxy.downStatus);
        assert.equal(u.upstream, up(down));
        const r = await get(`${proxy.url}/api/rooms/${codeDown}/log?key=00`);
        assert.equal(r.status, Proxy.downStatus);
        for (const n of nodes) if (n !== down) assert.ok(!n.roomsOnDisk().includes(codeDown), `${n.name} holds ${codeDown}`);
        // The other room carries on.
        b.client.send({ t: 'ping' });
        await b.client.expect('pong');
        assert.equal(bClosed, false);
        const bJoin = await roomRequest(proxy, { t: 'join', room: codeUp, name: 'Cy', role: 'player' });
        assert.equal(bJoin.upstream, b.upstream);
        await bJoin.client.close();
      } finally {
        await down.start();
      }
      const back = await roomRequest(proxy, { t: 'resume', room: codeDown, token: a.reply.token });
      assert.equal(back.upstream, up(down));
      assert.deepEqual(stableView(back.reply.state), before, 'room A came back changed');
      assert.ok(back.reply.state.seq >= viewA.reply.state.seq);
      for (const c of [a.client, aPlayer.client, viewA.client, back.client, b.client]) await c.close();
    });
  });
}

proxySuite(NginxProxy);
proxySuite(HaProxy);
