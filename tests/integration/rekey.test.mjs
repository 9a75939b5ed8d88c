// rekey.test.mjs - a kick replaces the room's replay key: what the kicked member knew opens nothing that comes after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '@msgpack/msgpack';
import { startServer, REPLY_TIMEOUT_MS } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

/** Resolves with the close code, or fails after the bound. */
async function closedWith(member) {
  let timer;
  const bound = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('not closed in time')), REPLY_TIMEOUT_MS); });
  try {
    return (await Promise.race([member.client.closed, bound])).code;
  } finally {
    clearTimeout(timer);
  }
}

/** Everything a member's socket delivered, filed or still queued. */
function everything(member) {
  return [...member.events, ...member.client.queue];
}

async function setup(server, names) {
  const room = roomCode();
  const fac = await Member.connect(server, room);
  await fac.must({ t: 'create', room, name: 'Fien', title: 'Sleutel', deck: DECK, lang: 'nl', tz_offset: 0 });
  const players = [];
  for (const name of names) {
    const p = await Member.connect(server, room);
    await p.must({ t: 'join', room, name, role: 'player' });
    players.push(p);
  }
  return { room, fac, players };
}

test('a member kicked after round 1 cannot read round 2 with the replay key they had; the others get the new key', async () => {
  const server = await startServer();
  try {
    const { room, fac, players: [anna, bram] } = await setup(server, ['Anna', 'Bram']);
    const api = (what, key) => fetch(`${server.url}/api/rooms/${room}/${what}?key=${key}`);
    await fac.must({ t: 'start' });
    await fac.must({ t: 'close', text: 'ronde 1' });
    await anna.until(fac.lastSeq());
    const old = anna.seen('closed')[0].summary.replay_key;
    assert.match(old, /^[0-9a-f]{32}$/);
    assert.equal((await api('log', old)).status, 200, 'before the kick the key opens the replay');

    await fac.must({ t: 'start' });
    await fac.must({ t: 'kick', player: anna.you.player });
    assert.equal(await closedWith(anna), 4001);
    const rekeyed = fac.seen('rekeyed');
    assert.equal(rekeyed.length, 1, 'the kick replaces the key');
    const key = rekeyed[0].replay_key;
    assert.match(key, /^[0-9a-f]{32}$/);
    assert.notEqual(key, old);
    await bram.until(fac.lastSeq());
    assert.equal(bram.seen('rekeyed')[0].replay_key, key, 'a member still present learns the new key');
    assert.ok(!everything(anna).some((m) => m.e === 'rekeyed'), 'the kicked member never sees the new key');

    await fac.must({ t: 'close', text: 'ronde 2, zonder Anna' });
    assert.equal(fac.seen('closed').at(-1).summary.replay_key, key);

    // The old key opens nothing now: not the replay, not a summary, not round 1.
    for (const what of ['log', 'summary.json', 'summary.md', 'summary.csv']) {
      const res = await api(what, old);
      assert.equal(res.status, 404, `${what} with the old key`);
      assert.doesNotMatch(await res.text(), /ronde 2/);
    }
    assert.equal((await api('summary.json', `${old}&round=1`)).status, 404);

    // The new key opens all of it; the public replay says a key changed, not which.
    const res = await api('log', key);
    assert.equal(res.status, 200);
    const log = decode(new Uint8Array(await res.arrayBuffer()));
    const r = log.filter((e) => e.e === 'rekeyed');
    assert.equal(r.length, 1);
    assert.equal(r[0].replay_key, undefined);
    assert.equal(log.at(-1).summary.text, 'ronde 2, zonder Anna');
    await fac.close();
    await bram.close();
  } finally {
    await server.stop();
  }
});

test('a facilitator who hands over and is then kicked reads nothing more: neither with the old key nor with their token', async () => {
  const server = await startServer();
  try {
    const { room, fac, players: [anna] } = await setup(server, ['Anna']);
    const url = (what, key) => `${server.url}/api/rooms/${room}/${what}${key ? `?key=${key}` : ''}`;
    const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } });
    await fac.must({ t: 'start' });
    await fac.must({ t: 'close' });
    const old = fac.seen('closed')[0].summary.replay_key;
    const facToken = fac.token;
    assert.equal((await fetch(url('log'), bearer(facToken))).status, 200, 'the facilitator reads with their token');

    await fac.must({ t: 'handover', player: anna.you.player });
    await anna.until(fac.lastSeq());
    await anna.must({ t: 'kick', player: fac.you.player });
    assert.equal(await closedWith(fac), 4001);
    const key = anna.seen('rekeyed')[0]?.replay_key;
    assert.match(key ?? '', /^[0-9a-f]{32}$/, 'the new facilitator learns the new key');
    assert.notEqual(key, old);

    assert.equal((await fetch(url('log', old))).status, 404, 'the old key');
    assert.equal((await fetch(url('log'), bearer(facToken))).status, 404, 'the old facilitator\'s token');
    assert.equal((await fetch(url('log'), bearer(anna.token))).status, 200, 'the new facilitator\'s token');
    assert.equal((await fetch(url('log', key))).status, 200, 'the new key');
    await anna.close();
  } finally {
    await server.stop();
  }
});
