// away.test.mjs - a phone asleep holds the auto-reveal (SPEC.md §3): over real sockets, with a short --away-hold-seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

/** The hold the server is started with, and how long the test waits at most for anything. */
const HOLD_S = 4;
const WAIT_MS = 60_000;

/** A room in play: facilitator, Anna, Bram, Dewi; a card on the table. Returns the members. */
async function cardOnTable(server) {
  const room = roomCode();
  const fac = await Member.connect(server, room);
  await fac.must({ t: 'create', room, name: 'Fien', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: { hand: 1 } });
  const people = [];
  for (const name of ['Anna', 'Bram', 'Dewi']) {
    const m = await Member.connect(server, room);
    await m.must({ t: 'join', room, name, role: 'player' });
    people.push(m);
  }
  await fac.must({ t: 'start' });
  const turn = fac.seen('turn').pop().player;
  const owner = people.find((m) => m.you.player === turn);
  await owner.until(fac.lastSeq());
  await owner.must({ t: 'play', card: owner.seen('dealt').pop().cards[0] });
  return { room, fac, people };
}

/** Reads fac's events until one of kind e arrives; resolves with it. */
async function next(member, e) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const got = member.events.find((m) => m.e === e && !m.taken);
    if (got) {
      got.taken = true;
      return got;
    }
    assert.ok(Date.now() < deadline, `no ${e} within ${WAIT_MS} ms`);
    await member.take(WAIT_MS);
  }
}

test('a voter whose phone went away after the card was played holds the auto-reveal until the hold has passed', { timeout: 120_000 }, async () => {
  const server = await startServer({ args: ['--away-hold-seconds', String(HOLD_S)] });
  try {
    const { room, fac, people } = await cardOnTable(server);
    const [anna, bram, dewi] = people;
    await dewi.close(); // the phone sleeps
    await anna.must({ t: 'vote', value: 4 });
    await bram.must({ t: 'vote', value: 2 });
    const gone = await next(fac, 'presence');
    assert.equal(gone.player, dewi.you.player);
    assert.equal(gone.online, false);
    // The View tells since when Dewi is away.
    const look = await Member.connect(server, room);
    const w = await look.must({ t: 'resume', room, token: fac.token });
    assert.equal(w.state.players.find((p) => p.player === dewi.you.player).away, gone.at);
    assert.equal(w.state.table.stage, 'discuss', 'everyone online voted, but Dewi holds the reveal');
    const revealed = await next(look, 'revealed');
    assert.ok(revealed.at >= gone.at + HOLD_S * 1000, `revealed ${revealed.at - gone.at} ms after Dewi went away, the hold is ${HOLD_S * 1000} ms`);
    assert.equal(revealed.stats.n, 2);
    for (const m of [look, anna, bram]) await m.close();
  } finally {
    await server.stop();
  }
});

test('a sleeper who comes back within the hold votes, and the card is revealed with their vote', { timeout: 120_000 }, async () => {
  const server = await startServer({ args: ['--away-hold-seconds', '600'] });
  try {
    const { room, fac, people } = await cardOnTable(server);
    const [anna, bram, dewi] = people;
    const token = dewi.token;
    await dewi.close();
    await anna.must({ t: 'vote', value: 4 });
    await bram.must({ t: 'vote', value: 2 });
    await next(fac, 'presence');
    const back = await Member.connect(server, room);
    const w = await back.must({ t: 'resume', room, token });
    assert.equal(w.state.table.stage, 'discuss');
    await back.must({ t: 'vote', value: 5 });
    const revealed = await next(fac, 'revealed');
    assert.equal(revealed.stats.n, 3, 'Dewi\'s vote counts');
    for (const m of [back, anna, bram, fac]) await m.close();
  } finally {
    await server.stop();
  }
});

test('the facilitator may reveal while a sleeper holds the auto-reveal', { timeout: 120_000 }, async () => {
  const server = await startServer({ args: ['--away-hold-seconds', '600'] });
  try {
    const { fac, people } = await cardOnTable(server);
    const [anna, bram, dewi] = people;
    await dewi.close();
    await anna.must({ t: 'vote', value: 4 });
    await next(fac, 'presence');
    await fac.must({ t: 'reveal' });
    assert.equal((await next(fac, 'revealed')).stats.n, 1);
    for (const m of [anna, bram, fac]) await m.close();
  } finally {
    await server.stop();
  }
});

test('the welcome tells the away hold the server runs with, so the console can say how long it waits', { timeout: 60_000 }, async () => {
  const server = await startServer({ args: ['--away-hold-seconds', '45'] });
  try {
    const room = roomCode();
    const fac = await Member.connect(server, room);
    const w = await fac.must({ t: 'create', room, name: 'Fien', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: { hand: 1 } });
    assert.equal(w.away_hold, 45);
    await fac.close();
  } finally {
    await server.stop();
  }
  const plain = await startServer();
  try {
    const room = roomCode();
    const p = await Member.connect(plain, room);
    const w = await p.must({ t: 'create', room, name: 'Fien', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: {} });
    assert.equal(w.away_hold, 120, 'the default hold');
    await p.close();
  } finally {
    await plain.stop();
  }
});

test('after a restart a voter away from before it still holds the auto-reveal, and the card is revealed once the hold ends', { timeout: 120_000 }, async () => {
  // Long enough to restart the server and resume everyone else inside the hold on a busy machine.
  const hold = 12;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'verrijk-away-'));
  const args = ['--data', dir, '--away-hold-seconds', String(hold)];
  let server = await startServer({ args });
  try {
    const { room, fac, people } = await cardOnTable(server);
    const [anna, bram, dewi] = people;
    await dewi.close();
    await anna.must({ t: 'vote', value: 4 });
    await bram.must({ t: 'vote', value: 2 });
    const gone = await next(fac, 'presence');
    assert.equal(gone.player, dewi.you.player);
    const tokens = [fac.token, anna.token, bram.token];
    for (const m of [fac, anna, bram]) await m.close();
    await server.stop();
    server = await startServer({ args });
    // Everyone but Dewi comes back: no timer of theirs is left to look again.
    const back = [];
    for (const token of tokens) {
      const m = await Member.connect(server, room);
      const w = await m.must({ t: 'resume', room, token });
      back.push(m);
      assert.ok(Date.now() < gone.at + hold * 1000, 'resumed inside the hold (else this test proves nothing)');
      assert.equal(w.state.table.stage, 'discuss', 'Dewi still holds the reveal after the restart');
    }
    const revealed = await next(back[0], 'revealed');
    assert.ok(revealed.at >= gone.at + hold * 1000, `revealed ${revealed.at - gone.at} ms after Dewi went away, the hold is ${hold * 1000} ms`);
    assert.equal(revealed.stats.n, 2);
    for (const m of back) await m.close();
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
