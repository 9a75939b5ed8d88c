// net.test.mjs - the network layer over real sockets: upgrades, framing, limits, static files, shutdown.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { encode } from '@msgpack/msgpack';
import {
  startServer, connect, tryUpgrade, rawHttp, runBinary, Client, PROTOCOL, INDEX_HTML, REPO_DIR, freePort,
} from './harness.mjs';

const MAX_MESSAGE = 16 * 1024; // VP_MAX_MESSAGE
const VECTORS = path.join(REPO_DIR, 'protocol', 'vectors', 'client.json');
const MANY = 200;
const RATE_BURST = 40; // NET_RATE_BURST
const RATE_STRIKES_MAX = 100; // NET_RATE_STRIKES_MAX
const VECTORS_PER_CONNECTION = 15; // 2 messages each: well inside RATE_BURST

/** {t:"ping", pad} encoded to exactly `size` bytes. */
function pingOfSize(size) {
  let n = size - encode({ t: 'ping', pad: new Uint8Array(0) }).length;
  for (;;) {
    const bytes = encode({ t: 'ping', pad: new Uint8Array(n) });
    if (bytes.length === size) return bytes;
    n -= bytes.length - size;
  }
}

async function pingRoundTrip(client) {
  client.send({ t: 'ping' });
  await client.expect('pong');
}

/** Whether the protocol helper has committed its sources (then vectors must exist). */
function protocolCommitted() {
  try {
    return execFileSync('git', ['ls-files', 'protocol/src'], { cwd: REPO_DIR, encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

describe('verrijk server over real sockets', () => {
  let server;
  before(async () => {
    server = await startServer({ files: { 'app.mjs': 'export const x = 1;\n', 'icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>' } });
  });
  after(async () => { await server.stop(); });

  it('upgrade refused without the verrijk.v1 subprotocol', async () => {
    const none = await tryUpgrade(server.wsUrl('ABCDEF'));
    assert.equal(none.opened, false, 'a socket without a subprotocol opened');
    const other = await tryUpgrade(server.wsUrl('ABCDEF'), ['chat']);
    assert.equal(other.opened, false, 'a socket with another subprotocol opened');
    const ok = await tryUpgrade(server.wsUrl('ABCDEF'), [PROTOCOL]);
    assert.equal(ok.opened, true, `the same request with verrijk.v1 was refused: ${ok.why}`);
    ok.ws.close();
  });

  it('upgrade refused without a room parameter or with a malformed code', async () => {
    for (const room of [undefined, '', 'abcdef', 'ABCDE', 'ABCDEFG', 'ABCDE0', 'ABCDEO', 'ABCDE1', 'ABC%20EF']) {
      const r = await tryUpgrade(server.wsUrl(room), [PROTOCOL]);
      assert.equal(r.opened, false, `room ${JSON.stringify(room)} was accepted`);
    }
    const elsewhere = await tryUpgrade(`${server.url.replace('http', 'ws')}/other?room=ABCDEF`, [PROTOCOL]);
    assert.equal(elsewhere.opened, false, 'an upgrade on a path other than /ws was accepted');
  });

  it('ping is answered with pong', async () => {
    const c = await connect(server, 'ABCDEF');
    c.send({ t: 'ping' });
    assert.deepEqual(await c.expect('pong'), { t: 'pong' });
    await c.close();
  });

  it('every invalid client vector is answered with its error code and id, and the connection stays usable', async (t) => {
    if (!existsSync(VECTORS)) {
      assert.ok(!protocolCommitted(), 'protocol/src is committed but protocol/vectors/client.json is missing');
      t.skip('protocol/vectors/client.json not written yet');
      return;
    }
    const { vectors } = JSON.parse(readFileSync(VECTORS, 'utf8'));
    const invalid = vectors.filter((v) => v.expect && v.expect.error);
    assert.ok(invalid.length > 0, 'client.json holds no invalid vectors');
    // A fresh connection every few vectors keeps each within the rate limit.
    let c = null;
    for (const [i, v] of invalid.entries()) {
      if (i % VECTORS_PER_CONNECTION === 0) {
        if (c) await c.close();
        c = await connect(server, 'ABCDEF');
      }
      c.sendRaw(Buffer.from(v.hex, 'hex'));
      const msg = await c.expect('error');
      assert.equal(msg.code, v.expect.error, `vector ${v.name}: ${JSON.stringify(msg)}`);
      if (v.expect.id !== undefined) assert.equal(msg.id, v.expect.id, `vector ${v.name}: id`);
      else assert.equal(msg.id, undefined, `vector ${v.name}: an error without id expected`);
      assert.equal(typeof msg.msg, 'string', `vector ${v.name}: msg`);
      await pingRoundTrip(c);
    }
    await c.close();
  });

  it('a message of exactly 16 KiB is accepted and one byte more is answered too_large', async () => {
    const c = await connect(server, 'ABCDEF');
    c.sendRaw(pingOfSize(MAX_MESSAGE));
    await c.expect('pong');
    c.sendRaw(pingOfSize(MAX_MESSAGE + 1));
    const err = await c.expect('error');
    assert.equal(err.code, 'too_large');
    await pingRoundTrip(c);
    await c.close();
  });

  it('a 20 KiB frame is answered too_large and the connection stays usable', async () => {
    const c = await connect(server, 'ABCDEF');
    c.sendRaw(pingOfSize(20 * 1024));
    const err = await c.expect('error');
    assert.equal(err.code, 'too_large');
    await pingRoundTrip(c);
    await c.close();
  });

  it('a fragmented message is reassembled', async () => {
    const c = await connect(server, 'ABCDEF');
    const whole = pingOfSize(5000);
    c.sendRaw(whole.subarray(0, 1), { binary: true, fin: false });
    c.sendRaw(whole.subarray(1, 3000), { binary: true, fin: false });
    c.sendRaw(whole.subarray(3000), { binary: true, fin: true });
    await c.expect('pong');
    // A short message in three fragments, then again as one frame.
    const ping = encode({ t: 'ping' });
    c.sendRaw(ping.subarray(0, 2), { binary: true, fin: false });
    c.sendRaw(ping.subarray(2, 4), { binary: true, fin: false });
    c.sendRaw(ping.subarray(4), { binary: true, fin: true });
    await c.expect('pong');
    await pingRoundTrip(c);
    await c.close();
  });

  it('fragments adding up to more than 16 KiB are answered too_large once', async () => {
    const c = await connect(server, 'ABCDEF');
    const big = pingOfSize(MAX_MESSAGE + 100);
    for (let i = 0; i < big.length; i += 4000) {
      c.sendRaw(big.subarray(i, i + 4000), { binary: true, fin: i + 4000 >= big.length });
    }
    assert.equal((await c.expect('error')).code, 'too_large');
    await pingRoundTrip(c);
    assert.equal(c.queue.length, 0, 'more than one answer to one message');
    await c.close();
  });

  it('a text frame is answered bad_request', async () => {
    const c = await connect(server, 'ABCDEF');
    c.sendRaw('{"t":"ping"}', { binary: false });
    assert.equal((await c.expect('error')).code, 'bad_request');
    await pingRoundTrip(c);
    await c.close();
  });

  it('an intent for a room that does not exist is answered no_room with its id', async () => {
    const c = await connect(server, 'ABCDEF');
    c.send({ t: 'join', id: 7, room: 'ABCDEF', name: 'Ann', role: 'player' });
    const msg = await c.expect('error');
    assert.equal(msg.code, 'no_room');
    assert.equal(msg.id, 7);
    await c.close();
  });

  it('queued replies are packed into fewer frames than messages', async () => {
    const c = await connect(server, 'ABCDEF');
    const n = 30; // inside the rate limit's burst
    const batch = Buffer.concat(Array.from({ length: n }, () => Buffer.from(encode({ t: 'ping' }))));
    // Each ping is its own WebSocket frame; write them all at once so the
    // server reads them in one go.
    c.ws._socket.cork();
    for (let i = 0, off = 0; i < n; i++, off += batch.length / n) c.sendRaw(batch.subarray(off, off + batch.length / n));
    c.ws._socket.uncork();
    for (let i = 0; i < n; i++) await c.expect('pong');
    assert.ok(c.frames < n, `${n} pongs came in ${c.frames} frames`);
    await c.close();
  });

  it('a flood of messages is answered rate_limited and then closed with 1008', async () => {
    const c = await connect(server, 'ABCDEF');
    const n = RATE_BURST + RATE_STRIKES_MAX + 60;
    c.ws._socket.cork();
    for (let i = 0; i < n; i++) c.send({ t: 'ping', id: i });
    c.ws._socket.uncork();
    const { code } = await c.closed;
    assert.equal(code, 1008);
    const pongs = c.queue.filter((m) => m.t === 'pong').length;
    const limited = c.queue.filter((m) => m.t === 'error' && m.code === 'rate_limited');
    assert.ok(pongs >= RATE_BURST && pongs < RATE_BURST + 20, `${pongs} pongs`);
    assert.equal(limited.length, RATE_STRIKES_MAX - 1, 'rate_limited answers before the close');
    assert.equal(typeof limited[0].id, 'number', 'rate_limited carries the id of the refused message');
    const fresh = await connect(server, 'ABCDEF');
    await pingRoundTrip(fresh);
    await fresh.close();
  });

  it('a sustained flood over the rate (25 pings every 50 ms) is closed with 1008', async () => {
    const c = await connect(server, 'ABCDEF');
    let sent = 0;
    const t0 = performance.now();
    const timer = setInterval(() => {
      if (c.ws.readyState !== c.ws.OPEN) return;
      for (let i = 0; i < 25; i++) c.send({ t: 'ping', id: sent++ });
    }, 50);
    const res = await Promise.race([c.closed, new Promise((r) => setTimeout(() => r(null), 5000))]);
    clearInterval(timer);
    if (!res) c.ws.terminate();
    assert.ok(res, `still open after ${sent} pings in ${(performance.now() - t0).toFixed(0)} ms`);
    // The server sends close 1008; while the client keeps writing, the
    // kernel may answer the server's close with a reset that overtakes the
    // close frame (then the client sees 1006). Either way it was closed.
    assert.ok(res.code === 1008 || res.code === 1006, `closed with ${res.code}`);
    const limited = c.queue.filter((m) => m.t === 'error' && m.code === 'rate_limited').length;
    // A reset also discards answers still in flight; a clean close delivers them all.
    if (res.code === 1008) assert.equal(limited, RATE_STRIKES_MAX - 1);
    else assert.ok(limited <= RATE_STRIKES_MAX - 1, `${limited} rate_limited answers`);
  });

  it('a client that pauses after being limited is forgiven its strikes', async () => {
    // Four bursts of 30 over the rate: 120 strikes in all, more than the
    // 100 that close a connection, but each burst follows a pause long
    // enough to refill the bucket, which forgives the earlier ones.
    const OVER = 30;
    const c = await connect(server, 'ABCDEF');
    for (let round = 0; round < 4; round++) {
      c.ws._socket.cork();
      for (let i = 0; i < RATE_BURST + OVER; i++) c.send({ t: 'ping' });
      c.ws._socket.uncork();
      let limited = 0;
      for (let n = 0; n < RATE_BURST + OVER; n++) {
        const m = await c.next();
        if (m.t === 'error' && m.code === 'rate_limited') limited++;
      }
      assert.ok(limited >= OVER - 5 && limited <= OVER, `round ${round}: ${limited} limited`);
      await new Promise((r) => setTimeout(r, 2200)); // 40 tokens at 20/s take 2 s
    }
    await pingRoundTrip(c);
    await c.close();
  });

  it(`${MANY} concurrent connections each complete a ping round trip`, async () => {
    const t0 = performance.now();
    const clients = await Promise.all(Array.from({ length: MANY }, () => connect(server, 'ABCDEF')));
    const connectMs = performance.now() - t0;
    await Promise.all(clients.map(pingRoundTrip));
    const totalMs = performance.now() - t0;
    console.log(`# ${MANY} connections opened in ${connectMs.toFixed(0)} ms, all pings answered after ${totalMs.toFixed(0)} ms`);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('static index.html and /healthz are served', async () => {
    const root = await fetch(`${server.url}/`);
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type'), /^text\/html/);
    assert.equal(await root.text(), INDEX_HTML);
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok');
    const missing = await fetch(`${server.url}/no-such-file.js`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
  });

  it('a method other than GET on a route is answered 405 with allow: GET', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${server.url}/healthz`, { method, body: method === 'DELETE' ? undefined : 'x=1' });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'GET', method);
      await res.arrayBuffer();
    }
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(await health.text(), 'ok');
  });

  it('.mjs and .svg are served with their MIME types', async () => {
    const mjs = await fetch(`${server.url}/app.mjs`);
    assert.equal(mjs.status, 200);
    assert.match(mjs.headers.get('content-type'), /^text\/javascript/);
    await mjs.arrayBuffer();
    const svg = await fetch(`${server.url}/icon.svg`);
    assert.equal(svg.status, 200);
    assert.match(svg.headers.get('content-type'), /^image\/svg\+xml/);
    await svg.arrayBuffer();
  });

  it('.. path traversal cannot read a file outside --web', async () => {
    const secret = 'verrijk-secret-outside-web-dir';
    await writeFile(path.join(server.root, 'secret.txt'), secret);
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/x/../../secret.txt', '/./../secret.txt']) {
      const res = await rawHttp(server, p);
      assert.ok(res.startsWith('HTTP/1.1 '), `no HTTP answer to ${p}: ${JSON.stringify(res.slice(0, 80))}`);
      assert.ok(!res.includes(secret), `${p} served a file outside the web directory`);
      assert.ok(!res.startsWith('HTTP/1.1 200') || res.includes(INDEX_HTML), `${p} answered 200 with something else: ${res.slice(0, 200)}`);
    }
  });
});

describe('verrijk process lifecycle', () => {
  it(`SIGTERM with ${MANY} open connections exits 0 and clients see close code 1001`, async () => {
    const server = await startServer();
    const clients = await Promise.all(Array.from({ length: MANY }, () => connect(server, 'QWERTY')));
    await Promise.all(clients.map(pingRoundTrip));
    const closes = Promise.all(clients.map((c) => c.closed));
    await server.stop();
    const codes = await closes;
    const wrong = codes.filter((c) => c.code !== 1001);
    assert.equal(wrong.length, 0, `${wrong.length} clients saw another close code, e.g. ${JSON.stringify(wrong[0])}`);
  });

  it('a WebSocket over --max-connections is answered server_busy and closed 1013, and a freed place is reusable', async () => {
    const server = await startServer({ args: ['--max-connections', '3'] });
    const clients = await Promise.all([1, 2, 3].map(() => connect(server, 'ABCDEF')));
    await Promise.all(clients.map(pingRoundTrip));
    const extra = await connect(server, 'ABCDEF');
    const busy = await extra.expect('error');
    assert.equal(busy.code, 'server_busy');
    assert.equal((await extra.closed).code, 1013);
    await clients[0].close();
    await new Promise((r) => setTimeout(r, 100)); // let the server see the close
    const again = await connect(server, 'ABCDEF');
    await pingRoundTrip(again);
    await Promise.all([again, clients[1], clients[2]].map((c) => c.close()));
    await server.stop();
  });

  it('sockets beyond the file-descriptor budget are refused at accept and the server stays responsive', async () => {
    const FD_LIMIT = 1200; // prlimit for the server; NET_FD_RESERVE (512) of it is kept back
    const OPEN = 800;      // more than FD_LIMIT - 512 sockets
    const server = await startServer({ prefix: ['prlimit', `--nofile=${FD_LIMIT}:${FD_LIMIT}`] });
    const socks = [];
    let refused = 0;
    try {
      for (let i = 0; i < OPEN; i++) {
        const s = net.connect(server.port, '127.0.0.1');
        s.on('error', () => {});
        s.closedByServer = new Promise((r) => { s.on('close', () => r(true)); s.on('end', () => r(true)); });
        await new Promise((r) => { s.on('connect', r); s.on('error', r); });
        socks.push(s);
      }
      await new Promise((r) => setTimeout(r, 500));
      for (const s of socks) {
        if (await Promise.race([s.closedByServer, new Promise((r) => setImmediate(() => r(false)))])) refused++;
      }
      assert.ok(refused >= OPEN - (FD_LIMIT - 512), `only ${refused} of ${OPEN} sockets were refused`);
      assert.ok(refused < OPEN, 'every socket was refused');
    } finally {
      for (const s of socks) s.destroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(await health.text(), 'ok');
    const c = await connect(server, 'ABCDEF');
    await pingRoundTrip(c);
    await c.close();
    console.log(`# fd budget: ${refused} of ${OPEN} sockets refused at accept with RLIMIT_NOFILE ${FD_LIMIT}`);
    await server.stop();
  });

  it('a port in use is reported and exits 1', async () => {
    const server = await startServer();
    const second = await runBinary(['--host', '127.0.0.1', '--port', String(server.port), '--data', path.join(server.root, 'data2'), '--web', server.web]);
    assert.equal(second.code, 1, `exit status; stderr:\n${second.stderr}`);
    assert.match(second.stderr, /cannot listen on 127\.0\.0\.1:\d+/);
    assert.doesNotMatch(second.stderr, /Sanitizer/);
    await server.stop();
  });

  it('bad flags are refused with a message and exit 2', async () => {
    for (const args of [['--bogus'], ['--port', 'eighty'], ['--port', '70000'], ['--port'], ['extra'], ['--max-connections', '0']]) {
      const r = await runBinary(args);
      assert.equal(r.code, 2, `verrijk ${args.join(' ')}: exit ${r.code}`);
      assert.match(r.stderr, /^verrijk: /, `verrijk ${args.join(' ')}: no message`);
    }
    const help = await runBinary(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--port N/);
    const version = await runBinary(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^verrijk \d+\.\d+\.\d+/);
  });

  it('the data directory is created when missing', async () => {
    const server = await startServer();
    assert.ok(existsSync(server.data), 'data directory not created');
    await server.stop();
  });

  it('the start line names the address', async () => {
    const server = await startServer();
    assert.match(server.stdout(), new RegExp(`^verrijk listening on http://127\\.0\\.0\\.1:${server.port}$`, 'm'));
    await server.stop();
  });
});

// Keep imports used by helpers others may add here.
void Client; void freePort;
