// bigview.test.mjs - a long session stays joinable: a View bigger than the send-queue bound reaches a reader that keeps up.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { startServer, connect, REPO_DIR } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

/** The whole default deck. */
const DECK_CARDS = JSON.parse(readFileSync(path.join(REPO_DIR, 'decks', `${DECK}.json`), 'utf8')).cards.length;
/** The server's bound on what waits for one reader (NET_SEND_QUEUE_MAX). */
const SEND_QUEUE_MAX = 256 * 1024;
/** Waits while a connection is over its message rate; at most this many retries of one intent. */
const RATE_RETRIES = 200;
const RATE_WAIT_MS = 60;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** m.req(obj), sent again while the server answers rate_limited (the test sends faster than 20/s). */
async function pacedReq(m, obj) {
  for (let i = 0; i < RATE_RETRIES; i++) {
    const r = await m.req(obj);
    if (r.t !== 'error' || r.code !== 'rate_limited') return r;
    await sleep(RATE_WAIT_MS);
  }
  assert.fail(`${obj.t} still rate_limited after ${RATE_RETRIES} tries`);
}

/** pacedReq, answered ok or welcome. */
async function paced(m, obj) {
  const r = await pacedReq(m, obj);
  assert.notEqual(r.t, 'error', `${obj.t} refused: ${r.code} ${r.msg}`);
  return r;
}

/** A note of exactly n bytes. */
function noteText(n, tag) {
  const head = `${tag} `;
  return head + 'x'.repeat(n - head.length);
}

/**
 * Opens a connection, records the byte size of every binary frame, sends
 * `intent` and resolves with the welcome, its frame's size and the time
 * from sending to receiving it.
 */
async function timedWelcome(server, room, intent) {
  const c = await connect(server, room);
  const sizes = [];
  c.ws.on('message', (data, isBinary) => { if (isBinary) sizes.push(data.length); });
  const t0 = performance.now();
  c.send({ ...intent, id: 1 });
  const m = await c.next(30_000);
  const ms = performance.now() - t0;
  return { c, m, ms, bytes: sizes[0] };
}

/** Plays every card of the deck in deck mode; notesFor(card) gives that card's notes as [member, text] pairs. */
async function playWholeDeck(fac, notesFor) {
  for (let i = 0; i < DECK_CARDS; i++) {
    await paced(fac, { t: 'draw' });
    const byMember = new Map();
    for (const [m, text] of notesFor(i)) {
      if (!byMember.has(m)) byMember.set(m, []);
      byMember.get(m).push(text);
    }
    await Promise.all([...byMember].map(async ([m, texts]) => {
      for (const text of texts) await paced(m, { t: 'note', text });
    }));
    await paced(fac, { t: 'next' });
  }
  assert.equal((await pacedReq(fac, { t: 'draw' })).code, 'no_card', 'the pile is empty after the whole deck');
}

test('20 players, the whole deck in deck mode, a 150-byte note each per card, closed: a fresh resume and a join both get a welcome', async () => {
  const server = await startServer({ args: ['--sync', 'none'] });
  const room = roomCode();
  const members = [];
  try {
    const fac = await Member.connect(server, room);
    members.push(fac);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'Lange sessie', deck: DECK, lang: 'nl', tz_offset: 60, opts: { mode: 'deck' } });
    const players = [];
    for (let i = 0; i < 20; i++) {
      const p = await Member.connect(server, room);
      await p.must({ t: 'join', room, name: `Speler ${i + 1}`, role: 'player' });
      players.push(p);
      members.push(p);
    }
    await paced(fac, { t: 'start' });
    await playWholeDeck(fac, (card) => players.map((p, k) => [p, noteText(150, `c${card} p${k}`)]));

    // Mid-session the round's notes were already past the bound: every player is still connected and saw them all.
    await paced(fac, { t: 'close', text: 'Dank jullie wel', actions: ['verder'] });
    const closed = fac.seen('closed')[0];
    assert.ok(closed, 'the facilitator saw the close');
    const notes = closed.summary.cards.reduce((n, c) => n + c.notes.length, 0);
    assert.equal(notes, 20 * DECK_CARDS);
    for (const p of players) {
      await p.until(fac.lastSeq());
      assert.equal(p.seen('noted').length, 20 * DECK_CARDS);
      assert.equal(p.seen('closed').length, 1, 'every player got the summary');
    }

    // A fresh device of player 1 resumes, a newcomer joins: both get the whole summary.
    const resumed = await timedWelcome(server, room, { t: 'resume', room, token: players[0].token });
    assert.equal(resumed.m.t, 'welcome', JSON.stringify(resumed.m).slice(0, 200));
    assert.equal(resumed.m.state.phase, 'closed');
    assert.equal(resumed.m.state.summary.cards.reduce((n, c) => n + c.notes.length, 0), 20 * DECK_CARDS);
    const joined = await timedWelcome(server, room, { t: 'join', room, name: 'Laatkomer', role: 'player' });
    assert.equal(joined.m.t, 'welcome', JSON.stringify(joined.m).slice(0, 200));
    assert.equal(joined.m.state.summary.cards.reduce((n, c) => n + c.notes.length, 0), 20 * DECK_CARDS);
    // Each note once in a View: the closed round's cards are in the summary only.
    assert.deepEqual(joined.m.state.history, []);
    console.log(`# scenario (20 players, ${DECK_CARDS} cards, ${20 * DECK_CARDS} notes of 150 B): welcome ${joined.bytes} bytes; resume ${resumed.ms.toFixed(1)} ms, join ${joined.ms.toFixed(1)} ms`);
    // Both sockets stay usable (events, such as the newcomer's `joined`, may come first).
    for (const c of [resumed.c, joined.c]) {
      c.send({ t: 'ping' });
      for (;;) if ((await c.next()).t === 'pong') break;
    }
    await resumed.c.close();
    await joined.c.close();
  } finally {
    for (const m of members) await m.close().catch(() => {});
    await server.stop();
  }
});

/**
 * Plays a round of the whole deck in deck mode with NOTES_PER_CARD notes of
 * NOTE_BYTES on every card, spread over the writers, until the round's notes
 * are full (the server refuses the next one). The last card stays on the
 * table when keepLast.
 */
async function fillRound(fac, writers, { notesPerCard, noteBytes, keepLast }) {
  await paced(fac, { t: 'start' });
  let full = false;
  let written = 0;
  for (let i = 0; i < DECK_CARDS; i++) {
    await paced(fac, { t: 'draw' });
    if (!full) {
      const share = writers.map(() => []);
      for (let k = 0; k < notesPerCard; k++) share[k % writers.length].push(noteText(noteBytes, `c${i} n${k}`));
      await Promise.all(writers.map(async (w, k) => {
        for (const text of share[k]) {
          if (full) return;
          const r = await pacedReq(w, { t: 'note', text });
          if (r.t === 'error') {
            assert.equal(r.code, 'bad_request');
            assert.match(r.msg, /notes are full/);
            full = true;
            return;
          }
          written++;
        }
      }));
    }
    if (!(keepLast && i === DECK_CARDS - 1)) await paced(fac, { t: 'next' });
  }
  assert.ok(full, 'the round\'s notes filled up');
  return written;
}

test('the worst case the caps allow: 100 members, the whole deck twice, every round\'s notes full: a join gets a welcome', async () => {
  const server = await startServer({ args: ['--sync', 'none'] });
  const room = roomCode();
  const members = [];
  const WRITERS = 25;
  const opts = { notesPerCard: 100, noteBytes: 500 };
  try {
    const fac = await Member.connect(server, room);
    members.push(fac);
    await fac.must({ t: 'create', room, name: 'F'.repeat(40), title: 'T'.repeat(120), deck: DECK, lang: 'nl', tz_offset: 60, opts: { mode: 'deck' } });
    const writers = [];
    for (let i = 0; i < WRITERS; i++) {
      const p = await Member.connect(server, room);
      await p.must({ t: 'join', room, name: `Schrijver ${String(i).padStart(2, '0')} `.padEnd(40, 'w'), role: 'player' });
      writers.push(p);
      members.push(p);
    }
    // The other members are present but keep no socket open (a phone that went away): they count, they do not read.
    for (let i = 0; members.length + i < 99; i++) {
      const p = await Member.connect(server, room);
      await p.must({ t: 'join', room, name: `Deelnemer ${String(i).padStart(2, '0')} `.padEnd(40, 'd'), role: 'player' });
      await p.close();
    }

    // Round 1, closed with the longest text and actions.
    const first = await fillRound(fac, writers, { ...opts, keepLast: false });
    await paced(fac, { t: 'close', text: 'S'.repeat(4000), actions: Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(200, 'a')) });
    for (const w of writers) await w.until(fac.lastSeq());
    const closedView = await timedWelcome(server, room, { t: 'resume', room, token: writers[0].token });
    assert.equal(closedView.m.t, 'welcome', JSON.stringify(closedView.m).slice(0, 200));
    assert.equal(closedView.m.state.summary.cards.reduce((n, c) => n + c.notes.length, 0), first);
    console.log(`# worst case, closed (100 members, ${first} notes of ${opts.noteBytes} B): welcome ${closedView.bytes} bytes; resume ${closedView.ms.toFixed(1)} ms`);
    writers[0] = new Member(closedView.c);
    writers[0].nextId = 2;
    members.push(writers[0]);

    // Round 2 with its notes full too, the last card on the table: the View holds round 1's summary and round 2's notes.
    const second = await fillRound(fac, writers, { ...opts, keepLast: true });
    for (const w of writers) await w.until(fac.lastSeq());
    const joined = await timedWelcome(server, room, { t: 'join', room, name: 'Honderdste', role: 'player' });
    assert.equal(joined.m.t, 'welcome', JSON.stringify(joined.m).slice(0, 200));
    const v = joined.m.state;
    assert.equal(v.players.filter((p) => p.present).length, 100);
    assert.equal(v.summary.cards.reduce((n, c) => n + c.notes.length, 0), first);
    assert.equal(v.history.length, DECK_CARDS - 1);
    assert.equal(v.history.reduce((n, c) => n + c.notes.length, 0) + v.table.notes.length, second);
    assert.ok(joined.bytes > SEND_QUEUE_MAX, `the View (${joined.bytes} bytes) is bigger than the send-queue bound, as intended here`);
    console.log(`# worst case, playing (100 members, ${first} + ${second} notes of ${opts.noteBytes} B): welcome ${joined.bytes} bytes; join ${joined.ms.toFixed(1)} ms`);
    joined.c.send({ t: 'ping' });
    for (;;) if ((await joined.c.next()).t === 'pong') break;
    await joined.c.close();
  } finally {
    for (const m of members) await m.close().catch(() => {});
    await server.stop();
  }
});
