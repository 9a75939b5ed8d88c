// round.test.mjs - a whole round over the real server: a facilitator, three players and a screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decode } from '@msgpack/msgpack';
import { startServer } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

/** Every value any member received, flattened, for secret scans. */
function everything(member) {
  return JSON.stringify(member.events) + JSON.stringify(member.view);
}

test('a whole round played over the socket gives the right summary, and secrets stay with their owner', async () => {
  const server = await startServer();
  const room = roomCode();
  const members = [];
  try {
    const fac = await Member.connect(server, room);
    members.push(fac);
    const w = await fac.must({
      t: 'create', room, name: 'Fien', title: 'Studiedag', deck: DECK, lang: 'nl', tz_offset: 60,
      opts: { hand: 1 },
    });
    assert.equal(w.t, 'welcome');
    assert.deepEqual(w.you, { player: 1, name: 'Fien', role: 'facilitator' });
    assert.match(w.token, /^[0-9a-f]{32}$/);
    assert.equal(w.state.phase, 'lobby');
    assert.equal(w.state.deck.id, DECK);

    const names = ['Anna', 'Bram', 'Chris'];
    const players = [];
    for (const name of names) {
      const p = await Member.connect(server, room);
      const pw = await p.must({ t: 'join', room, name, role: 'player' });
      assert.equal(pw.you.role, 'player');
      players.push(p);
      members.push(p);
    }
    const screen = await Member.connect(server, room);
    members.push(screen);
    await screen.must({ t: 'join', room, name: 'Beamer', role: 'screen' });

    // Names are unique among present members, ASCII case-insensitively.
    const dup = await Member.connect(server, room);
    await dup.refused({ t: 'join', room, name: 'anna', role: 'player' }, 'name_taken');
    await dup.close();

    // Only the facilitator starts.
    await players[0].refused({ t: 'start' }, 'not_allowed');
    await fac.must({ t: 'start' });
    const round = fac.seen('round')[0];
    assert.deepEqual(round.order, [2, 3, 4]);
    assert.equal(round.seed, undefined, 'the seed never reaches a member');

    // Each player learns only their own cards; everyone sees the counts.
    for (const p of players) {
      await p.until(fac.lastSeq());
      const dealt = p.seen('dealt')[0];
      assert.equal(dealt.hands, undefined);
      assert.deepEqual(dealt.counts, [[2, 1], [3, 1], [4, 1]]);
      assert.equal(dealt.cards.length, 1);
    }
    await screen.until(fac.lastSeq());
    assert.equal(screen.seen('dealt')[0].cards, undefined, 'a screen holds no cards');

    // Three cards, one per player, with these votes (Anna, Bram, Chris).
    const votes = [[5, 4, 5], [1, 5, 3], [2, 2, null]];
    const played = [];
    for (let k = 0; k < 3; k++) {
      const owner = players[k];
      const card = owner.seen('dealt')[0].cards[0];
      // Out of turn is refused.
      const other = players[(k + 1) % 3];
      await other.refused({ t: 'play', card: other.seen('dealt')[0].cards[0] }, 'not_your_turn');
      await owner.must({ t: 'play', card });
      played.push(card);
      await screen.refused({ t: 'vote', value: 3 }, 'not_allowed');
      await players[0].refused({ t: 'vote', value: 9 }, 'bad_vote');
      for (let i = 0; i < 3; i++) await players[i].must({ t: 'vote', value: votes[k][i] });
      // Auto-reveal once every online eligible voter voted.
      await fac.until(players[2].lastSeq());
      const rev = fac.seen('revealed').at(-1);
      assert.equal(rev.card, card);
      const nonPass = votes[k].filter((v) => v !== null);
      assert.equal(rev.stats.n, nonPass.length);
      assert.equal(rev.stats.pass, votes[k].length - nonPass.length);
      assert.equal(rev.stats.mean, nonPass.reduce((a, b) => a + b, 0) / nonPass.length);
      if (k === 0) {
        await players[1].must({ t: 'note', text: 'Sterk punt: de buurt doet mee.' });
      }
      await fac.must({ t: 'next' });
    }

    // Before each reveal, nobody saw anyone else's vote value.
    for (const p of players) {
      await p.until(fac.lastSeq());
      for (const v of p.seen('voted')) {
        if (v.player !== p.you.player) assert.equal(v.value, undefined, 'another member\'s vote leaked');
      }
    }
    await screen.until(fac.lastSeq());
    for (const v of screen.seen('voted')) assert.equal(v.value, undefined);

    await fac.must({ t: 'close', text: 'Goed gesprek.', actions: ['Bram plant een bezoek'] });
    const closed = fac.seen('closed')[0];
    const s = closed.summary;
    assert.equal(s.round, 1);
    assert.deepEqual(s.cards.map((c) => c.card), [played[0], played[1], played[2]], 'ranked by mean: 4.67, 3, 2');
    assert.equal(s.cards[0].stats.median, 5);
    assert.equal(s.cards[0].agreement, 'consensus'); // 4..5: spread 1
    assert.equal(s.cards[1].agreement, 'polarised'); // 1, 5, 3: a third of the votes at each end
    assert.equal(s.cards[2].agreement, 'consensus'); // 2, 2 and a pass
    assert.deepEqual(s.cards[2].stats.hist, [0, 2, 0, 0, 0]);
    assert.equal(s.cards[0].notes[0].text, 'Sterk punt: de buurt doet mee.');
    assert.deepEqual(s.players, [2, 3, 4]);
    assert.equal(s.text, 'Goed gesprek.');
    assert.match(s.replay_key, /^[0-9a-f]{32}$/);

    // Hands and hidden votes never reached another member.
    for (let i = 0; i < 3; i++) {
      for (const m of members) {
        if (m === players[i]) continue;
        const all = everything(m);
        // The cards of a hand appear only once played (then they are public);
        // the seed and tokens never appear anywhere.
        assert.ok(!all.includes(players[i].token), 'a token leaked');
      }
    }

    // Exports: guarded by the replay key, 404 alike for a wrong key.
    const base = `${server.url}/api/rooms/${room}`;
    const json = await fetch(`${base}/summary.json?key=${s.replay_key}`);
    assert.equal(json.status, 200);
    const sj = await json.json();
    assert.deepEqual(sj.cards.map((c) => c.card), s.cards.map((c) => c.card));
    const md = await (await fetch(`${base}/summary.md?key=${s.replay_key}`)).text();
    assert.match(md, /Studiedag/);
    assert.match(md, /Goed gesprek/);
    const csv = await fetch(`${base}/summary.csv?key=${s.replay_key}`);
    assert.equal(csv.status, 200);
    assert.equal((await csv.text()).trim().split(/\r\n/).length, 4, 'a header and one row per card');
    const bearer = await fetch(`${base}/summary.json`, { headers: { Authorization: `Bearer ${fac.token}` } });
    assert.equal(bearer.status, 200, 'the facilitator\'s token works as a Bearer header');
    const wrong = await fetch(`${base}/summary.json?key=${'0'.repeat(32)}`);
    const unknown = await fetch(`${server.url}/api/rooms/ZZZZZZ/summary.json?key=${s.replay_key}`);
    assert.equal(wrong.status, 404);
    assert.equal(unknown.status, 404);
    assert.equal(await wrong.text(), await unknown.text(), 'an unknown room and a wrong key look alike');

    // The replay: the public log up to the close, without secrets.
    const log = await fetch(`${base}/log?key=${s.replay_key}`);
    assert.equal(log.status, 200);
    const events = decode(new Uint8Array(await log.arrayBuffer()));
    assert.equal(events.at(-1).e, 'closed');
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'seq without gaps from 1');
    for (const e of events) {
      assert.equal(e.token_hash, undefined);
      assert.equal(e.seed, undefined);
      if (e.e === 'voted') assert.equal(e.value, undefined);
    }
    assert.ok(events.find((e) => e.e === 'dealt').hands, 'the replay shows the dealt hands whole');

    // seq is gap-free for every member from their welcome on.
    for (const m of members) {
      const seqs = m.events.map((e) => e.seq);
      for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, 'gap in seq');
      if (seqs.length) assert.equal(seqs[0], m.view.seq + 1, 'events follow the welcome\'s View');
    }
  } finally {
    for (const m of members) await m.close();
    await server.stop();
  }
});

test('a device that resumes with its token is the same member, and the old connection is closed with 4002', async () => {
  const server = await startServer();
  const room = roomCode();
  try {
    const fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: '', deck: DECK, lang: 'en', tz_offset: 0 });
    const anna = await Member.connect(server, room);
    await anna.must({ t: 'join', room, name: 'Anna' });
    await fac.must({ t: 'start' });
    await anna.until(fac.lastSeq());
    const hand = anna.seen('dealt')[0].cards;

    const again = await Member.connect(server, room);
    const w = await again.must({ t: 'resume', room, token: anna.token });
    assert.equal(w.you.player, anna.you.player);
    assert.deepEqual(w.state.hand, hand, 'the hand comes back');
    const gone = await anna.client.closed;
    assert.equal(gone.code, 4002);

    const bad = await Member.connect(server, room);
    await bad.refused({ t: 'resume', room, token: 'f'.repeat(32) }, 'bad_token');
    await bad.refused({ t: 'join', room: 'ABCDEF', name: 'X' }, 'bad_request');
    await bad.close();

    // Kicked: the member's connection closes with 4001, the token is dead.
    await fac.must({ t: 'kick', player: w.you.player });
    assert.equal((await again.client.closed).code, 4001);
    const late = await Member.connect(server, room);
    await late.refused({ t: 'resume', room, token: anna.token }, 'bad_token');
    await late.close();
    await fac.close();
  } finally {
    await server.stop();
  }
});

test('a room survives a restart: members resume and seq continues', async () => {
  // One data directory for two processes (a later --data wins).
  const data = await mkdtemp(path.join(os.tmpdir(), 'verrijk-restart-'));
  const server = await startServer({ args: ['--data', data] });
  const room = roomCode();
  let facToken;
  let lastSeq;
  try {
    const fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'T', deck: DECK, lang: 'nl', tz_offset: 0 });
    const anna = await Member.connect(server, room);
    await anna.must({ t: 'join', room, name: 'Anna' });
    await fac.must({ t: 'start' });
    facToken = fac.token;
    lastSeq = fac.lastSeq();
    await anna.close();
    await fac.close();
  } finally {
    await server.stop();
  }
  // The same data directory, a new process.
  const again = await startServer({ args: ['--data', data] });
  try {
    const fac = await Member.connect(again, room);
    const w = await fac.must({ t: 'resume', room, token: facToken });
    assert.equal(w.state.phase, 'playing');
    // The restart marked both members offline (logged), then the facilitator came back.
    assert.ok(w.state.seq >= lastSeq + 2, `seq continues after ${lastSeq}: ${w.state.seq}`);
    const anna = w.state.players.find((p) => p.name === 'Anna');
    assert.equal(anna.online, false);
    await fac.close();
  } finally {
    await again.stop();
    await rm(data, { recursive: true, force: true });
  }
});

test('a dropped device counts as online for the 10 s grace, then goes offline and, once its away hold passes, no longer holds up the reveal', async () => {
  // The hold of a phone asleep (SPEC.md §3, tests/integration/away.test.mjs) kept short here: this test is about the grace.
  const server = await startServer({ args: ['--away-hold-seconds', '1'] });
  const room = roomCode();
  try {
    const fac = await Member.connect(server, room);
    await fac.must({ t: 'create', room, name: 'Fien', title: '', deck: DECK, lang: 'nl', tz_offset: 0, opts: { hand: 1 } });
    const anna = await Member.connect(server, room);
    await anna.must({ t: 'join', room, name: 'Anna' });
    const bram = await Member.connect(server, room);
    await bram.must({ t: 'join', room, name: 'Bram' });
    await fac.must({ t: 'start' });
    await anna.until(fac.lastSeq());
    await anna.must({ t: 'play', card: anna.seen('dealt')[0].cards[0] });
    await anna.must({ t: 'vote', value: 4 });
    const dropped = Date.now();
    await bram.close();

    // Within the grace nothing happens: no presence event, no reveal.
    await new Promise((r) => setTimeout(r, 3000));
    while (fac.client.queue.length) await fac.take();
    assert.equal(fac.seen('presence').length, 0, 'no presence event inside the grace');
    assert.equal(fac.seen('revealed').length, 0);

    // After it, Bram goes offline (logged) and the vote is complete without him.
    let offline;
    while (!(offline = fac.seen('presence').find((e) => e.player === bram.you.player && e.online === false))) {
      await fac.take(15000);
    }
    const waited = Date.now() - dropped;
    assert.ok(waited >= 9500 && waited < 14000, `offline after ${waited} ms`);
    await fac.until(offline.seq + 1);
    const rev = fac.seen('revealed').at(-1);
    assert.ok(rev && rev.seq === offline.seq + 1, 'auto-reveal the next thing after the presence change (once the hold passed)');
    assert.ok(rev.at >= offline.at + 1000, 'not before the away hold ended');
    assert.equal(rev.stats.n, 1);
    await anna.close();
    await fac.close();
  } finally {
    await server.stop();
  }
});

test('a timer belongs to one card: the card done ends it in the View everyone gets (SPEC §5.1)', async () => {
  const server = await startServer();
  const room = roomCode();
  const members = [];
  try {
    const fac = await Member.connect(server, room);
    members.push(fac);
    await fac.must({ t: 'create', room, name: 'Fien', title: 'Timer', deck: DECK, lang: 'nl', opts: { mode: 'deck' } });
    const anna = await Member.connect(server, room);
    members.push(anna);
    await anna.must({ t: 'join', room, name: 'Anna', role: 'player' });
    await fac.must({ t: 'start' });
    await fac.must({ t: 'draw' });
    await fac.must({ t: 'timer', seconds: 180 });
    // A screen that joins now sees the countdown running on the card...
    const early = await Member.connect(server, room);
    members.push(early);
    const ew = await early.must({ t: 'join', room, name: 'Beamer', role: 'screen' });
    assert.equal(typeof ew.state.timer, 'number');
    // ...and once the card is done, no timer is left for the next card.
    await fac.must({ t: 'next' });
    while (fac.seen('done').length === 0) await fac.take();
    const late = await Member.connect(server, room);
    members.push(late);
    const lw = await late.must({ t: 'join', room, name: 'Beamer 2', role: 'screen' });
    assert.equal(lw.state.timer, null);
    assert.equal(fac.seen('timer').length, 1, 'no timer event of its own: done implies it');
  } finally {
    for (const m of members) await m.close();
    await server.stop();
  }
});
