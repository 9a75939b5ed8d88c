// peer_round.test.mjs - one played round over real sockets, run against every server bench/run.sh compares: ours and the peers.
//
// The same test for each, so that a peer in BENCH.md speaks the protocol
// the bench measures (SPEC.md §4.1: the events of create, join, start,
// play, vote, reveal, note, next, close in order, gap-free seq, ok after
// the events, an error that changes nothing). Each server is started on
// 127.0.0.1 with a free port and ended by its PID.
//
//   node --test bench/peers/peer_round.test.mjs
//   PEERS=node node --test bench/peers/peer_round.test.mjs   (only those named: verrijk, node)
// VERRIJK_BIN: our binary (default build/server/verrijk).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
// The peer's own pinned packages serve the test too (one install).
const require = createRequire(path.join(HERE, 'node', 'package.json'));
const WebSocket = require('ws');
const { encode, decodeMulti } = require('@msgpack/msgpack');

const DECK = 'verrijkte-leeromgevingen';
const WAIT_MS = 5000;

/** The servers under test: a name and how to start one on a port (argv, env). */
export const SERVERS = {
  verrijk: (port, dir) => {
    mkdirSync(path.join(dir, 'web'));
    writeFileSync(path.join(dir, 'web', 'index.html'), '<!doctype html><title>t</title>');
    const bin = path.resolve(ROOT, process.env.VERRIJK_BIN || 'build/server/verrijk');
    return [bin, ['--host', '127.0.0.1', '--port', String(port), '--data', path.join(dir, 'data'), '--web', path.join(dir, 'web'),
      '--decks', path.join(ROOT, 'decks'), '--max-creates-per-hour', '1000000'], {}];
  },
  node: (port) => [process.execPath, [path.join(HERE, 'node', 'server.mjs'), '--host', '127.0.0.1', '--port', String(port),
    '--decks', path.join(ROOT, 'decks')], { NODE_ENV: 'production' }],
};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const portAnswers = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

async function start(name) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `verrijk-peer-${name}-`));
  const port = await freePort();
  const [cmd, argv, env] = SERVERS[name](port, dir);
  const proc = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const deadline = Date.now() + 15000;
  while (!(await portAnswers(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    async stop() {
      if (proc.exitCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A member's connection: every map it received, in order, and a way to wait for one. */
class Member {
  static async open(port, room) {
    const m = new Member();
    m.ws = new WebSocket(`ws://127.0.0.1:${port}/ws?room=${room}`, 'verrijk.v1', { perMessageDeflate: false });
    m.ws.binaryType = 'nodebuffer';
    m.maps = [];
    m.frames = [];
    m.waiters = [];
    m.ws.on('message', (d) => {
      const maps = [...decodeMulti(d)];
      m.frames.push(maps);
      m.maps.push(...maps);
      m.waiters = m.waiters.filter((w) => !w());
    });
    await new Promise((resolve, reject) => { m.ws.once('open', resolve); m.ws.once('error', reject); });
    return m;
  }
  /** Waits until a map after index `from` satisfies pred; returns it. */
  wait(pred, what, from = 0) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.maps.slice(from).find(pred);
        if (hit) { clearTimeout(timer); resolve(hit); return true; }
        return false;
      };
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.maps.slice(from))}`)), WAIT_MS);
      if (!check()) this.waiters.push(check);
    });
  }
  async send(msg) {
    const from = this.maps.length;
    this.ws.send(encode(msg));
    return this.wait((x) => (x.t === 'ok' || x.t === 'welcome' || x.t === 'error') && x.id === msg.id, `the answer to ${msg.t}`, from);
  }
  events(from = 0) {
    return this.maps.slice(from).filter((x) => x.t === 'ev');
  }
  close() { this.ws.terminate(); }
}

let nextId = 1;
const req = (t, fields = {}) => ({ t, id: nextId++, ...fields });
const code = () => Array.from({ length: 6 }, () => '23456789ABCDEFGHJKMNPQRSTUVWXYZ'[Math.floor(Math.random() * 31)]).join('');

const wanted = (process.env.PEERS || Object.keys(SERVERS).join(' ')).split(/[\s,]+/).filter(Boolean);

for (const name of wanted) {
  test(`${name}: a round played over sockets gives SPEC.md §4.1's events in order, gap-free seq, ok after the events`, async (t) => {
    const srv = await start(name);
    const members = [];
    t.after(async () => { for (const m of members) m.close(); await srv.stop(); });
    const room = code();
    const fac = await Member.open(srv.port, room);
    members.push(fac);
    const w = await fac.send(req('create', { room, name: 'Fac', title: 'T', deck: DECK, lang: 'en', opts: { auto_reveal: false } }));
    assert.equal(w.t, 'welcome', JSON.stringify(w));
    assert.equal(w.you.player, 1);
    assert.equal(w.you.role, 'facilitator');
    assert.match(w.token, /^[0-9a-f]{32}$/);
    assert.equal(w.state.phase, 'lobby');
    // The welcome is the snapshot after created and joined (seq 2); events follow from there.
    assert.equal(w.state.seq, 2);
    assert.deepEqual(w.state.players.map((p) => p.name), ['Fac']);

    const players = [];
    for (const n of ['Ann', 'Bo']) {
      const p = await Member.open(srv.port, room);
      members.push(p);
      const pw = await p.send(req('join', { room, name: n, role: 'player' }));
      assert.equal(pw.t, 'welcome');
      p.first = pw.state.seq + 1;
      assert.equal(pw.you.role, 'player');
      players.push({ m: p, id: pw.you.player, hand: [] });
    }
    assert.deepEqual(players.map((p) => p.id), [2, 3]);
    const all = [fac, ...players.map((p) => p.m)];

    // start: round, dealt (own cards only), turn; ok after them in the same frame.
    const s = await fac.send(req('start'));
    assert.equal(s.t, 'ok');
    const startFrame = fac.frames.find((f) => f.some((x) => x.id === s.id));
    assert.deepEqual(startFrame.map((x) => x.e ?? x.t), ['round', 'dealt', 'turn', 'ok'], 'events and their ok in one frame');
    for (const p of players) {
      const d = await p.m.wait((x) => x.e === 'dealt', 'dealt');
      assert.equal(d.cards.length, 3);
      assert.deepEqual(d.counts, [[2, 3], [3, 3]]);
      p.hand = d.cards;
    }
    const dFac = fac.events().find((x) => x.e === 'dealt');
    assert.equal(dFac.cards, undefined, 'the facilitator sees counts, not cards');
    const turn = fac.events().find((x) => x.e === 'turn');
    assert.equal(turn.player, 2);

    // A hostile move changes nothing: Bo plays out of turn.
    const bad = await players[1].m.send(req('play', { card: players[1].hand[0] }));
    assert.equal(bad.t, 'error');
    assert.equal(bad.code, 'not_your_turn');
    assert.equal(typeof bad.msg, 'string');

    // play, vote ×2, reveal, note, next, close.
    const card = players[0].hand[0];
    assert.equal((await players[0].m.send(req('play', { card }))).t, 'ok');
    assert.equal((await players[0].m.send(req('vote', { value: 4 }))).t, 'ok');
    assert.equal((await players[1].m.send(req('vote', { value: 2 }))).t, 'ok');
    for (const m of all) await m.wait((x) => x.e === 'voted' && x.player === 3, 'voted by 3');
    const annVoted = players[0].m.events().find((x) => x.e === 'voted' && x.player === 2);
    assert.equal(annVoted.value, 4, 'the voter sees its own value');
    assert.equal(players[1].m.events().find((x) => x.e === 'voted' && x.player === 2).value, undefined, 'others do not');
    assert.equal((await fac.send(req('reveal'))).t, 'ok');
    const rev = await players[1].m.wait((x) => x.e === 'revealed', 'revealed');
    assert.equal(rev.card, card);
    assert.equal(rev.stats.n, 2);
    assert.equal(rev.stats.mean, 3);
    assert.deepEqual(rev.stats.hist, [0, 1, 0, 1, 0]);
    assert.equal((await players[0].m.send(req('note', { text: 'a note' }))).t, 'ok');
    assert.equal((await fac.send(req('next'))).t, 'ok');
    const closed = await fac.send(req('close', { text: 'done', actions: ['act'] }));
    assert.equal(closed.t, 'ok');
    for (const m of all) await m.wait((x) => x.e === 'closed', 'closed');

    // Every member saw the same events, in the same order, with gap-free seq.
    const kinds = ['created', 'joined', 'joined', 'joined', 'round', 'dealt', 'turn', 'played', 'voted', 'voted', 'revealed', 'noted', 'done', 'turn', 'closed'];
    const facEv = fac.events();
    assert.deepEqual(facEv.map((x) => x.e), kinds.slice(2));
    assert.deepEqual(facEv.map((x) => x.seq), kinds.map((_, i) => i + 1).slice(2));
    for (const p of players) {
      const ev = p.m.events();
      const first = p.m.first;
      assert.equal(ev[0].seq, first, 'events follow the welcome');
      assert.deepEqual(ev.map((x) => x.seq), ev.map((_, i) => first + i), 'seq without gaps');
      assert.deepEqual(ev.map((x) => x.e), kinds.slice(first - 1));
    }
    const next = facEv.filter((x) => x.e === 'turn').at(-1);
    assert.equal(next.player, 3, 'the turn passes to the next in order holding cards');
    const sum = facEv.at(-1).summary;
    assert.equal(sum.round, 1);
    assert.equal(sum.text, 'done');
    assert.deepEqual(sum.actions, ['act']);
    assert.equal(sum.cards.length, 1);
    assert.equal(sum.cards[0].card, card);
    assert.deepEqual(sum.cards[0].notes.map((n) => n.text), ['a note']);

    // A resume on a new connection gets the View of the closed room.
    const again = await Member.open(srv.port, room);
    members.push(again);
    const rw = await again.send(req('resume', { room, token: w.token }));
    assert.equal(rw.t, 'welcome');
    assert.equal(rw.state.phase, 'closed');
    assert.equal(rw.state.seq, kinds.length);
    assert.equal(rw.state.summary.round, 1);
  });
}
