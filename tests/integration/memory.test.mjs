// memory.test.mjs - what idle connections cost the server: the memory of closed connections goes back to the kernel (server/net/net_trim.c).
//
// Measured from the outside, as bench/run.sh's idle scenario does: the
// server's VmRSS from /proc. Waits for the state it asserts (bounded),
// never for a fixed time.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, connect, BIN } from './harness.mjs';

const CONNECTIONS = 2000;
const KEEP_EVERY = 50;         // 1 in 50 stays open: its blocks sit between the freed ones
const BATCH = 100;             // upgrades in flight at once
const WAIT_MS = 20000;         // a bound on waiting for the server, never a sleep
const SUITE_TIMEOUT_MS = 120000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A sanitizer build allocates with ASan's allocator, not glibc's: there is
// no heap to trim, and its RSS says nothing about the release build's.
const SANITIZED = readFileSync(BIN).includes('__asan_init');
const rssKiB = (server) => Number(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);

/** Polls until pred(rss) holds or WAIT_MS pass; returns the last RSS. */
async function rssUntil(server, pred) {
  const deadline = Date.now() + WAIT_MS;
  let rss = rssKiB(server);
  while (!pred(rss) && Date.now() < deadline) {
    await sleep(100);
    rss = rssKiB(server);
  }
  return rss;
}

describe('memory of idle connections', { timeout: SUITE_TIMEOUT_MS, skip: SANITIZED && 'a sanitizer build: ASan allocates, not glibc' }, () => {
  let server;
  before(async () => {
    server = await startServer({ args: ['--max-connections-per-address', '1000000'] });
  });
  after(async () => {
    if (server) await server.stop();
  });

  it(`the memory of ${CONNECTIONS - CONNECTIONS / KEEP_EVERY} closed connections goes back to the kernel while 1 in ${KEEP_EVERY} stays open`, async () => {
    const rss0 = rssKiB(server);
    const clients = [];
    for (let i = 0; i < CONNECTIONS; i += BATCH) {
      clients.push(...await Promise.all(Array.from({ length: Math.min(BATCH, CONNECTIONS - i) }, () => connect(server, 'ABCDEF'))));
    }
    // Every upgrade was answered: the server holds all of them now.
    const rssOpen = rssKiB(server);
    const grew = rssOpen - rss0;
    assert.ok(grew > 1024, `${CONNECTIONS} connections grew the server's RSS by only ${grew} KiB: nothing to measure`);
    await Promise.all(clients.filter((_, i) => i % KEEP_EVERY !== 0).map((c) => c.close()));
    // The closed connections' blocks lie between the open ones'; glibc
    // gives back only the top of the heap by itself, so without the trim
    // the RSS stays where it was. With it, most of the growth goes.
    const want = rss0 + grew / 2;
    const rss = await rssUntil(server, (r) => r <= want);
    console.log(`# RSS ${rss0} KiB at start, ${rssOpen} with ${CONNECTIONS} open, ${rss} with ${CONNECTIONS / KEEP_EVERY} open`);
    assert.ok(rss <= want, `RSS ${rss} KiB after closing, want at most ${Math.round(want)} (start ${rss0}, with all open ${rssOpen})`);
    // The ones kept open still work.
    const kept = clients.filter((_, i) => i % KEEP_EVERY === 0);
    kept[0].send({ t: 'ping', id: 1 });
    await kept[0].expect('pong');
    await Promise.all(kept.map((c) => c.close()));
  });
});
