// log.test.mjs - the session log's life: rooms leave memory and come back, old logs are deleted, and the replay/export CLI on a log a real server wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, copyFile, chmod, stat, readFile, writeFile, utimes, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, runBinary } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Plays one whole round (a facilitator, three players; one note hidden
 * later) on a fresh server and stops it. Returns the data directory (the
 * caller removes it), the room code and what the clients saw.
 */
async function playedSession({ anonymous = false } = {}) {
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-log-'));
  const server = await startServer({ args: ['--data', data] });
  const room = roomCode();
  const seen = {};
  try {
    const fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'Studiedag', deck: DECK, lang: 'nl', tz_offset: 60,
      opts: { hand: 1, anonymous } });
    const players = [];
    for (const name of ['Anna', 'Bram', 'Chris']) {
      const p = await Member.connect(server, room);
      await p.must({ t: 'join', room, name, role: 'player' });
      players.push(p);
    }
    await fac.must({ t: 'start' });
    const votes = [[5, 4, 5], [1, 5, 3], [2, 2, null]];
    for (let k = 0; k < 3; k++) {
      await players[k].until(fac.lastSeq());
      await players[k].must({ t: 'play', card: players[k].seen('dealt')[0].cards[0] });
      for (let i = 0; i < 3; i++) await players[i].must({ t: 'vote', value: votes[k][i] });
      if (k === 0) {
        await players[1].must({ t: 'note', text: 'Sterk punt:\nde buurt doet mee.' });
        await players[2].must({ t: 'note', text: 'Geheim dat weg moet.' });
        const secret = players[2].seen('noted').at(-1) || fac.seen('noted').at(-1);
        await fac.until(players[2].lastSeq());
        await fac.must({ t: 'hide', note: fac.seen('noted').at(-1).note });
        seen.hiddenText = 'Geheim dat weg moet.';
        seen.secretNote = secret;
      }
      await fac.must({ t: 'next' });
    }
    await fac.must({ t: 'close', text: 'Goed gesprek.', actions: ['Bram plant een bezoek'] });
    seen.summary = fac.seen('closed')[0].summary;
    seen.lastSeq = fac.lastSeq();
    seen.cards = players.map((p) => p.seen('dealt')[0].cards[0]);
    seen.fac = fac;
    seen.players = players;
    seen.server = server;
    for (const m of [fac, ...players]) await m.close();
  } finally {
    await server.stop();
  }
  return { data, room, seen };
}

test('replay on a copied, read-only log: the timeline tells the round, --verify passes, the file is never changed', async () => {
  const { data, room, seen } = await playedSession();
  const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'verrijk-copy-'));
  try {
    // A copy on "another machine": no data directory, the file read-only.
    const file = path.join(elsewhere, `${room}.log`);
    await copyFile(path.join(data, 'rooms', `${room}.log`), file);
    await chmod(file, 0o444);
    const before = await readFile(file);

    const v = await runBinary(['replay', file, '--verify']);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, new RegExp(`ok: \\d+ records, seq 1\\.\\.${seen.lastSeq}`));

    const t = await runBinary(['replay', file]);
    assert.equal(t.code, 0, t.stderr);
    const lines = t.stdout.trim().split('\n');
    const eventLines = lines.filter((l) => /^\d\d:\d\d:\d\d {2}#\d+ {2}/.test(l));
    assert.equal(eventLines.length, seen.lastSeq, 'one line per event');
    assert.match(lines[0], /^-- \d{4}-\d\d-\d\d \(UTC\+01:00\)$/, 'the day, in the room\'s offset');
    assert.match(t.stdout, /#1 {2}room [A-Z0-9]{6} "Studiedag" created/);
    assert.match(t.stdout, /#2 {2}Fien joined as facilitator/);
    assert.match(t.stdout, /Anna joined as player/);
    assert.match(t.stdout, /Anna played "[^"]+"/, 'a card by its title, by name');
    assert.match(t.stdout, /Bram voted\n/, 'no vote value before the reveal');
    assert.match(t.stdout, /revealed: Anna 5, Bram 4, Chris 5; n 3, mean 4\.67/);
    assert.match(t.stdout, /Sterk punt:\\nde buurt doet mee\./, 'a line break in a note stays on its line');
    assert.deepEqual(lines.filter((l) => !/^(-- |\d\d:\d\d:\d\d {2}#)/.test(l)), [], 'nothing but day and event lines');
    assert.ok(!t.stdout.includes(seen.hiddenText), 'a hidden note keeps its text out of the timeline');
    assert.match(t.stdout, /\(hidden later\)/);
    assert.match(t.stdout, /round 1 closed: 3 cards, highest/);
    // The time of the first event in UTC+1 is the created event's `at`.
    const j = await runBinary(['replay', file, '--json']);
    assert.equal(j.code, 0, j.stderr);
    const events = j.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
    assert.equal(events.length, seen.lastSeq);
    assert.equal(events.at(-1).e, 'closed');
    assert.equal(events.at(-1).summary.replay_key, seen.summary.replay_key);
    const firstAt = new Date(events[0].at + 60 * 60000).toISOString().slice(11, 19);
    assert.ok(eventLines[0].startsWith(firstAt), `${eventLines[0]} starts with ${firstAt}`);

    // --at: the View mid-round, as the public screen and as a player.
    const firstVote = events.find((e) => e.e === 'voted');
    const atJson = await runBinary(['replay', file, '--at', String(firstVote.seq), '--json']);
    assert.equal(atJson.code, 0, atJson.stderr);
    const view = JSON.parse(atJson.stdout);
    assert.equal(view.seq, firstVote.seq);
    assert.equal(view.phase, 'playing');
    assert.equal(view.table.stage, 'discuss');
    assert.equal(view.table.my_vote, undefined, 'the public screen has no vote');
    assert.deepEqual(view.hand, []);
    const asVoter = JSON.parse((await runBinary(['replay', file, '--at', String(firstVote.seq), '--as',
      String(firstVote.player), '--json'])).stdout);
    assert.equal(asVoter.table.my_vote, firstVote.value, 'the voter sees their own vote');
    const text = await runBinary(['replay', file, '--at', String(firstVote.seq)]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Phase playing, round 1/);
    assert.match(text.stdout, /Anna +player, offline|Anna +player, online/);

    // Export without a server, the same as the server's download.
    const md = await runBinary(['export', file, '--md']);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /Studiedag/);
    assert.match(md.stdout, /Goed gesprek/);
    assert.ok(!md.stdout.includes(seen.hiddenText));
    const sj = JSON.parse((await runBinary(['export', file, '--json'])).stdout);
    assert.deepEqual(sj.cards.map((c) => c.card), seen.summary.cards.map((c) => c.card));
    const csv = await runBinary(['export', file, '--csv', '--round', '1']);
    assert.equal(csv.code, 0);
    assert.equal(csv.stdout.trim().split(/\r\n/).length, 4, 'a header and one row per card');
    const none = await runBinary(['export', file, '--csv', '--round', '2']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no closed round 2/);

    assert.deepEqual(await readFile(file), before, 'the CLI never writes the file');
    assert.deepEqual(await readdir(elsewhere), [`${room}.log`], 'and makes nothing next to it');
  } finally {
    await rm(elsewhere, { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
  }
});

test('replay --verify reports the first bad record with its offset, exits 1, and repairs nothing', async () => {
  const { data, room } = await playedSession();
  try {
    const file = path.join(data, 'rooms', `${room}.log`);
    const good = await readFile(file);
    const events = (await runBinary(['replay', file, '--json'])).stdout.trim().split('\n');
    // Record offsets: 8-byte magic, then u32 length | u32 crc | payload.
    const offsets = [];
    for (let off = 8; off < good.length; off += 8 + good.readUInt32LE(off)) offsets.push(off);
    assert.equal(offsets.length, events.length);

    // A flipped byte in record 5's payload: a CRC mismatch there.
    const flipped = Buffer.from(good);
    flipped[offsets[4] + 8 + 2] ^= 0x40;
    await writeFile(file, flipped);
    const v = await runBinary(['replay', file, '--verify']);
    assert.equal(v.code, 1);
    assert.match(v.stdout, new RegExp(`BAD: record 5 at offset ${offsets[4]}: crc mismatch`, 'i'));
    assert.deepEqual(await readFile(file), flipped, 'not repaired');
    // The timeline shows what is whole, and says where it stopped.
    const t = await runBinary(['replay', file]);
    assert.equal(t.code, 1);
    assert.equal(t.stdout.trim().split('\n').filter((l) => / {2}#\d+ {2}/.test(l)).length, 4);
    assert.match(t.stderr, new RegExp(`offset ${offsets[4]}`));

    // A torn tail (the last record cut short), as a crash leaves it.
    const torn = good.subarray(0, good.length - 3);
    await writeFile(file, torn);
    const vt = await runBinary(['replay', file, '--verify']);
    assert.equal(vt.code, 1);
    assert.match(vt.stdout, new RegExp(`BAD: record ${offsets.length} at offset ${offsets.at(-1)}: torn payload`));
    assert.equal((await stat(file)).size, torn.length);

    // Not a log at all.
    await writeFile(file, 'hello, world');
    const nl = await runBinary(['replay', file, '--verify']);
    assert.equal(nl.code, 1);
    assert.match(nl.stderr, /not a session log/);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});

test('a room with no device leaves memory after --idle-minutes and comes back whole from its log', async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-idle-'));
  // 0.02 minutes = 1.2 s without a device.
  const server = await startServer({ args: ['--data', data, '--idle-minutes', '0.02'] });
  const room = roomCode();
  try {
    const fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'T', deck: DECK, lang: 'nl', tz_offset: 0, opts: { hand: 2 } });
    const anna = await Member.connect(server, room);
    await anna.must({ t: 'join', room, name: 'Anna' });
    await fac.must({ t: 'start' });
    await anna.until(fac.lastSeq());
    const hand = anna.seen('dealt')[0].cards;
    const facToken = fac.token;
    const annaToken = anna.token;
    const seqBefore = fac.lastSeq();

    // While a device is attached the room stays, however long.
    await anna.close();
    await sleep(2500);
    assert.doesNotMatch(server.stderr(), /left memory/, 'the facilitator is still attached');
    await fac.close();
    const deadline = Date.now() + 20000; // the grace (10 s) first, then idle
    while (!new RegExp(`left memory \\(${room}\\)`).test(server.stderr()) && Date.now() < deadline) await sleep(200);
    assert.match(server.stderr(), new RegExp(`1 idle room left memory \\(${room}\\)`));

    // A create on the code of a room out of memory loads it first: room_taken.
    // A resume sent at the same moment waits for the load and gets the room
    // as its log left it: the same hand, seq continuing.
    const other = await Member.connect(server, room);
    const back = await Member.connect(server, room);
    const [taken, w] = await Promise.all([
      other.req({ t: 'create', room, name: 'X', title: '', deck: DECK, lang: 'nl', tz_offset: 0 }),
      back.must({ t: 'resume', room, token: annaToken }),
    ]);
    assert.equal(taken.code, 'room_taken');
    assert.deepEqual(w.state.hand, hand, 'the hand comes back from the log');
    assert.equal(w.state.phase, 'playing');
    assert.ok(w.state.seq > seqBefore);
    await other.close();
    await back.close();

    // The export API loads a room that left memory too.
    const fac2 = await Member.connect(server, room);
    await fac2.must({ t: 'resume', room, token: facToken });
    await fac2.must({ t: 'close', text: '', actions: [] });
    const key = fac2.seen('closed')[0].summary.replay_key;
    await fac2.close();
    const d2 = Date.now() + 20000;
    while ((server.stderr().match(new RegExp(`left memory \\(${room}\\)`, 'g')) || []).length < 2 && Date.now() < d2) await sleep(200);
    assert.equal((server.stderr().match(new RegExp(`left memory \\(${room}\\)`, 'g')) || []).length, 2);
    const r = await fetch(`${server.url}/api/rooms/${room}/summary.json?key=${key}`);
    assert.equal(r.status, 200);
    const log = await fetch(`${server.url}/api/rooms/${room}/log?key=${key}`);
    assert.equal(log.status, 200);
  } finally {
    await server.stop();
    await rm(data, { recursive: true, force: true });
  }
});

test('--retain-days deletes a log without activity for that long at start, and keeps recent ones', async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-retain-'));
  const rooms = [roomCode(), roomCode()];
  const first = await startServer({ args: ['--data', data] });
  const tokens = [];
  try {
    for (const room of rooms) {
      const fac = await Member.connect(first, room);
      await fac.must({ t: 'create', room, name: 'Fien', title: '', deck: DECK, lang: 'nl', tz_offset: 0 });
      tokens.push(fac.token);
      await fac.close();
    }
  } finally {
    await first.stop();
  }
  // The first room's log was last written 8 days ago.
  const old = new Date(Date.now() - 8 * 24 * 3600 * 1000);
  await utimes(path.join(data, 'rooms', `${rooms[0]}.log`), old, old);
  const again = await startServer({ args: ['--data', data, '--retain-days', '7'] });
  try {
    const deadline = Date.now() + 5000;
    let files;
    while ((files = await readdir(path.join(data, 'rooms'))).includes(`${rooms[0]}.log`) && Date.now() < deadline) await sleep(50);
    assert.ok(!files.includes(`${rooms[0]}.log`), 'the old log is gone');
    assert.ok(files.includes(`${rooms[1]}.log`), 'the recent one stays');
    assert.match(again.stderr(), /deleting 1 room log without activity for 7 days/);
    const m = await Member.connect(again, rooms[0]);
    await m.refused({ t: 'resume', room: rooms[0], token: tokens[0] }, 'no_room');
    await m.close();
    const k = await Member.connect(again, rooms[1]);
    await k.must({ t: 'resume', room: rooms[1], token: tokens[1] });
    await k.close();
  } finally {
    await again.stop();
    await rm(data, { recursive: true, force: true });
  }
});

/** Sets the server process's soft RLIMIT_FSIZE (bytes; 'unlimited' lifts it) with prlimit(1) on its PID. */
async function setFileSizeLimit(pid, soft) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('prlimit', ['--pid', String(pid), `--fsize=${soft}:`], { encoding: 'utf8', timeout: 5000 });
  assert.equal(r.status, 0, `prlimit: ${r.stderr}`);
}

/**
 * The failing-disk scenario shared by the two tests below: `fail()` makes
 * the log's writes fail, `heal()` makes them work again. Intents meanwhile
 * get server_busy, nobody sees an event, the server stays up, the log stays
 * valid, and afterwards the same room goes on with seq without a gap.
 */
async function writesFailThenRecover(server, data, { fail, heal, label }) {
  const room = roomCode();
  const fac = await Member.connect(server, room);
  await fac.must({ t: 'create', room, name: 'Fien', title: 'Vol', deck: DECK, lang: 'nl', tz_offset: 0, opts: { hand: 2 } });
  const anna = await Member.connect(server, room);
  await anna.must({ t: 'join', room, name: 'Anna' });
  const bram = await Member.connect(server, room);
  await bram.must({ t: 'join', room, name: 'Bram' });
  await fac.must({ t: 'start' });
  await anna.until(fac.lastSeq());
  await anna.must({ t: 'play', card: anna.seen('dealt')[0].cards[0] });
  await bram.until(anna.lastSeq());
  const file = path.join(data, 'rooms', `${room}.log`);

  await fail(file);
  // A full filesystem may still take a few records into the log file's
  // last, partly used page: notes until the first refusal (paced below
  // the rate limit).
  let refusal;
  for (let i = 0; i < 40 && !refusal; i++) {
    const m = await fac.req({ t: 'note', text: `${i} ${'x'.repeat(490)}` });
    if (m.t === 'error') refusal = m;
    await sleep(60);
  }
  assert.equal(refusal && refusal.code, 'server_busy', `${label}: writes never failed`);
  // Then small ones, until a timer (about the smallest event) fails too.
  for (let i = 0, m = null; i < 40 && (!m || m.t !== 'error'); i++) {
    m = await fac.req({ t: 'timer', seconds: 3000 });
    await sleep(60);
  }
  await anna.until(fac.lastSeq());
  await bram.until(fac.lastSeq());
  const seqBefore = fac.lastSeq();
  const count = (re) => (server.stderr().match(re) || []).length;
  const saidBefore = count(/cannot be written/g);
  for (let i = 0; i < 5; i++) await anna.refused({ t: 'note', text: 'Dit past niet meer op de schijf.' }, 'server_busy');
  await fac.refused({ t: 'timer', seconds: 3000 }, 'server_busy');
  // Nothing happened: nobody saw an event, the server still answers.
  assert.ok(await bram.client.silentFor(300), `${label}: an event reached a member while the log failed`);
  assert.equal(fac.lastSeq(), seqBefore);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  const verify = await runBinary(['replay', file, '--verify']);
  assert.equal(verify.code, 0, `${label}: ${verify.stdout}${verify.stderr}`);
  assert.match(verify.stdout, new RegExp(`seq 1\\.\\.${seqBefore},`));
  // Said once when failures start (again), not once per refused intent.
  assert.equal(count(/cannot be written/g), saidBefore, `${label}: logged again while failing:\n${server.stderr()}`);
  assert.equal(saidBefore, count(/written again/g) + 1, `${label}: one line per failure episode:\n${server.stderr()}`);
  // Said by one layer, through the ops log: not a raw line of the session
  // log and the same failure again by the rooms.
  const failLines = server.stderr().split('\n').filter((l) => /cannot be written|appends fail/.test(l));
  assert.equal(failLines.length, saidBefore, `${label}: one failure said twice:\n${server.stderr()}`);
  assert.ok(failLines.every((l) => /^\d{4}-\d\d-\d\dT[\d:]+Z warn /.test(l)), `${label}: not an ops log line:\n${failLines.join('\n')}`);

  await heal(file);
  await anna.must({ t: 'vote', value: 4 });
  await bram.until(anna.lastSeq());
  assert.equal(bram.events.find((e) => e.seq === seqBefore + 1).e, 'voted', 'seq continues without a gap');
  await bram.must({ t: 'vote', value: 3 });
  await fac.until(bram.lastSeq());
  assert.ok(fac.seen('revealed').length === 1, 'the round goes on: the card is revealed');
  assert.match(server.stderr(), /written again/);
  const after = await runBinary(['replay', file, '--verify']);
  assert.equal(after.code, 0, after.stdout + after.stderr);
  for (const m of [fac, anna, bram]) await m.close();
}

test('writes that fail (file size limit, EFBIG): intents get server_busy, nothing crashes, the log stays valid, the room works again after', async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-full-'));
  const server = await startServer({ args: ['--data', data] });
  try {
    await writesFailThenRecover(server, data, {
      label: 'RLIMIT_FSIZE',
      // Any write past the log's current end now fails (SIGXFSZ is ignored).
      fail: async (file) => setFileSizeLimit(server.proc.pid, (await stat(file)).size),
      heal: async () => setFileSizeLimit(server.proc.pid, 'unlimited'),
    });
  } finally {
    await server.stop(); // a clean exit: no crash, no sanitizer report
    await rm(data, { recursive: true, force: true });
  }
});

/** verrijk_batches_total and verrijk_batched_decisions_total from /metrics. */
async function batchCounts(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const get = (name) => Number((text.match(new RegExp(`^${name} (\\d+)`, 'm')) || [])[1]);
  return { batches: get('verrijk_batches_total'), decisions: get('verrijk_batched_decisions_total') };
}

test('a batch of intents the log refuses as a whole changes nothing: the room is read back from its log and the same intents succeed after', async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-batch-'));
  const server = await startServer({ args: ['--data', data] });
  try {
    const room = roomCode();
    const fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'Batch', deck: DECK, lang: 'nl', tz_offset: 0, opts: { hand: 2 } });
    const players = [];
    for (const name of ['Anna', 'Bram', 'Cees', 'Dirk', 'Eva', 'Fleur']) {
      const m = await Member.connect(server, room);
      await m.must({ t: 'join', room, name });
      players.push(m);
    }
    await fac.must({ t: 'start' });
    for (const m of players) await m.until(fac.lastSeq());
    const anna = players[0]; // first to join, first to play
    await anna.must({ t: 'play', card: anna.seen('dealt')[0].cards[0] });
    for (const m of [fac, ...players]) await m.until(anna.lastSeq());
    const seqBefore = fac.lastSeq();
    const file = path.join(data, 'rooms', `${room}.log`);
    const before = await batchCounts(server);

    // Every write past the log's end fails now. Everyone votes at once and
    // the facilitator reveals and moves on right behind them: the first
    // intent goes to the log alone, the rest wait and go as a batch.
    await setFileSizeLimit(server.proc.pid, (await stat(file)).size);
    const answers = await Promise.all([
      ...players.map((m, i) => m.req({ t: 'vote', value: 1 + (i % 5) })),
      (async () => [await fac.req({ t: 'reveal' }), await fac.req({ t: 'next' })])(),
    ]);
    for (const a of answers.flat()) assert.equal(a.code, 'server_busy', `refused as a whole: ${JSON.stringify(a)}`);
    const during = await batchCounts(server);
    assert.ok(during.decisions - before.decisions > during.batches - before.batches,
      `some batch held more than one decision: ${JSON.stringify({ before, during })}`);
    for (const m of [fac, ...players]) {
      assert.ok(await m.client.silentFor(200), 'no event of a refused batch reached anyone');
      assert.equal(m.lastSeq(), seqBefore);
    }
    const verify = await runBinary(['replay', file, '--verify']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, new RegExp(`seq 1\\.\\.${seqBefore},`));

    // Writable again: had the room kept the refused reveal and next, these
    // votes would be wrong_phase (the last one reveals the card).
    await setFileSizeLimit(server.proc.pid, 'unlimited');
    await Promise.all(players.map((m, i) => m.must({ t: 'vote', value: 5 - (i % 5) })));
    await fac.must({ t: 'next' });
    for (const m of [fac, ...players]) {
      await m.until(fac.lastSeq());
      const after = m.events.filter((ev) => ev.seq > seqBefore);
      assert.deepEqual(after.map((ev) => ev.seq), after.map((_, i) => seqBefore + 1 + i), 'seq goes on without a gap');
      assert.deepEqual(after.map((ev) => ev.e),
        [...players.map(() => 'voted'), 'revealed', 'done', 'turn'], 'each vote once, then the reveal, then next');
    }
    assert.equal(fac.seen('revealed')[0].stats.n, players.length, 'every vote counted once');
    // A device that resumes gets the same state the others saw.
    const again = await Member.connect(server, room);
    await again.must({ t: 'resume', room, token: fac.token });
    assert.equal(again.view.seq, fac.lastSeq());
    const ok = await runBinary(['replay', file, '--verify']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    for (const m of [again, ...players]) await m.close();
  } finally {
    await server.stop();
    await rm(data, { recursive: true, force: true });
  }
});

test('a full disk (a small tmpfs, ENOSPC): intents get server_busy, the log stays valid, and the room works again once space is freed', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', data], { encoding: 'utf8', timeout: 5000 });
  if (mounted.status !== 0) {
    await rm(data, { recursive: true, force: true });
    t.skip(`mount is not allowed here (${(mounted.stderr || '').trim()}); the RLIMIT_FSIZE test covers failing writes`);
    return;
  }
  const filler = path.join(data, 'filler');
  let server;
  try {
    server = await startServer({ args: ['--data', data] });
    await writesFailThenRecover(server, data, {
      label: 'ENOSPC',
      fail: async () => {
        // Fill the filesystem to the last byte.
        spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4096'], { timeout: 10000 });
        const df = spawnSync('df', ['--output=avail', data], { encoding: 'utf8' });
        assert.match(df.stdout, /\n\s*0\s*$/, `the tmpfs is full: ${df.stdout}`);
      },
      heal: async () => rm(filler, { force: true }),
    });
  } finally {
    if (server) await server.stop();
    spawnSync('umount', [data], { timeout: 5000 });
    await rm(data, { recursive: true, force: true });
  }
});
