// draw.test.mjs - draw {card}: the facilitator puts a named card from the pile on the table (a printed card scanned at the table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { Member, DECK, roomCode } from './members.mjs';

test('draw with a card id puts that card from the pile on the table; a card not in the pile is no_card', async () => {
  const server = await startServer();
  const room = roomCode();
  const members = [];
  try {
    const fac = await Member.connect(server, room);
    members.push(fac);
    const w = await fac.must({ t: 'create', room, name: 'Fien', deck: DECK, opts: { mode: 'deck' } });
    const res = await fetch(`${server.url}/api/decks/${w.state.deck.hash}`);
    assert.equal(res.status, 200);
    const cards = (await res.json()).cards.map((c) => c.id);
    const p = await Member.connect(server, room);
    members.push(p);
    await p.must({ t: 'join', room, name: 'Anna' });

    // Same phase rules as a plain draw: no round yet.
    await fac.refused({ t: 'draw', card: cards[5] }, 'wrong_phase');
    await fac.must({ t: 'start' });
    await p.refused({ t: 'draw', card: cards[5] }, 'not_allowed');
    await fac.refused({ t: 'draw', card: 'geen-kaart' }, 'no_card');
    await fac.refused({ t: 'draw', card: '' }, 'bad_request');

    // The last card of the deck is (with the default deck's 46 cards) almost never the top of the pile; either way it is the one drawn.
    const want = cards[cards.length - 1];
    await fac.must({ t: 'draw', card: want });
    const played = fac.seen('played');
    assert.equal(played.length, 1);
    assert.equal(played[0].card, want);
    assert.equal(played[0].player, null);
    await p.until(fac.lastSeq());
    assert.equal(p.seen('played')[0].card, want, 'every member sees the named card on the table');
    await p.must({ t: 'vote', value: 4 });

    await fac.refused({ t: 'draw', card: cards[0] }, 'wrong_phase');
    await fac.must({ t: 'next' });
    // Played once, it has left the pile.
    await fac.refused({ t: 'draw', card: want }, 'no_card');
    // A plain draw still takes the top of the pile.
    await fac.must({ t: 'draw' });
    assert.notEqual(fac.seen('played')[1].card, want);
  } finally {
    for (const m of members) await m.close().catch(() => {});
    await server.stop();
  }
});
