// Starts the real verrijk binary for browser tests on a free loopback port, and stops it by its PID.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const testsDir = resolve(here, '..');
export const artifactsDir = join(testsDir, 'artifacts');
/** How long the server may take to answer /healthz after it starts. */
const START_TIMEOUT_MS = 10_000;
/** How long it may take to exit after SIGTERM. */
const STOP_TIMEOUT_MS = 10_000;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts the server with a fresh data directory and the built web client.
 * Extra server flags go in `args`.
 * Resolves to { url, port, wsUrl(room), stop() , stderr() } once /healthz answers.
 */
export async function startServer({ decks: decksDir, args: extra = [] } = {}) {
  const bin = resolve(testsDir, process.env.VERRIJK_BIN ?? '../build/server/verrijk');
  const web = resolve(testsDir, '../web-client/dist');
  if (!existsSync(bin)) throw new Error(`server binary not found: ${bin} (set VERRIJK_BIN)`);
  if (!existsSync(join(web, 'index.html'))) throw new Error(`web client not built: ${web} (npm run build in web-client)`);
  const data = mkdtempSync(join(tmpdir(), 'verrijk-browser-'));
  const port = await freePort();
  // Every browser is 127.0.0.1: the per-address budgets of new rooms and downloads would stop the suite.
  const args = ['--port', String(port), '--host', '127.0.0.1', '--data', data, '--web', web, '--max-creates-per-hour', '1000000',
    '--max-downloads-per-minute', '1000000'];
  args.push(...extra);
  // decksDir: another deck folder, e.g. the tests' own format 2 decks.
  const decks = decksDir ?? resolve(testsDir, '../decks');
  if (existsSync(decks)) args.push('--decks', decks);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b) => { err += b; });
  child.stdout.on('data', () => {});
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}): ${err}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /healthz within ${START_TIMEOUT_MS} ms: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    /** The WebSocket address of a room, for scripted members (tests/integration/members.mjs). */
    wsUrl: (room) => `ws://127.0.0.1:${port}/ws?room=${room}`,
    pid: child.pid,
    stderr: () => err,
    async stop() {
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(timer);
      rmSync(data, { recursive: true, force: true });
      return result;
    },
  };
}
