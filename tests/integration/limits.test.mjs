// limits.test.mjs - per-address limits on failed joins, resumes and replay keys, --trust-proxy, --max-failures, --origin, escaped codes, header size, --max-rooms.
//
// Every client here is 127.0.0.1. Servers that must tell clients apart run
// with --trust-proxy 127.0.0.1, and each client names its address with
// X-Real-IP, as a reverse proxy would.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, runBinary, REPLY_TIMEOUT_MS } from './harness.mjs';
import { DECK, roomCode, upgrade, member } from './members.mjs';

const FAILS_MAX = 20;               // LIMITS_FAILS_MAX
const WINDOW_MS = 60000;            // LIMITS_WINDOW_MS
const STEP_MS = WINDOW_MS / FAILS_MAX; // one failure leaks away this often

// Wrong replay keys from ip until one is refused: the address's failure
// count is full again, whatever leaked away while the test ran.
async function exhaust(server, room, ip) {
  for (let i = 0; i <= FAILS_MAX; i++) {
    const r = await get(server, `/api/rooms/${room}/summary.json?key=${'f'.repeat(32)}`, { 'X-Real-IP': ip });
    if (r.status === 429)
      return;
    assert.equal(r.status, 404);
  }
  assert.fail(`${FAILS_MAX + 1} wrong keys from ${ip} and none refused`);
}
const HEADERS_MAX = 8192;           // NET_HTTP_REQUEST_HEADERS_MAX
const SUITE_TIMEOUT_MS = 120000;

/** A room code that no test creates (all codes from roomCode() are random). */
function unusedCode(taken) {
  for (;;) {
    const c = roomCode();
    if (!taken.has(c)) { taken.add(c); return c; }
  }
}

async function createRoom(server, ip) {
  const room = roomCode();
  const fac = await member(server, room, { ip });
  const w = await fac.must({ t: 'create', room, name: 'Fien', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: {} });
  return { room, fac, token: w.token };
}

/** GET path with headers; resolves { status, headers, text }. */
async function get(server, path, headers = {}) {
  const r = await fetch(`${server.url}${path}`, { headers, signal: AbortSignal.timeout(REPLY_TIMEOUT_MS) });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

/** Writes raw bytes as one HTTP request; resolves with what came back before the server hung up (or the timeout). */
function rawRequest(server, bytes, timeoutMs = REPLY_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const sock = net.connect(server.port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => { sock.destroy(); resolve({ buf, hungUp: false }); }, timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (d) => { buf += d.toString('latin1'); });
    sock.on('close', () => { clearTimeout(timer); resolve({ buf, hungUp: true }); });
    sock.on('error', () => { /* surfaces as close */ });
  });
}

describe('per-address limits behind a trusted proxy', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;
  const taken = new Set();

  before(async () => {
    server = await startServer({ args: ['--trust-proxy', '127.0.0.1'] });
  });
  after(async () => { await server.stop(); });

  it('probing 30 room codes with join is answered no_room 20 times, then rate_limited; another address still joins', async () => {
    const prober = '198.51.100.10';
    const { room } = await createRoom(server, '198.51.100.11');
    const answers = [];
    for (let i = 0; i < 30; i++) {
      const code = unusedCode(taken);
      const m = await member(server, code, { ip: prober });
      answers.push((await m.req({ t: 'join', room: code, name: `Probe${i}` })).code);
      await m.client.close();
    }
    assert.deepEqual(answers.slice(0, FAILS_MAX), Array(FAILS_MAX).fill('no_room'));
    assert.deepEqual(answers.slice(FAILS_MAX), Array(30 - FAILS_MAX).fill('rate_limited'));

    // The room that exists tells the prober nothing now either.
    const p = await member(server, room, { ip: prober });
    const refused = await p.refused({ t: 'join', room, name: 'Probe' }, 'rate_limited');
    assert.match(refused.msg, /try again in \d+ s/);
    await p.client.close();

    // A person at another address joins that room as usual.
    const anna = await member(server, room, { ip: '198.51.100.12' });
    const w = await anna.must({ t: 'join', room, name: 'Anna' });
    assert.equal(w.t, 'welcome');
    await anna.client.close();
  });

  it('wrong resume tokens count against the address as bad_token, then rate_limited', async () => {
    const ip = '198.51.100.20';
    const { room, fac, token } = await createRoom(server, '198.51.100.21');
    const m = await member(server, room, { ip });
    const answers = [];
    // Well within the connection's own message rate (a burst of 40).
    for (let i = 0; i < FAILS_MAX + 3; i++)
      answers.push((await m.req({ t: 'resume', room, token: i.toString(16).padStart(32, '0') })).code);
    assert.deepEqual(answers.slice(0, FAILS_MAX), Array(FAILS_MAX).fill('bad_token'));
    assert.deepEqual(answers.slice(FAILS_MAX), Array(3).fill('rate_limited'));
    // Even the right token is not looked at from that address for now:
    // a prober cannot tell a hit from the refusal.
    await m.refused({ t: 'resume', room, token }, 'rate_limited');
    await m.client.close();
    await fac.client.close();
  });

  it('wrong replay keys answer 404 20 times, then 429 with Retry-After; other addresses are not affected', async () => {
    const ip = '198.51.100.30';
    const { room, fac, token } = await createRoom(server, '198.51.100.31');
    const statuses = [];
    const t0 = Date.now();
    for (let i = 0; i < 25; i++) {
      const r = await get(server, `/api/rooms/${room}/summary.json?key=${i.toString(16).padStart(32, '0')}`, { 'X-Real-IP': ip });
      statuses.push(r.status);
      if (r.status === 429) {
        const retry = Number(r.headers.get('retry-after'));
        assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= WINDOW_MS / 1000, `retry-after ${r.headers.get('retry-after')}`);
      }
    }
    // The count leaks one failure every STEP_MS: on a busy machine the 25
    // requests may take long enough for a failure or two to leak away, and
    // each one that did buys exactly one more 404.
    const leaked = Math.floor((Date.now() - t0) / STEP_MS);
    assert.deepEqual(statuses.slice(0, FAILS_MAX), Array(FAILS_MAX).fill(404));
    const after = statuses.slice(FAILS_MAX);
    assert.ok(after.every((s) => s === 404 || s === 429), `after the budget: ${after}`);
    assert.ok(after.filter((s) => s === 404).length <= leaked, `after the budget: ${after}, ${leaked} failures leaked away`);
    assert.ok(leaked >= after.length || after.includes(429), `after the budget: ${after}`);
    // Each check below starts from a full count (what leaked away since is used up again).
    const refill = () => exhaust(server, room, ip);
    await refill();
    // Unknown rooms answer alike and are refused alike.
    assert.equal((await get(server, `/api/rooms/${unusedCode(taken)}/log?key=${'0'.repeat(32)}`, { 'X-Real-IP': ip })).status, 429);
    // Even the facilitator's own token is not looked at from that address.
    await refill();
    assert.equal((await get(server, `/api/rooms/${room}/log`, { 'X-Real-IP': ip, Authorization: `Bearer ${token}` })).status, 429);

    // From another address the facilitator reads the replay (no round closed: an empty array).
    const ok = await get(server, `/api/rooms/${room}/log`, { 'X-Real-IP': '198.51.100.32', Authorization: `Bearer ${token}` });
    assert.equal(ok.status, 200);
    // And the last X-Forwarded-For hop counts when there is no X-Real-IP.
    await refill();
    assert.equal((await get(server, `/api/rooms/${room}/log`, { 'X-Forwarded-For': `203.0.113.9, ${ip}` })).status, 429);
    assert.equal((await get(server, `/api/rooms/${room}/log`, { 'X-Forwarded-For': `${ip}, 203.0.113.9`, Authorization: `Bearer ${token}` })).status, 200);
    await fac.client.close();
  });

  it('failures on the socket and over HTTP add up for one address', async () => {
    const ip = '198.51.100.40';
    for (let i = 0; i < FAILS_MAX / 2; i++)
      assert.equal((await get(server, `/api/rooms/${unusedCode(taken)}/summary.csv?key=x`, { 'X-Real-IP': ip })).status, 404);
    const answers = [];
    for (let i = 0; i < FAILS_MAX / 2 + 1; i++) {
      const code = unusedCode(taken);
      const m = await member(server, code, { ip });
      answers.push((await m.req({ t: 'join', room: code, name: 'P' })).code);
      await m.client.close();
    }
    assert.deepEqual(answers, [...Array(FAILS_MAX / 2).fill('no_room'), 'rate_limited']);
  });

  it('escaped or doubled room codes are refused', async () => {
    const { room, fac } = await createRoom(server, '198.51.100.50');
    // An escaped % (or anything else outside the code alphabet) is no code.
    let r = await upgrade(server, null, { rawQuery: `room=%25${room.slice(1)}` });
    assert.equal(r.opened, false);
    // Two room arguments: a proxy would route by one, the server read another.
    r = await upgrade(server, null, { rawQuery: `room=${room}&room=${unusedCode(taken)}` });
    assert.equal(r.opened, false);
    r = await upgrade(server, null, { rawQuery: `room=${room}` });
    assert.equal(r.opened, true, r.why);
    await r.client.close();
    const api = await get(server, `/api/rooms/%25${room.slice(1)}/summary.json?key=x`, { 'X-Real-IP': '198.51.100.51' });
    assert.equal(api.status, 404);
    await fac.client.close();
  });

  it('a room code escaped as %41 is refused', {
    todo: 'libwebsockets 4.1.6 decodes percent escapes while parsing and keeps no raw copy; the proxy (deploy/) refuses these',
  }, async () => {
    const { room, fac } = await createRoom(server, '198.51.100.60');
    const escaped = `%${room.charCodeAt(0).toString(16).toUpperCase()}${room.slice(1)}`;
    const r = await upgrade(server, null, { rawQuery: `room=${escaped}` });
    if (r.opened) await r.client.close();
    await fac.client.close();
    assert.equal(r.opened, false);
  });
});

describe('per-address limits without a trusted proxy', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });

  it('X-Real-IP from an untrusted peer is ignored: the peer address is refused', async () => {
    const statuses = [];
    for (let i = 0; i < FAILS_MAX + 1; i++) {
      // A new claimed address every time: it must not buy new tries.
      const r = await get(server, `/api/rooms/${roomCode()}/log?key=x`, { 'X-Real-IP': `203.0.113.${i + 1}` });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [...Array(FAILS_MAX).fill(404), 429]);
    // The rest of the server is not refused.
    assert.equal((await get(server, '/api/decks')).status, 200);
  });

  it('--trust-proxy refuses what is no address', async () => {
    const r = await runBinary(['--trust-proxy', 'proxy.example', '--port', '1']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--trust-proxy/);
  });
});

describe('--max-failures', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer({ args: ['--max-failures', '3'] }); });
  after(async () => { await server.stop(); });

  it('sets how many failures an address may make: the fourth join is refused', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const code = roomCode();
      const m = await member(server, code);
      answers.push((await m.req({ t: 'join', room: code, name: 'P' })).code);
      await m.client.close();
    }
    assert.deepEqual(answers, ['no_room', 'no_room', 'no_room', 'rate_limited', 'rate_limited']);
  });

  it('--max-failures refuses 0 and what is no number', async () => {
    for (const bad of ['0', 'x', '100001']) {
      const r = await runBinary(['--max-failures', bad, '--port', '1']);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--max-failures/);
    }
  });
});

describe('--origin', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer({ args: ['--origin', 'https://play.example,http://localhost:5173/'] }); });
  after(async () => { await server.stop(); });

  it('an upgrade from a listed origin opens, from another is refused, without Origin opens', async () => {
    const room = roomCode();
    for (const origin of ['https://play.example', 'HTTPS://Play.Example', 'http://localhost:5173']) {
      const r = await upgrade(server, room, { origin });
      assert.equal(r.opened, true, `${origin}: ${r.why}`);
      await r.client.close();
    }
    for (const origin of ['https://evil.example', 'https://play.example.evil.example', 'http://play.example', 'null']) {
      const r = await upgrade(server, room, { origin });
      assert.equal(r.opened, false, `${origin} should be refused`);
    }
    const r = await upgrade(server, room, {});
    assert.equal(r.opened, true, r.why);
    await r.client.close();
  });

  it('--origin refuses values that are no origin', async () => {
    for (const bad of ['play.example', 'https://play.example/path', 'https://']) {
      const r = await runBinary(['--origin', bad, '--port', '1']);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--origin/);
    }
  });
});

describe('HTTP request size', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });

  it('a request with a 20 KiB header is refused and the server keeps serving', async () => {
    const big = 'a'.repeat(20 * 1024);
    const r = await rawRequest(server, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${big}\r\nConnection: close\r\n\r\n`);
    assert.ok(r.hungUp, 'the server hangs up');
    assert.doesNotMatch(r.buf, /^HTTP\/1\.1 2/, `a 20 KiB header was served: ${r.buf.slice(0, 80)}`);
    // A 20 KiB request line, too.
    const line = await rawRequest(server, `GET /healthz?${big} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.ok(line.hungUp);
    assert.doesNotMatch(line.buf, /^HTTP\/1\.1 2/);
    // The server is fine, and so is one more socket.
    assert.equal((await get(server, '/healthz')).text, 'ok');
  });

  it('headers under the bound are served (the bound is ours, above the lws default of 4096)', async () => {
    const header = 'b'.repeat(HEADERS_MAX - 2048);
    const r = await rawRequest(server, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${header}\r\nConnection: close\r\n\r\n`);
    assert.match(r.buf, /^HTTP\/1\.1 200/);
  });
});

describe('--max-rooms', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => { server = await startServer({ args: ['--max-rooms', '3'] }); });
  after(async () => { await server.stop(); });

  it('creating a fourth room is answered server_busy while the three held rooms play on', async () => {
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await createRoom(server));
    const room = roomCode();
    const m = await member(server, room);
    await m.refused({ t: 'create', room, name: 'Vier', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: {} }, 'server_busy');
    await m.client.close();
    // A held room still takes members.
    const anna = await member(server, held[0].room);
    await anna.must({ t: 'join', room: held[0].room, name: 'Anna' });
    await anna.client.close();
    for (const h of held) await h.fac.client.close();
  });

  it('--max-rooms refuses 0 and numbers past the built-in bound', async () => {
    for (const bad of ['0', '20001', 'x']) {
      const r = await runBinary(['--max-rooms', bad, '--port', '1']);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
    }
  });
});
