// secrets.test.mjs - random games over the real server; every byte each device received is scanned for other members' secrets.
//
// What a device may never receive (SPEC.md §2, §5, §6):
//   - a card of another member's hand, or of the pile, before it is played
//     (the truth is the replay, whose `dealt` carries the whole hands);
//   - the value of another member's vote in its `voted` event (the
//     facilitator does get the votes it casts for a seated player);
//   - `votes` of a reveal, a table or a history entry in an anonymous round;
//   - any token but its own, any token hash, the key `token_hash`, the key
//     `seed`, a `hands` map;
//   - the room's replay_key before the room's first `closed`, or anywhere
//     but the summary (inside `closed` and the View's `summary`, which
//     SPEC.md §6 allows: every member sees the summary, key included);
//     another room's replay_key at all;
//   - the text of a note at or after the event that hid it.
// The replay itself is scanned for tokens, token hashes, the seed, vote
// values and hidden note texts; every closed round's summary.json, .md and
// .csv for tokens, token hashes, the seed and hidden note texts.
//
// Knobs: VERRIJK_SECRET_GAMES (rooms, default 12), VERRIJK_SECRET_STEPS
// (random intents per room, default 100), VERRIJK_SECRET_SEED (default
// 6061; a failure names it), VERRIJK_SECRET_PARALLEL (rooms at once,
// default 4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encode } from '@msgpack/msgpack';
import { startServer, REPO_DIR } from './harness.mjs';
import { DECK } from './members.mjs';
import { makeRng } from './abuse/rng.mjs';
import { Game } from './abuse/game.mjs';
import { Seat } from './abuse/seat.mjs';
import { Secrets, Truth, scanSeat, scanReplay, scanExport } from './abuse/scan.mjs';

function intEnv(name, dflt) {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  assert.ok(Number.isInteger(n) && n >= 0, `${name} must be a whole number, not ${v}`);
  return n;
}

const GAMES = intEnv('VERRIJK_SECRET_GAMES', 12);
const STEPS = intEnv('VERRIJK_SECRET_STEPS', 100);
const SEED = intEnv('VERRIJK_SECRET_SEED', 6061);
const PARALLEL = Math.max(1, intEnv('VERRIJK_SECRET_PARALLEL', 4));

const CARDS = JSON.parse(readFileSync(path.join(REPO_DIR, 'decks', `${DECK}.json`), 'utf8')).cards.map((c) => c.id);

/** Runs fn over items with at most n at once. */
async function pool(n, items, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const k = next++;
      await fn(items[k], k);
    }
  }));
}

function describeViolations(violations) {
  return violations.slice(0, 12).map((v) => `  ${v.rule}: ${v.detail} [${v.seat}, player ${v.player}, seq ${v.seq}] ${v.msg ?? ''}`).join('\n');
}

test(`${GAMES} random games (seed ${SEED}): no device receives another member's cards, vote values, token, the seed or a hidden note`, {
  timeout: Math.max(120000, GAMES * STEPS * 100),
}, async () => {
  const server = await startServer();
  const games = Array.from({ length: GAMES }, (_, no) => new Game(server, makeRng((SEED * 7919 + no * 104729) >>> 0), no, { steps: STEPS }));
  const t0 = performance.now();
  try {
    await pool(PARALLEL, games, async (g) => {
      try {
        await g.play();
      } catch (e) {
        e.message = `game ${g.no} of seed ${SEED} (room ${g.room}): ${e.message}`;
        throw e;
      }
    });
  } finally {
    for (const g of games) for (const s of g.seats) if (!s.gone) s.client.ws.terminate();
    await server.stop();
  }
  const playMs = performance.now() - t0;

  const secrets = new Secrets(CARDS);
  for (const g of games) {
    for (const s of g.seats) secrets.addToken(s.token);
    secrets.replayKeys.set(g.replayKey, g.room);
  }
  const violations = [];
  const totals = { seats: 0, objects: 0, bytes: 0, foreignCardChecks: 0, ownCardsSeen: 0, foreignVotes: 0, ownVoteValues: 0, anonymousReveals: 0, hiddenNoteChecks: 0 };
  const actions = {};
  const errors = {};
  let played = 0;
  let hidden = 0;
  let exports = 0;
  let visibleNotesExported = 0;
  for (const g of games) {
    const room = { code: g.room, truth: new Truth(g.log), notes: g.notes };
    played += [...room.truth.played.values()].reduce((n, s) => n + s.length, 0);
    hidden += room.truth.hiddenAt.size;
    for (const s of g.seats) {
      const r = scanSeat(s, secrets, room);
      violations.push(...r.violations);
      totals.seats++;
      for (const k of Object.keys(r.stats)) totals[k] += r.stats[k];
    }
    violations.push(...scanReplay(g.logBytes, g.log, secrets, room));
    for (const x of g.exports) violations.push(...scanExport(x.name, x.bytes, secrets, room));
    exports += g.exports.length;
    const exported = Buffer.concat(g.exports.map((x) => x.bytes)).toString('latin1');
    for (const [note, text] of g.notes) if (!room.truth.hiddenAt.has(note) && exported.includes(text)) visibleNotesExported++;
    for (const [k, n] of Object.entries(g.done)) actions[k] = (actions[k] || 0) + n;
    for (const [k, n] of Object.entries(g.errors)) errors[k] = (errors[k] || 0) + n;
  }
  const scanMs = performance.now() - t0 - playMs;
  console.log(`# ${GAMES} games, ${STEPS} steps each, seed ${SEED}: played in ${playMs.toFixed(0)} ms, scanned in ${scanMs.toFixed(0)} ms`);
  console.log(`# ${totals.seats} devices, ${totals.objects} messages, ${totals.bytes} bytes; ${played} cards played, ${hidden} notes hidden, ${exports} exports (${visibleNotesExported} visible notes in them)`);
  console.log(`# checks: ${totals.foreignCardChecks} (message, card in another hand), ${totals.foreignVotes} votes of others, ${totals.anonymousReveals} anonymous reveals, ${totals.hiddenNoteChecks} (message, hidden note)`);
  console.log(`# the scan sees what it may: ${totals.ownCardsSeen} messages with an own unplayed card, ${totals.ownVoteValues} own vote values`);
  console.log(`# intents answered ok: ${JSON.stringify(actions)}`);
  console.log(`# refused as expected: ${JSON.stringify(errors)}`);

  assert.equal(violations.length, 0, `${violations.length} secrets leaked, e.g.:\n${describeViolations(violations)}`);
  // The games must have exercised what is scanned for, or the scan proves nothing.
  if (GAMES >= 4) {
    assert.ok(totals.foreignCardChecks > 0, 'no message arrived while another member held cards');
    assert.ok(totals.foreignVotes > 0, 'no device saw another member vote');
    // The byte scan finds the secrets a device may hold, so it would find others'.
    assert.ok(totals.ownCardsSeen > 0, 'the byte scan never found a device\'s own unplayed card');
    assert.ok(totals.ownVoteValues > 0, 'no device saw its own vote value');
    assert.ok(played > 0, 'no card was played');
    assert.ok(actions.resume > 0 && actions.join > 0, 'no late join or resume happened');
    assert.ok(visibleNotesExported > 0, 'no export held a visible note, so a hidden one would not be missed');
  }
});

/** Two players (2 and 3) with one card each; player 3 votes; a note hidden; for the scanner's own test. */
function plantedRoom() {
  const log = [
    { seq: 1, e: 'created', room: 'ABCDEF' },
    { seq: 2, e: 'joined', player: 1, role: 'facilitator', seated: false },
    { seq: 3, e: 'joined', player: 2, role: 'player', seated: false },
    { seq: 4, e: 'joined', player: 3, role: 'player', seated: false },
    { seq: 5, e: 'round', round: 1, order: [2, 3], pile: CARDS.length, opts: { anonymous: true } },
    { seq: 6, e: 'dealt', hands: [[2, ['venster-burger']], [3, ['praktijk-kennis']]] },
    { seq: 7, e: 'played', player: 2, card: 'venster-burger' },
    { seq: 8, e: 'voted', player: 3 },
    { seq: 9, e: 'noted', note: 0, player: 3, card: 'venster-burger' },
    { seq: 10, e: 'hidden', note: 0 },
    { seq: 11, e: 'closed', round: 1, summary: { replay_key: 'c'.repeat(32) } },
  ];
  return { code: 'ABCDEF', truth: new Truth(log), notes: new Map([[0, 'n0x1 geheim plan']]) };
}

function fakeSeat(messages) {
  return { label: 'planted', frames: messages.map((m) => ({ kind: 'bin', bytes: Buffer.from(encode(m)) })) };
}

test('the scanner reports planted leaks and passes the same stream without them', () => {
  const room = plantedRoom();
  const secrets = new Secrets(CARDS);
  const own = 'a'.repeat(32);
  const other = 'b'.repeat(32);
  secrets.addToken(own);
  secrets.addToken(other);
  secrets.replayKeys.set('c'.repeat(32), 'ABCDEF');
  const welcome = { t: 'welcome', you: { player: 2, name: 'A', role: 'player' }, token: own, state: { seq: 4, hand: [], table: null } };
  const clean = [
    welcome,
    { t: 'ev', seq: 5, at: 0, e: 'round', round: 1, order: [2, 3], pile: CARDS.length, opts: { anonymous: true } },
    { t: 'ev', seq: 6, at: 0, e: 'dealt', counts: [[2, 1], [3, 1]], cards: ['venster-burger'] },
    { t: 'ev', seq: 7, at: 0, e: 'played', player: 2, card: 'venster-burger' },
    { t: 'ev', seq: 8, at: 0, e: 'voted', player: 3 },
    { t: 'ev', seq: 9, at: 0, e: 'noted', note: 0, player: 3, card: 'venster-burger', text: 'n0x1 geheim plan' },
    { t: 'ev', seq: 10, at: 0, e: 'hidden', note: 0 },
    { t: 'ev', seq: 11, at: 0, e: 'closed', round: 1, summary: { replay_key: 'c'.repeat(32), cards: [{ card: 'venster-burger' }] } },
  ];
  assert.deepEqual(scanSeat(fakeSeat(clean), secrets, room).violations, [], 'a clean stream was reported');

  const planted = [
    [5, { t: 'ev', seq: 6, at: 0, e: 'dealt', counts: [[2, 1], [3, 1]], cards: ['venster-burger', 'praktijk-kennis'] }, 'card-of-another'],
    [5, { t: 'ev', seq: 6, at: 0, e: 'dealt', counts: [[2, 1]], hands: [[3, ['praktijk-kennis']]] }, 'forbidden-key'],
    [7, { t: 'ev', seq: 8, at: 0, e: 'voted', player: 3, value: 4 }, 'vote-value-of-another'],
    [7, { t: 'ev', seq: 8, at: 0, e: 'voted', player: 3, note: `x${other}` }, 'foreign-token'],
    [6, { t: 'ev', seq: 7, at: 0, e: 'played', player: 2, card: 'venster-burger', round_seed: 'c'.repeat(32) }, 'replay-key-before-close'],
    [6, { t: 'ev', seq: 7, at: 0, e: 'played', player: 2, card: 'venster-burger', seed: 12345 }, 'seed-key'],
    [9, { t: 'ev', seq: 10, at: 0, e: 'hidden', note: 0, text: 'n0x1 geheim plan' }, 'hidden-note-text'],
  ];
  for (const [at, msg, rule] of planted) {
    const stream = [...clean.slice(0, at), msg, ...clean.slice(at + 1)];
    const found = scanSeat(fakeSeat(stream), secrets, room).violations.map((v) => v.rule);
    assert.ok(found.includes(rule), `planted ${rule} not reported (got ${JSON.stringify(found)}) in ${JSON.stringify(msg)}`);
  }
  // An anonymous round's reveal with votes.
  const anon = [...clean.slice(0, 8), { t: 'ev', seq: 9, at: 0, e: 'revealed', card: 'venster-burger', votes: [[3, 4]], stats: {} }];
  assert.ok(scanSeat(fakeSeat(anon), secrets, { ...room, truth: room.truth }).violations.some((v) => v.rule === 'votes-in-anonymous-round'));
  // The replay with a vote value and a token.
  const badLog = [{ seq: 1, e: 'voted', player: 3, value: 2 }, { seq: 2, e: 'joined', player: 4, name: own }];
  const rules = scanReplay(Buffer.from(encode(badLog)), badLog, secrets, room).map((v) => v.rule);
  assert.ok(rules.includes('vote-value') && rules.includes('token'), `replay scan: ${JSON.stringify(rules)}`);
});

test('a play of a card one does not hold is refused alike whether another player holds it, the pile does, it was played, or it does not exist', async () => {
  const server = await startServer();
  const room = 'SQRTVW';
  const seats = [];
  const open = async () => { const s = await Seat.open(server, room, `oracle#${seats.length}`); seats.push(s); return s; };
  try {
    const fac = await open();
    await fac.must({ t: 'create', room, name: 'Fien', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: { hand: 3 } });
    const anna = await open();
    await anna.must({ t: 'join', room, name: 'Anna' });
    const bram = await open();
    await bram.must({ t: 'join', room, name: 'Bram' });
    await fac.must({ t: 'start' });
    await anna.until(fac.lastSeq());
    await bram.until(fac.lastSeq());
    assert.equal(fac.seen('turn').at(-1).player, anna.you.player);

    /** Every card id the player does not hold, tried by that player while it is their turn, grouped by where the card is. */
    const probe = async (who, other, played) => {
      const mine = new Set(who.hand());
      const theirs = new Set(other.hand());
      const answers = new Map(); // where → Set of "code: msg"
      for (const card of [...CARDS, 'geen-kaart']) {
        if (mine.has(card)) continue;
        let where = 'the pile';
        if (theirs.has(card)) where = 'another hand';
        else if (played.includes(card)) where = 'played';
        else if (!CARDS.includes(card)) where = 'no such card';
        const a = await who.req({ t: 'play', card });
        assert.equal(a.t, 'error', `${card} (${where}) was played by someone who did not hold it`);
        if (!answers.has(where)) answers.set(where, new Set());
        answers.get(where).add(`${a.code}: ${a.msg}`);
      }
      return answers;
    };
    const first = await probe(anna, bram, []);
    const card = anna.hand()[0];
    await anna.must({ t: 'play', card });
    await fac.must({ t: 'next' });
    await bram.until(fac.lastSeq());
    await anna.until(fac.lastSeq());
    assert.equal(fac.seen('turn').at(-1).player, bram.you.player);
    const second = await probe(bram, anna, [card]);
    for (const answers of [first, second]) {
      const all = new Set([...answers.values()].flatMap((s) => [...s]));
      assert.equal(all.size, 1, `the answers tell where a card is: ${JSON.stringify([...answers].map(([w, s]) => [w, [...s]]))}`);
    }
    assert.ok(second.has('played') && second.has('another hand') && second.has('the pile') && second.has('no such card'));
  } finally {
    for (const s of seats) if (!s.gone) s.client.ws.terminate();
    await server.stop();
  }
});
