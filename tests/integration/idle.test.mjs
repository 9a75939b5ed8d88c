// idle.test.mjs - silent WebSockets: pinged after --ping-seconds, kept while they answer, hung up when they never do.
//
// The server sweeps its connections instead of giving each one a timer of
// lws' (net_private.h says why). With --ping-seconds 1 a connection that
// receives nothing is pinged after 1 to 7/6 s and hung up after 2 × 1 + 10
// = 12 s of silence (sweeps are a sixth of the ping time apart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect } from './harness.mjs';
import { rawUpgrade, OP_PING } from './abuse/rawws.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('with --ping-seconds 1 a silent WebSocket is pinged and kept while it answers; one that never answers is hung up after 12 s', async () => {
  const server = await startServer({ args: ['--ping-seconds', '1'] });
  try {
    const answering = await connect(server, 'ABCDEF'); // the ws library answers pings by itself
    let pings = 0;
    answering.ws.on('ping', () => { pings++; });
    const mute = await rawUpgrade(server, 'ABCDEF'); // reads frames, never answers
    const t0 = Date.now();
    const ended = await Promise.race([mute.closed, sleep(20000).then(() => null)]);
    const took = Date.now() - t0;
    assert.ok(ended, 'the silent connection was hung up within 20 s');
    assert.equal(ended.by, 'server');
    assert.ok(took >= 11000, `not before 2N + 10 s of silence (took ${took} ms)`);
    assert.ok(mute.frames.some((f) => f.opcode === OP_PING), 'it was pinged before');
    // The one that answered its pings is still there, and was pinged more than once.
    assert.ok(pings >= 2, `pings to the answering client: ${pings}`);
    answering.send({ t: 'ping' });
    await answering.expect('pong');
    await answering.close();
  } finally {
    await server.stop();
  }
});
