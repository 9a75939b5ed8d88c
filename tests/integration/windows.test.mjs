// windows.test.mjs - window play over the real server with a format 2 deck: choosing and assigning windows,
// the empty chair, the figures per window after a reveal with the anonymity rule, the summary, the exports and the replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { decode } from '@msgpack/msgpack';
import { startServer, REPO_DIR } from './harness.mjs';
import { Member, roomCode } from './members.mjs';

const DECKS = path.join(REPO_DIR, 'tests', 'decks');
const DECK = 'vensters-test';

/** The figures of a revealed event as "window:n" in order, e.g. "burger:3". */
const figures = (ev) => ev.windows.map(([w, st]) => `${w}:${st.n}`).join(',');

/** Everyone votes on the table card; resolves with the revealed event the facilitator saw. */
async function voteAll(fac, players, values) {
  const before = fac.seen('revealed').length;
  for (let i = 0; i < players.length; i++) await players[i].must({ t: 'vote', value: values[i] });
  while (fac.seen('revealed').length === before) await fac.take();
  return fac.seen('revealed').at(-1);
}

test('the deck list and the deck itself carry format 2', async () => {
  const server = await startServer({ args: ['--decks', DECKS] });
  try {
    const list = await (await fetch(`${server.url}/api/decks`)).json();
    const d = list.find((x) => x.id === DECK);
    assert.equal(d.format, 2);
    assert.deepEqual(d.kinds, { opener: 1, topic: 3, story: 1, closer: 1 });
    assert.deepEqual(d.windows.map((w) => w.id), ['burger', 'organisatie', 'professional', 'bestuur']);
    assert.deepEqual(d.audiences.map((a) => [a.id, a.cards]), [['iedereen', 5], ['team', 6]]);
    const deck = await (await fetch(`${server.url}/api/decks/${d.hash}`)).json();
    assert.equal(deck.format, 2);
    assert.equal(Object.keys(deck)[0], 'format');
    const card = deck.cards.find((c) => c.id === 'een-moment');
    assert.equal(card.kind, 'story');
    assert.equal(card.anchor.low.nl, '1 = dat gebeurt vaak');
    assert.equal(card.followups.length, 2);
  } finally {
    await server.stop();
  }
});

test('an anonymous round with windows: a window of 2 voters shows no figures, of 3 it does, nothing by subtraction; summary, exports and replay carry them', async () => {
  const server = await startServer({ args: ['--decks', DECKS] });
  const room = roomCode();
  try {
    const fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'Vensters', deck: DECK, lang: 'nl', opts: { mode: 'deck', anonymous: true } });
    const names = ['Anna', 'Bram', 'Chris', 'Dirk', 'Eva', 'Fleur', 'Gijs'];
    const windows = ['burger', 'burger', 'burger', 'organisatie', 'organisatie', '', ''];
    const players = [];
    for (let i = 0; i < names.length; i++) {
      const p = await Member.connect(server, room);
      await p.must({ t: 'join', room, name: names[i], role: 'player' });
      if (windows[i]) await p.must({ t: 'window', window: windows[i] });
      players.push(p);
    }
    // Bad input changes nothing.
    await players[0].refused({ t: 'window', window: 'maan' }, 'bad_request');
    await players[0].refused({ t: 'window', window: 'bestuur', for: 3 }, 'not_allowed');
    await fac.must({ t: 'start' });
    await fac.must({ t: 'draw' });
    await players[5].refused({ t: 'window', window: 'organisatie' }, 'wrong_phase');
    // The empty chair: only a window nobody holds.
    await fac.refused({ t: 'window', window: 'burger', chair: true }, 'bad_request');
    await fac.must({ t: 'window', window: 'bestuur', chair: true });
    await players[0].until(fac.lastSeq());
    assert.deepEqual(players[0].seen('windowed').at(-1), { t: 'ev', seq: fac.lastSeq(), at: players[0].seen('windowed').at(-1).at, e: 'windowed', player: null, window: 'bestuur' });

    // burger: 3 votes, shown; organisatie: 2 votes, hidden; the rest (organisatie, Fleur and Gijs) is 4 votes, so
    // burger next to the overall figures gives nobody away.
    const r1 = await voteAll(fac, players, [1, 2, 2, 5, 4, 3, 3]);
    assert.equal(r1.votes, undefined, 'anonymous: no votes');
    assert.equal(figures(r1), 'burger:3');
    assert.deepEqual(r1.windows[0][1].hist, [1, 2, 0, 0, 0]);
    for (const p of players) {
      await p.until(r1.seq);
      const seen = p.seen('revealed').at(-1);
      assert.deepEqual(seen.windows, r1.windows, 'every member sees the same figures');
    }
    await fac.must({ t: 'next' });

    // Between cards the facilitator puts Fleur at the organisation window and Gijs at the citizen's: 4 and 3.
    await fac.must({ t: 'window', window: 'organisatie', for: 7 });
    await fac.must({ t: 'window', window: 'burger', for: 8 });
    await fac.must({ t: 'draw' });
    const r2 = await voteAll(fac, players, [4, 4, 5, 2, 1, 2, 3]);
    assert.equal(figures(r2), 'burger:4,organisatie:3');
    await fac.must({ t: 'next' });

    // Fleur moves to the citizen's window: 5 and 2. The organisation's 2 would follow from the overall figures minus
    // the citizen's, so neither is shown.
    await fac.must({ t: 'window', window: 'burger', for: 7 });
    await fac.must({ t: 'draw' });
    const r3 = await voteAll(fac, players, [3, 3, 3, 1, 5, 3, 3]);
    assert.equal(figures(r3), '');
    await fac.must({ t: 'next' });
    await fac.must({ t: 'close', text: 'Vensters verschillen' });
    const closed = fac.seen('closed').at(-1);
    for (const c of closed.summary.cards) assert.ok(Array.isArray(c.windows));

    // Exports.
    const key = closed.summary.replay_key;
    const base = `${server.url}/api/rooms/${room}`;
    const json = await (await fetch(`${base}/summary.json?key=${key}`)).json();
    const ranked = json.cards.map((c) => c.windows.map((w) => `${w.window}:${w.stats.n}:${w.title}`).join(','));
    assert.deepEqual(ranked.sort(), ['', 'burger:3:Burger', 'burger:4:Burger,organisatie:3:Organisatie'].sort());
    const md = await (await fetch(`${base}/summary.md?key=${key}`)).text();
    assert.match(md, /Per venster: Burger 4,0 \(Stemmen 4\) · Organisatie 1,7 \(Stemmen 3\)/);
    assert.match(md, /Per venster: Burger 1,7 \(Stemmen 3\)\n/);
    // The card whose windows show no figures has no "Per venster" line at all.
    assert.equal(md.match(/^Per venster:/gm).length, 2, md);
    const csv = (await (await fetch(`${base}/summary.csv?key=${key}&dialect=en`)).text()).trim().split('\r\n');
    assert.match(csv[0], /,windows$/);
    assert.ok(csv.some((row) => row.endsWith(',burger: n=4 mean=4.00; organisatie: n=3 mean=1.67')), csv.join('\n'));
    // The room's own (Dutch) dialect: a semicolon list, decimal commas, the cell quoted for its semicolons.
    const nl = (await (await fetch(`${base}/summary.csv?key=${key}`)).text()).trim().split('\r\n');
    assert.match(nl[0], /;vensters$/);
    assert.ok(nl.some((row) => row.endsWith(';"burger: n=4 mean=4,00; organisatie: n=3 mean=1,67"')), nl.join('\n'));

    // The replay carries the window events and the figures, and still no votes of the anonymous round.
    const log = decode(new Uint8Array(await (await fetch(`${base}/log?key=${key}`)).arrayBuffer()));
    assert.equal(log.filter((e) => e.e === 'windowed').length, 9);
    const revealed = log.filter((e) => e.e === 'revealed');
    assert.deepEqual(revealed.map(figures), ['burger:3', 'burger:4,organisatie:3', '']);
    for (const e of revealed) assert.equal(e.votes, undefined);
    for (const p of [fac, ...players]) await p.close();
  } finally {
    await server.stop();
  }
});
