// kill.test.mjs - SIGKILL the real server in the middle of a round, restart it on the same data directory, and check that nothing any client saw is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, runBinary } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

/** A restart (kill, start, /healthz answers) must take less than this. */
const RESTART_MAX_MS = 5000;

/**
 * One person at the table across connections: their member id, token, and
 * every Member (connection) they used, so the test knows all they saw.
 */
class Person {
  constructor(name) {
    this.name = name;
    this.conns = [];
    this.id = null;
    this.token = null;
  }

  get m() { return this.conns.at(-1); }

  attach(member) {
    this.conns.push(member);
    this.id = member.you.player;
    this.token = member.token;
  }

  /** The highest seq this person's devices saw (events and Views). */
  maxSeen() { return Math.max(0, ...this.conns.map((m) => m.lastSeq())); }

  /** Every event this person saw, on any connection. */
  events() { return this.conns.flatMap((m) => m.events); }

  /** The hand this person's device knows: its last View's, then dealt and played events. */
  hand() {
    const m = this.m;
    const hand = [...(m.view.hand || [])];
    for (const ev of m.events) {
      if (ev.e === 'dealt' && ev.cards) hand.push(...ev.cards);
      if (ev.e === 'played' && ev.player === this.id) hand.splice(hand.indexOf(ev.card), 1);
    }
    return hand.sort();
  }

  /** This person's own vote on the table card as their device saw it (undefined: none). */
  myVote() {
    let vote;
    for (const ev of [{ e: 'view' }, ...this.m.events]) {
      if (ev.e === 'view') vote = this.m.view.table ? this.m.view.table.my_vote : undefined;
      if (ev.e === 'played' || ev.e === 'reopened' || ev.e === 'done') vote = undefined;
      if (ev.e === 'voted' && ev.player === this.id) vote = ev.value;
    }
    return vote;
  }
}

/** The room's log as the CLI reads it (read-only), one object per event. */
async function logEvents(data, room) {
  const r = await runBinary(['replay', path.join(data, 'rooms', `${room}.log`), '--json']);
  assert.equal(r.code, 0, `replay --json: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

async function startOn(ctx) {
  return startServer({ args: ['--data', ctx.data, '--sync', ctx.sync] });
}

/**
 * SIGKILLs the server (by its PID), starts a new one on the same data
 * directory, and checks what the brief promises: every event any client
 * saw is in the log (same seq, same kind, same time), the log's seq has no
 * gap, every person's token re-attaches to the same member with a View at
 * least as new as anything they saw, hands and one's own hidden vote as
 * their device knew them, and the next events follow without a gap.
 */
async function killAndRestart(ctx, label) {
  // What arrived on each socket counts as seen, read or not.
  for (const p of ctx.people) while (p.m.client.queue.length) await p.m.take();
  const seen = new Map();
  for (const p of ctx.people) for (const ev of p.events()) seen.set(ev.seq, ev);
  const maxSeen = Math.max(...ctx.people.map((p) => p.maxSeen()));
  const hands = new Map(ctx.people.map((p) => [p, p.hand()]));
  const votes = new Map(ctx.people.map((p) => [p, p.myVote()]));

  const t0 = Date.now();
  ctx.server.proc.kill('SIGKILL');
  const gone = await ctx.server.exited;
  assert.equal(gone.signal, 'SIGKILL');
  await rm(ctx.server.root, { recursive: true, force: true });
  for (const p of ctx.people) await p.m.client.closed;
  ctx.server = await startOn(ctx);
  const took = Date.now() - t0;
  assert.ok(took < RESTART_MAX_MS, `${label}: kill and restart took ${took} ms`);

  // Every event any client saw is in the log, in its place.
  const log = await logEvents(ctx.data, ctx.room);
  assert.deepEqual(log.map((e) => e.seq), log.map((_, i) => i + 1), `${label}: the log's seq has a gap`);
  assert.ok(log.length >= maxSeen, `${label}: the log ends at ${log.length}, a client saw ${maxSeen}`);
  for (const [seq, ev] of seen) {
    assert.equal(log[seq - 1].e, ev.e, `${label}: event ${seq}`);
    assert.equal(log[seq - 1].at, ev.at, `${label}: event ${seq}'s time`);
    if ('card' in ev) assert.equal(log[seq - 1].card, ev.card);
    if ('player' in ev) assert.equal(log[seq - 1].player, ev.player);
    if (ev.e === 'voted' && 'value' in ev) assert.equal(log[seq - 1].value, ev.value, `${label}: a vote's value`);
  }

  // Tokens re-attach; the state agrees with what each device knew. Those
  // who have not voted come back first: a resume is a presence change, and
  // auto-reveal would reveal once every online voter has voted.
  const order = [...ctx.people].sort((a, b) => (votes.get(a) !== undefined) - (votes.get(b) !== undefined));
  for (const p of order) {
    const m = await Member.connect(ctx.server, ctx.room);
    const w = await m.must({ t: 'resume', room: ctx.room, token: p.token });
    assert.equal(w.you.player, p.id, `${label}: ${p.name}'s token re-attaches to the same member`);
    assert.ok(w.state.seq >= maxSeen, `${label}: ${p.name}'s View at ${w.state.seq}, a client saw ${maxSeen}`);
    assert.deepEqual([...w.state.hand].sort(), hands.get(p), `${label}: ${p.name}'s hand`);
    if (votes.get(p) !== undefined) {
      assert.ok(w.state.table, `${label}: the card is still on the table`);
      assert.equal(w.state.table.my_vote, votes.get(p), `${label}: ${p.name}'s own hidden vote`);
    }
    p.attach(m);
  }
  // The next events follow each View without a gap.
  const fac = ctx.people[0];
  await fac.m.must({ t: 'lock', locked: true });
  await fac.m.must({ t: 'lock', locked: false });
  for (const p of ctx.people) {
    await p.m.until(fac.m.lastSeq());
    const seqs = [p.m.view.seq, ...p.m.events.map((e) => e.seq)];
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, `${label}: ${p.name} saw a gap`);
  }
}

async function killScenario(sync) {
  const ctx = {
    sync,
    data: await mkdtemp(path.join(os.tmpdir(), `verrijk-kill-${sync}-`)),
    room: roomCode(),
    people: ['Fien', 'Anna', 'Bram', 'Chris'].map((n) => new Person(n)),
  };
  ctx.server = await startOn(ctx);
  try {
    const [fac, anna, bram, chris] = ctx.people;
    const m0 = await Member.connect(ctx.server, ctx.room);
    await m0.must({ t: 'create', room: ctx.room, name: 'Fien', title: 'Kill', deck: DECK, lang: 'nl', tz_offset: 60,
      opts: { hand: 2 } });
    fac.attach(m0);
    for (const p of [anna, bram, chris]) {
      const m = await Member.connect(ctx.server, ctx.room);
      await m.must({ t: 'join', room: ctx.room, name: p.name, role: 'player' });
      p.attach(m);
    }
    await fac.m.must({ t: 'start' });
    for (const p of [anna, bram, chris]) await p.m.until(fac.m.lastSeq());

    // 1. After votes, before the reveal: the votes stay hidden and intact.
    const card1 = anna.hand()[0];
    await anna.m.must({ t: 'play', card: card1 });
    await anna.m.must({ t: 'vote', value: 4 });
    await bram.m.must({ t: 'vote', value: 2 });
    await killAndRestart(ctx, 'after two votes, before the reveal');
    // The last vote completes it: the reveal holds the votes cast before the kill.
    await chris.m.must({ t: 'vote', value: 5 });
    await fac.m.until(chris.m.lastSeq());
    const rev = fac.m.seen('revealed').at(-1);
    assert.ok(rev, 'auto-reveal after the restart');
    assert.deepEqual(rev.votes, [[anna.id, 4], [bram.id, 2], [chris.id, 5]], 'votes cast before the kill count');

    // 2. Right after a reveal.
    await fac.m.must({ t: 'next' });
    await bram.m.until(fac.m.lastSeq());
    const card2 = bram.hand()[0];
    await bram.m.must({ t: 'play', card: card2 });
    await anna.m.must({ t: 'vote', value: 1 });
    await bram.m.must({ t: 'vote', value: 1 });
    await chris.m.must({ t: 'vote', value: null });
    await fac.m.until(chris.m.lastSeq());
    assert.equal(fac.m.seen('revealed').at(-1).card, card2, 'revealed before the kill');
    await killAndRestart(ctx, 'right after a reveal');
    const v = fac.m.view;
    assert.equal(v.table.card, card2);
    assert.equal(v.table.stage, 'revealed');
    assert.deepEqual(v.table.revealed.votes, [[anna.id, 1], [bram.id, 1], [chris.id, null]]);

    // 3. Mid-note: the note is in flight when the server dies. Whatever a
    // client saw of it is in the log (killAndRestart checks), and the
    // note is there at most once.
    chris.m.client.send({ t: 'note', text: 'Halverwege een notitie', id: 999 });
    await killAndRestart(ctx, 'mid-note');
    const notes = fac.m.view.history.length ? fac.m.view.history.flatMap((h) => h.notes) : [];
    const onTable = (await logEvents(ctx.data, ctx.room)).filter((e) => e.e === 'noted');
    assert.ok(onTable.length <= 1, 'the note is logged at most once');
    assert.ok(notes.length <= 1);

    // 4. Mid-burst: several intents in flight from several devices at once.
    await fac.m.must({ t: 'next' });
    await chris.m.until(fac.m.lastSeq());
    const card3 = chris.hand()[0];
    await chris.m.must({ t: 'play', card: card3 });
    anna.m.client.send({ t: 'vote', value: 3, id: 100 });
    bram.m.client.send({ t: 'note', text: 'In de lucht', id: 101 });
    chris.m.client.send({ t: 'vote', value: 2, id: 102 });
    await anna.m.take(); // at least one event came back before the kill
    await killAndRestart(ctx, 'mid-burst');

    // The game goes on to the end after all that.
    await fac.m.must({ t: 'close', text: 'Na vier keer kill -9.', actions: [] });
    await fac.m.until(fac.m.lastSeq());
    assert.equal(fac.m.seen('closed').length, 1);
    const verify = await runBinary(['replay', path.join(ctx.data, 'rooms', `${ctx.room}.log`), '--verify']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    for (const p of ctx.people) await p.m.close();
  } finally {
    await ctx.server.stop();
    await rm(ctx.data, { recursive: true, force: true });
  }
}

test('kill -9 mid-round with --sync batch loses nothing any client saw', async () => {
  await killScenario('batch');
});

test('kill -9 mid-round with --sync always loses nothing any client saw', async () => {
  await killScenario('always');
});
