// harness.mjs - starts the real verrijk binary on 127.0.0.1 and talks to it over real sockets.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { encode, decodeMulti } from '@msgpack/msgpack';

const TESTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = path.resolve(TESTS_DIR, '..');

/** The binary under test: $VERRIJK_BIN, relative to tests/ unless absolute. */
export const BIN = path.resolve(TESTS_DIR, process.env.VERRIJK_BIN || '../build/server/verrijk');

/** Bounds, so a broken server fails a test instead of hanging it. */
export const START_TIMEOUT_MS = 15000; // ASan builds start slowly
export const STOP_TIMEOUT_MS = 15000;
export const REPLY_TIMEOUT_MS = 5000;

export const PROTOCOL = 'verrijk.v1';
export const INDEX_HTML = '<!doctype html><title>verrijk test</title><p>verrijk test page</p>\n';

const SANITIZER_REPORT = /ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer/;

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the binary with a fresh temp --data and --web (holding INDEX_HTML)
 * on a free port and waits for /healthz. Options: args (extra flags),
 * files ({relative path in web: content}), prefix (a command that execs
 * the binary, e.g. ['prlimit', '--nofile=1200'], so the PID stays the
 * server's). Returns a server handle; call stop() at the end, which
 * asserts a clean exit.
 */
export async function startServer({ args = [], files = {}, prefix = [] } = {}) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'verrijk-it-'));
  const data = path.join(root, 'data');
  const web = path.join(root, 'web');
  await mkdir(web);
  await writeFile(path.join(web, 'index.html'), INDEX_HTML);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(web, name)), { recursive: true });
    await writeFile(path.join(web, name), content);
  }
  const port = await freePort();
  // Every test client is 127.0.0.1: the per-address budgets of new rooms
  // and of downloads, meant for people, would stop a suite that makes
  // many. A test of a budget passes its own value.
  const budget = args.includes('--max-creates-per-hour') ? [] : ['--max-creates-per-hour', '1000000'];
  if (!args.includes('--max-downloads-per-minute')) budget.push('--max-downloads-per-minute', '1000000');
  const argv = ['--host', '127.0.0.1', '--port', String(port), '--data', data, '--web', web, ...budget, ...args];
  const proc = spawn(prefix.length ? prefix[0] : BIN, prefix.length ? [...prefix.slice(1), BIN, ...argv] : argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1' },
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => { stdout += d; });
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let exitInfo = null;
  exited.then((e) => { exitInfo = e; });

  const server = {
    port,
    root,
    data,
    web,
    proc,
    url: `http://127.0.0.1:${port}`,
    wsUrl: (room) => `ws://127.0.0.1:${port}/ws${room === undefined ? '' : `?room=${room}`}`,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    /** Sends SIGTERM to our PID and asserts exit 0 without a sanitizer report. */
    async stop({ expectCode = 0 } = {}) {
      if (!exitInfo) proc.kill('SIGTERM');
      let timer;
      const deadline = new Promise((r) => { timer = setTimeout(() => r(null), STOP_TIMEOUT_MS); });
      const res = await Promise.race([exited, deadline]);
      clearTimeout(timer); // else the test process lingers until it fires
      if (!res) {
        proc.kill('SIGKILL');
        await exited;
        await rm(root, { recursive: true, force: true });
        assert.fail(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM; stderr:\n${stderr}`);
      }
      await rm(root, { recursive: true, force: true });
      assert.doesNotMatch(stderr, SANITIZER_REPORT, `sanitizer report in stderr:\n${stderr}`);
      assert.deepEqual(res, { code: expectCode, signal: null }, `exit status; stderr:\n${stderr}`);
      return res;
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exitInfo) {
      await rm(root, { recursive: true, force: true });
      assert.fail(`server exited during start (${JSON.stringify(exitInfo)}); stderr:\n${stderr}`);
    }
    try {
      const r = await fetch(`${server.url}/healthz`);
      if (r.status === 200 && (await r.text()) === 'ok') break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      await exited;
      await rm(root, { recursive: true, force: true });
      assert.fail(`server did not answer /healthz within ${START_TIMEOUT_MS} ms; stderr:\n${stderr}`);
    }
    await sleep(50);
  }
  return server;
}

/** Runs the binary with args to completion (for flag handling); bounded in time. */
export function runBinary(args, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`verrijk ${args.join(' ')} did not exit`)); }, timeoutMs);
    proc.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

/**
 * Tries a WebSocket upgrade. Resolves { opened: true, ws } or
 * { opened: false, why } when the server refused (no open event).
 */
export function tryUpgrade(url, protocols, onSocket = () => {}) {
  return new Promise((resolve) => {
    const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
    // Listeners go on before the socket opens: a message in the same
    // packet as the handshake is emitted right after 'open'.
    onSocket(ws);
    let done = false;
    const finish = (r) => { if (!done) { done = true; resolve(r); } };
    ws.on('open', () => finish({ opened: true, ws }));
    ws.on('unexpected-response', (req, res) => { finish({ opened: false, why: `HTTP ${res.statusCode}` }); ws.terminate(); });
    ws.on('error', (e) => finish({ opened: false, why: e.message }));
    ws.on('close', (code) => finish({ opened: false, why: `closed ${code}` }));
  });
}

/**
 * A client of the verrijk.v1 protocol. Every server frame is decoded with
 * decodeMulti; messages queue up for next()/expect(). `frames` counts the
 * binary frames received; `closed` resolves to { code, reason }.
 */
export class Client {
  constructor(ws) {
    this.ws = ws;
    this.queue = [];
    this.waiters = [];
    this.frames = 0;
    this.textFrames = 0;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.waiters.splice(0)) w.reject(new Error(`connection closed (${code}) while waiting`));
      });
    });
    ws.on('error', () => { /* surfaces as close */ });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) { this.textFrames++; return; }
      this.frames++;
      for (const msg of decodeMulti(data)) {
        const w = this.waiters.shift();
        if (w) w.resolve(msg); else this.queue.push(msg);
      }
    });
  }

  /** Encodes obj as MessagePack and sends it as one binary frame. */
  send(obj) { this.ws.send(encode(obj), { binary: true }); }

  /** Sends bytes as they are; opts go to ws.send (binary, fin). */
  sendRaw(bytes, opts = { binary: true }) { this.ws.send(bytes, opts); }

  /** The next message from the server, or a rejection after timeoutMs. */
  next(timeoutMs = REPLY_TIMEOUT_MS) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return new Promise((resolve, reject) => {
      const w = {};
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      w.resolve = (m) => { clearTimeout(timer); resolve(m); };
      w.reject = (e) => { clearTimeout(timer); reject(e); };
      this.waiters.push(w);
    });
  }

  /** The next message, asserted to have type t. */
  async expect(t, timeoutMs) {
    const msg = await this.next(timeoutMs);
    assert.equal(msg.t, t, `expected {t:"${t}"}, got ${JSON.stringify(msg)}`);
    return msg;
  }

  /** True when nothing arrives within ms. */
  async silentFor(ms) {
    if (this.queue.length) return false;
    try { await this.next(ms); return false; } catch { return true; }
  }

  /** Closes from our side and waits for the close to finish. */
  async close(code = 1000) {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code);
    return this.closed;
  }
}

/** Opens a verrijk.v1 connection to /ws?room=room; rejects when refused. */
export async function connect(server, room = 'ABCDEF', { protocols = [PROTOCOL] } = {}) {
  let client = null;
  const r = await tryUpgrade(server.wsUrl(room), protocols, (ws) => { client = new Client(ws); });
  if (!r.opened) throw new Error(`upgrade refused: ${r.why}`);
  return client;
}

/** Sends a raw HTTP/1.1 request (the path exactly as given) and returns the response text. */
export function rawHttp(server, requestPath, { timeoutMs = REPLY_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(server.port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => { sock.destroy(); resolve(buf); }, timeoutMs);
    sock.on('connect', () => sock.write(`GET ${requestPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    sock.on('data', (d) => { buf += d.toString('latin1'); });
    sock.on('end', () => { clearTimeout(timer); resolve(buf); });
    sock.on('error', (e) => { clearTimeout(timer); if (buf) resolve(buf); else reject(e); });
  });
}
