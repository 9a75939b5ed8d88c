// downloads.test.mjs - the summary downloads as people save them: file names, the CSV's dialect, hidden notes' authors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

/** A closed Dutch round of one card (votes 4, 3), with a visible and a hidden note. */
async function closedRoom(server, title) {
  const room = roomCode();
  const fac = await Member.connect(server, room);
  await fac.must({ t: 'create', room, name: 'Fien', title, deck: DECK, lang: 'nl', tz_offset: 60, opts: { hand: 1 } });
  const players = [];
  for (const name of ['Anna', 'Bram']) {
    const p = await Member.connect(server, room);
    await p.must({ t: 'join', room, name, role: 'player' });
    players.push(p);
  }
  await fac.must({ t: 'start' });
  await players[0].until(fac.lastSeq());
  await players[0].must({ t: 'play', card: players[0].seen('dealt')[0].cards[0] });
  await players[0].must({ t: 'vote', value: 4 });
  await players[1].must({ t: 'vote', value: 3 });
  await players[0].must({ t: 'note', text: 'Zichtbaar (met haakjes). Klaar.' });
  await players[1].must({ t: 'note', text: 'GEHEIM' });
  await fac.until(players[1].lastSeq());
  await fac.must({ t: 'hide', note: fac.seen('noted').at(-1).note });
  await fac.must({ t: 'next' });
  await fac.must({ t: 'close', text: '', actions: [] });
  const closed = fac.seen('closed')[0];
  return { room, fac, players, key: closed.summary.replay_key, closedAt: closed.at };
}

/** The room's local date (tz_offset 60) of a server time, as the file name spells it. */
function localDate(at) {
  return new Date(at + 60 * 60_000).toISOString().slice(0, 10);
}

/** The UTF-8 file name of an RFC 6266 header's filename*. */
function fileName(disposition) {
  const m = /filename\*=UTF-8''([^;\s]+)/.exec(disposition ?? '');
  assert.ok(m, `no filename* in ${disposition}`);
  return decodeURIComponent(m[1]);
}

test('every export is an attachment named by date, title and round, with an ASCII fallback', async () => {
  const server = await startServer();
  try {
    const { room, key, closedAt, fac, players } = await closedRoom(server, 'Studiedag café/1');
    const date = localDate(closedAt);
    for (const ext of ['md', 'json', 'csv']) {
      const res = await fetch(`${server.url}/api/rooms/${room}/summary.${ext}?key=${key}`);
      assert.equal(res.status, 200);
      const cd = res.headers.get('content-disposition');
      assert.match(cd, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
      assert.equal(fileName(cd), `${date} Studiedag café 1 ronde 1.${ext}`);
      assert.equal(/filename="([^"]+)"/.exec(cd)[1], `${date} Studiedag cafe 1 ronde 1.${ext}`);
      await res.arrayBuffer();
    }
    // The English dialect names the round in English.
    const en = await fetch(`${server.url}/api/rooms/${room}/summary.csv?key=${key}&dialect=en`);
    assert.equal(fileName(en.headers.get('content-disposition')), `${date} Studiedag café 1 round 1.csv`);
    await en.arrayBuffer();
    for (const m of [fac, ...players]) await m.close();
  } finally {
    await server.stop();
  }
});

test('the CSV is in the room\'s dialect (Dutch: semicolons, decimal commas, Dutch words) and ?dialect picks the other', async () => {
  const server = await startServer();
  try {
    const { room, key, fac, players } = await closedRoom(server, 'Studiedag');
    const base = `${server.url}/api/rooms/${room}/summary.csv?key=${key}`;
    const nl = await (await fetch(base)).text();
    const [head, row] = nl.replace(/^\uFEFF/, '').split('\r\n');
    const cols = head.split(';');
    assert.equal(cols[0], 'rang');
    const cells = row.split(';');
    assert.equal(cells[cols.indexOf('gemiddelde')], '3,50');
    assert.equal(cells[cols.indexOf('overeenstemming')], 'eensgezind');
    assert.ok(!/polarised|consensus|mixed/.test(nl), 'no English word in a Dutch file');

    const en = await (await fetch(`${base}&dialect=en`)).text();
    const [enHead, enRow] = en.replace(/^\uFEFF/, '').split('\r\n');
    const enCols = enHead.split(',');
    assert.equal(enCols[0], 'rank');
    assert.equal(enRow.split(',')[enCols.indexOf('mean')], '3.50');
    assert.equal((await (await fetch(`${base}&dialect=nl`)).text()), nl);

    for (const bad of ['xx', '', 'nlx']) {
      const res = await fetch(`${base}&dialect=${bad}`);
      assert.equal(res.status, 400, `dialect=${bad}`);
      assert.match(await res.text(), /dialect must be nl or en/);
    }
    for (const m of [fac, ...players]) await m.close();
  } finally {
    await server.stop();
  }
});

test('a hidden note names nobody: not in a fresh View, the summary, the JSON or the replay', async () => {
  const server = await startServer();
  try {
    const { room, key, fac, players } = await closedRoom(server, 'Studiedag');
    const hiddenId = fac.seen('hidden')[0].note;
    // A screen joining now gets the View of the closed round.
    const screen = await Member.connect(server, room);
    const w = await screen.must({ t: 'join', room, name: 'Beamer', role: 'screen' });
    const notes = w.state.summary.cards.flatMap((c) => c.notes);
    assert.deepEqual(notes.find((n) => n.note === hiddenId), { note: hiddenId });
    assert.ok(notes.some((n) => n.text && n.player), 'a visible note keeps its author');
    // The live `closed` event said the same.
    const closedNotes = fac.seen('closed')[0].summary.cards.flatMap((c) => c.notes);
    assert.deepEqual(closedNotes.find((n) => n.note === hiddenId), { note: hiddenId });

    const json = await (await fetch(`${server.url}/api/rooms/${room}/summary.json?key=${key}`)).json();
    assert.deepEqual(json.cards.flatMap((c) => c.notes).find((n) => n.note === hiddenId), { note: hiddenId });

    const { decode } = await import('@msgpack/msgpack');
    const log = decode(new Uint8Array(await (await fetch(`${server.url}/api/rooms/${room}/log?key=${key}`)).arrayBuffer()));
    const noted = log.filter((e) => e.e === 'noted');
    const hidden = noted.find((e) => e.note === hiddenId);
    assert.equal(hidden.player, undefined, 'the replay names no author of a hidden note');
    assert.equal(hidden.text, undefined);
    assert.ok(noted.some((e) => e.note !== hiddenId && e.player && e.text));

    // The Markdown: the visible note as typed, without backslashes before ( ) .
    const md = await (await fetch(`${server.url}/api/rooms/${room}/summary.md?key=${key}`)).text();
    assert.match(md, /Zichtbaar \(met haakjes\)\. Klaar\./);
    assert.doesNotMatch(md, /\\[().]/);
    assert.ok(!md.includes('GEHEIM'));
    for (const m of [fac, screen, ...players]) await m.close();
  } finally {
    await server.stop();
  }
});

test('the facilitator hands the console to another device of their own with a one-time link', async () => {
  const server = await startServer();
  try {
    const room = roomCode();
    const fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'Studiedag', deck: DECK, lang: 'nl', tz_offset: 60, opts: {} });
    const player = await Member.connect(server, room);
    await player.must({ t: 'join', room, name: 'Anna', role: 'player' });
    const api = `${server.url}/api/rooms/${room}`;
    // Only the facilitator's token makes a code; a player's or none gets the 404 of an unknown room.
    assert.equal((await fetch(`${api}/handoff`, { headers: { Authorization: `Bearer ${player.token}` } })).status, 404);
    assert.equal((await fetch(`${api}/handoff`)).status, 404);
    const made = await fetch(`${api}/handoff`, { headers: { Authorization: `Bearer ${fac.token}` } });
    assert.equal(made.status, 200);
    assert.equal(made.headers.get('cache-control'), 'no-store');
    const { code, expires_in: ttl } = await made.json();
    assert.match(code, /^[0-9a-f]{32}$/);
    assert.equal(ttl, 600);
    // A wrong code opens nothing; the right one gives the token once.
    assert.equal((await fetch(`${api}/claim?code=${'0'.repeat(32)}`)).status, 404);
    assert.equal((await fetch(`${server.url}/api/rooms/ZZZZZZ/claim?code=${code}`)).status, 404);
    const claimed = await fetch(`${api}/claim?code=${code}`);
    assert.equal(claimed.status, 200);
    const { token } = await claimed.json();
    assert.equal(token, fac.token);
    assert.equal((await fetch(`${api}/claim?code=${code}`)).status, 404, 'a code works once');
    // The second device resumes as the facilitator; the first is told it was replaced (4002).
    const second = await Member.connect(server, room);
    const w = await second.must({ t: 'resume', room, token });
    assert.equal(w.you.role, 'facilitator');
    const closed = await fac.client.closed;
    assert.equal(closed.code, 4002);
    // A new code replaces the last one of the room.
    const first = (await (await fetch(`${api}/handoff`, { headers: { Authorization: `Bearer ${token}` } })).json()).code;
    const next = (await (await fetch(`${api}/handoff`, { headers: { Authorization: `Bearer ${token}` } })).json()).code;
    assert.notEqual(first, next);
    assert.equal((await fetch(`${api}/claim?code=${first}`)).status, 404);
    assert.equal((await fetch(`${api}/claim?code=${next}`)).status, 200);
    for (const m of [second, player]) await m.close();
  } finally {
    await server.stop();
  }
});
