// cluster.mjs - three real verrijk servers on loopback ports behind Debian's nginx (deploy/nginx.conf) or HAProxy (deploy/haproxy.cfg).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  BIN, REPO_DIR, PROTOCOL, INDEX_HTML, START_TIMEOUT_MS, STOP_TIMEOUT_MS, REPLY_TIMEOUT_MS, Client,
} from '../harness.mjs';

export const NGINX = '/usr/sbin/nginx';
export const NGINX_CONF = path.join(REPO_DIR, 'deploy', 'nginx.conf');
export const HAPROXY = '/usr/sbin/haproxy';
export const HAPROXY_CONF = path.join(REPO_DIR, 'deploy', 'haproxy.cfg');
export const DECKS_DIR = path.join(REPO_DIR, 'decks');

/** The header the test configuration adds: which upstream nginx used. */
export const UPSTREAM_HEADER = 'x-upstream';

const SANITIZER_REPORT = /ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Replaces every match of re in text by fn(match...), asserting how many there were. */
function replaceCounted(text, re, count, fn, what, file = 'deploy/nginx.conf') {
  let n = 0;
  const out = text.replace(re, (...m) => { n++; return fn(...m); });
  assert.equal(n, count, `${file}: expected ${count} ${what}, found ${n}; the test's templating must follow the file`);
  return out;
}

/**
 * deploy/nginx.conf adapted to this machine, changing only where things
 * are: the three servers verrijkN:8080 become 127.0.0.1:ports[N-1] in both
 * upstream blocks (keeping their parameters), nginx listens on
 * 127.0.0.1:listenPort, its temp files and access log go under prefix, one
 * worker, no rlimit change (the hard limit here is lower). It turns on the
 * commented-out X-Upstream header ($upstream_addr), so a test can see which
 * server nginx picked. Routing, hashing and failover stay as committed.
 */
export function nginxConfig({ listenPort, ports, prefix }) {
  let conf = readFileSync(NGINX_CONF, 'utf8');
  conf = replaceCounted(conf, /^(\s*server\s+)verrijk([123]):8080\b/gm, 6,
    (_, lead, n) => `${lead}127.0.0.1:${ports[Number(n) - 1]}`, 'server lines (verrijk1..3 in two upstreams)');
  conf = replaceCounted(conf, /^(\s*)listen\s+8080\s*;/gm, 1,
    (_, lead) => `${lead}listen 127.0.0.1:${listenPort};`, 'listen 8080');
  conf = replaceCounted(conf, /^(\s*)# (add_header X-Upstream \$upstream_addr always;)/gm, 1,
    (_, lead, directive) => `${lead}${directive}`, 'commented-out X-Upstream header');
  conf = replaceCounted(conf, /^worker_processes\s+\S+;/gm, 1, () => 'worker_processes 1;', 'worker_processes');
  conf = replaceCounted(conf, /^worker_rlimit_nofile\s+\S+;\n/gm, 1, () => '', 'worker_rlimit_nofile');
  conf = replaceCounted(conf, /^(\s*)access_log\s+\S+\s+verrijk;/gm, 1,
    (_, lead) => `${lead}access_log ${path.join(prefix, 'access.log')} verrijk;`, 'access_log');
  conf = replaceCounted(conf, /^http \{\n/gm, 1, () => [
    'http {',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `    ${k}_temp_path ${path.join(prefix, 'tmp', k)};`),
    '',
  ].join('\n'), 'http block');
  return conf;
}

/** Waits until GET url answers 200 "ok", or fails after timeoutMs. */
async function waitHealthy(url, timeoutMs, isDead, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (isDead()) assert.fail(`${what} exited during start`);
    try {
      const r = await fetch(url);
      if (r.status === 200 && (await r.text()) === 'ok') return;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) assert.fail(`${what}: ${url} not healthy within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A child process we started, with its output kept for failure messages. */
class Child {
  constructor(cmd, args, env) {
    this.proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.out = '';
    this.proc.stdout.on('data', (d) => { this.out += d; });
    this.proc.stderr.on('data', (d) => { this.out += d; });
    this.exitInfo = null;
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      resolve(this.exitInfo);
    }));
  }

  /** Sends sig to our PID and waits for the exit; SIGKILL after STOP_TIMEOUT_MS. */
  async stop(sig = 'SIGTERM') {
    if (!this.exitInfo) this.proc.kill(sig);
    let timer;
    const res = await Promise.race([this.exited, new Promise((r) => { timer = setTimeout(() => r(null), STOP_TIMEOUT_MS); })]);
    clearTimeout(timer);
    if (res) return { res, timedOut: false };
    this.proc.kill('SIGKILL');
    return { res: await this.exited, timedOut: true };
  }
}

/**
 * One verrijk server on a fixed loopback port and a fixed data directory,
 * so that it can be stopped and started again as the same upstream with
 * the same logs.
 */
export class Node {
  constructor({ name, port, data, web }) {
    Object.assign(this, { name, port, data, web });
    this.child = null;
    this.logs = '';
  }

  get url() { return `http://127.0.0.1:${this.port}`; }

  /** The address nginx reports in $upstream_addr for this server. */
  get addr() { return `127.0.0.1:${this.port}`; }

  async start() {
    assert.equal(this.child, null, `${this.name} is already running`);
    this.child = new Child(BIN, ['--host', '127.0.0.1', '--port', String(this.port), '--data', this.data,
      '--web', this.web, '--decks', DECKS_DIR,
      // Every request comes from the proxy on 127.0.0.1, and the test
      // probes unknown codes on purpose: lift the per-address failure bound
      // (and the budget of new rooms, for the rooms the test spreads).
      '--max-failures', '100000', '--max-creates-per-hour', '1000000',
      '--max-downloads-per-minute', '1000000'], { ...process.env, ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1' });
    const c = this.child;
    try {
      await waitHealthy(`${this.url}/healthz`, START_TIMEOUT_MS, () => c.exitInfo !== null, this.name);
    } catch (e) {
      await c.stop('SIGKILL');
      this.child = null;
      throw new Error(`${e.message}\n${this.name} output:\n${c.out}`);
    }
  }

  /** SIGTERM; asserts a clean exit (0, no sanitizer report). */
  async stop() {
    const c = this.child;
    if (!c) return;
    this.child = null;
    const { res, timedOut } = await c.stop('SIGTERM');
    this.logs += c.out;
    assert.ok(!timedOut, `${this.name} did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM:\n${c.out}`);
    assert.doesNotMatch(c.out, SANITIZER_REPORT, `${this.name}: sanitizer report:\n${c.out}`);
    assert.deepEqual(res, { code: 0, signal: null }, `${this.name} exit status; output:\n${c.out}`);
  }

  /** The room codes whose log this server's data directory holds. */
  roomsOnDisk() {
    const dir = path.join(this.data, 'rooms');
    if (!existsSync(dir)) return [];
    return execFileSync('ls', ['-1', dir], { encoding: 'utf8' }).split('\n')
      .filter((f) => f.endsWith('.log')).map((f) => f.slice(0, -4));
  }
}

/** Debian's nginx running the templated deploy/nginx.conf. */
export class NginxProxy {
  constructor({ port, prefix, ports }) {
    Object.assign(this, { port, prefix, ports });
    this.conf = path.join(prefix, 'nginx.conf');
    this.child = null;
  }

  static get binary() { return NGINX; }

  static get file() { return 'deploy/nginx.conf'; }

  /** What nginx answers while a room's server is down. */
  static get downStatus() { return 502; }

  /** The X-Upstream value that names node: $upstream_addr. */
  upstreamOf(node) { return node.addr; }

  get url() { return `http://127.0.0.1:${this.port}`; }

  wsUrl(room) { return `ws://127.0.0.1:${this.port}/ws${room === undefined ? '' : `?room=${room}`}`; }

  /** -g directives: foreground, pid file under the prefix. */
  globals() { return `daemon off; pid ${path.join(this.prefix, 'nginx.pid')};`; }

  async writeConfig() {
    await mkdir(path.join(this.prefix, 'tmp'), { recursive: true });
    // Run as root, nginx's workers run as nobody and must reach the temp
    // directories it creates (and chowns) under the prefix.
    await chmod(this.prefix, 0o755);
    await chmod(path.join(this.prefix, 'tmp'), 0o755);
    await writeFile(this.conf, nginxConfig({ listenPort: this.port, ports: this.ports, prefix: this.prefix }));
  }

  /** `nginx -t` on the config: { ok, out }. */
  check() {
    try {
      const out = execFileSync(NGINX, ['-t', '-q', '-c', this.conf, '-p', this.prefix, '-g', this.globals()],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 });
      return { ok: true, out };
    } catch (e) {
      return { ok: false, out: `${e.stdout || ''}${e.stderr || ''}` };
    }
  }

  async start() {
    this.child = new Child(NGINX, ['-c', this.conf, '-p', this.prefix, '-g', this.globals()], process.env);
    await waitListening(this);
  }

  /** SIGTERM to the master (our PID); it ends its workers. */
  async stop() {
    const c = this.child;
    if (!c) return;
    this.child = null;
    const { timedOut } = await c.stop('SIGTERM');
    assert.ok(!timedOut, `nginx did not exit within ${STOP_TIMEOUT_MS} ms:\n${c.out}`);
  }

  output() { return this.child ? this.child.out : ''; }
}

/** Waits until proxy.child's proxy accepts connections. */
async function waitListening(proxy) {
  const c = proxy.child;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (c.exitInfo) assert.fail(`the proxy exited during start (${JSON.stringify(c.exitInfo)}):\n${c.out}`);
    try {
      await fetch(`${proxy.url}/healthz`);
      return;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await c.stop('SIGKILL');
      assert.fail(`the proxy did not listen within ${START_TIMEOUT_MS} ms:\n${c.out}`);
    }
    await sleep(50);
  }
}

/**
 * deploy/haproxy.cfg adapted to this machine: verrijkN:8080 become
 * 127.0.0.1:ports[N-1] in both backends, it binds 127.0.0.1:listenPort,
 * maxconn fits this machine's file limit, and the commented-out
 * X-Upstream header (the server's name) is on.
 */
export function haproxyConfig({ listenPort, ports }) {
  const F = 'deploy/haproxy.cfg';
  let conf = readFileSync(HAPROXY_CONF, 'utf8');
  conf = replaceCounted(conf, /^(\s*server\s+verrijk[123]\s+)verrijk([123]):8080\b/gm, 6,
    (_, lead, n) => `${lead}127.0.0.1:${ports[Number(n) - 1]}`, 'server lines (verrijk1..3 in two backends)', F);
  conf = replaceCounted(conf, /^(\s*)bind\s+:8080\s*$/gm, 1, (_, lead) => `${lead}bind 127.0.0.1:${listenPort}`, 'bind :8080', F);
  conf = replaceCounted(conf, /^(\s*)maxconn\s+\d+\s*$/gm, 1, (_, lead) => `${lead}maxconn 2000`, 'global maxconn', F);
  conf = replaceCounted(conf, /^(\s*)# (http-after-response set-header X-Upstream %\[srv_name\])$/gm, 1,
    (_, lead, directive) => `${lead}${directive}`, 'commented-out X-Upstream header', F);
  return conf;
}

/** Debian's HAProxy running the templated deploy/haproxy.cfg. */
export class HaProxy {
  constructor({ port, prefix, ports }) {
    Object.assign(this, { port, prefix, ports });
    this.conf = path.join(prefix, 'haproxy.cfg');
    this.child = null;
  }

  static get binary() { return HAPROXY; }

  static get file() { return 'deploy/haproxy.cfg'; }

  /** What HAProxy answers while a room's server is down. */
  static get downStatus() { return 503; }

  /** The X-Upstream value that names node: the server's name. */
  upstreamOf(node) { return node.name; }

  get url() { return `http://127.0.0.1:${this.port}`; }

  wsUrl(room) { return `ws://127.0.0.1:${this.port}/ws${room === undefined ? '' : `?room=${room}`}`; }

  async writeConfig() {
    await mkdir(this.prefix, { recursive: true });
    await writeFile(this.conf, haproxyConfig({ listenPort: this.port, ports: this.ports }));
  }

  /** `haproxy -c` on the config: { ok, out }. */
  check() {
    try {
      const out = execFileSync(HAPROXY, ['-c', '-q', '-f', this.conf],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 });
      return { ok: true, out };
    } catch (e) {
      return { ok: false, out: `${e.stdout || ''}${e.stderr || ''}` };
    }
  }

  async start() {
    this.child = new Child(HAPROXY, ['-db', '-f', this.conf], process.env);
    await waitListening(this);
  }

  async stop() {
    const c = this.child;
    if (!c) return;
    this.child = null;
    const { timedOut } = await c.stop('SIGTERM');
    assert.ok(!timedOut, `haproxy did not exit within ${STOP_TIMEOUT_MS} ms:\n${c.out}`);
  }

  output() { return this.child ? this.child.out : ''; }
}

/** Writes the web directory the servers share. */
export async function writeWeb(dir) {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'index.html'), INDEX_HTML);
}

/**
 * A WebSocket upgrade through url. Resolves { opened, status, upstream,
 * client } where upstream is the X-Upstream header of the 101 (or of the
 * refusal) and client a harness Client when opened.
 */
export function upgrade(url, protocols = [PROTOCOL]) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols);
    let done = false;
    let upstream = null;
    const finish = (r) => { if (!done) { done = true; clearTimeout(timer); resolve({ upstream, ...r }); } };
    const timer = setTimeout(() => { ws.terminate(); finish({ opened: false, status: 0, why: 'timeout' }); }, REPLY_TIMEOUT_MS);
    ws.on('upgrade', (res) => { upstream = res.headers[UPSTREAM_HEADER] ?? null; });
    ws.on('open', () => finish({ opened: true, status: 101, client: new Client(ws) }));
    ws.on('unexpected-response', (req, res) => {
      upstream = res.headers[UPSTREAM_HEADER] ?? null;
      finish({ opened: false, status: res.statusCode, why: `HTTP ${res.statusCode}` });
      res.resume();
      ws.terminate();
    });
    ws.on('error', (e) => finish({ opened: false, status: 0, why: e.message }));
    ws.on('close', (code) => finish({ opened: false, status: 0, why: `closed ${code}` }));
  });
}

/** GET through the proxy: { status, upstream, body (Buffer), headers }. */
export async function get(url, init = {}) {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(REPLY_TIMEOUT_MS) });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, upstream: r.headers.get(UPSTREAM_HEADER), body, headers: r.headers };
}
