// The round's options as create and start send them: only what filters, only what the deck offers, and "no filter" said out loud to start.
import { describe, expect, it } from 'vitest';
import { fitRoundOpts } from '../src/views/parts/roundopts';
import type { Deck } from '../src/state/types';

const t2 = { nl: 'x', en: 'x' };
const scale = { min: 1, max: 5, labels: { nl: ['1', '2', '3', '4', '5'], en: ['1', '2', '3', '4', '5'] } };
const v1: Deck = { id: 'a', version: 1, title: t2, scale, categories: [{ id: 'c1', title: t2, color: '#000' }, { id: 'c2', title: t2, color: '#000' }], cards: [] };
const v2: Deck = { ...v1, format: 2, audiences: [{ id: 'team', title: t2 }] };

describe('the round options sent at create and start', () => {
  it('leaves out empty filters, and the format 2 options for a format 1 deck (settings carried over from another set)', () => {
    const carried = { mode: 'deck' as const, categories: [], kinds: ['story' as const], audience: 'team', bookends: true };
    expect(fitRoundOpts(carried, v1)).toEqual({ mode: 'deck' });
    expect(fitRoundOpts(carried, v2)).toEqual({ mode: 'deck', kinds: ['story'], audience: 'team', bookends: true });
    expect(fitRoundOpts({ kinds: [], audience: '', bookends: false }, v2)).toEqual({});
  });

  it('drops an audience or a category the deck does not have', () => {
    expect(fitRoundOpts({ audience: 'ouders', categories: ['c2', 'weg'] }, v2)).toEqual({ categories: ['c2'] });
  });

  it('sends "no filter" to start when the room had one and the person emptied it (start changes only what it names)', () => {
    const current = { categories: ['c1'], kinds: ['story' as const], audience: 'team', bookends: true };
    expect(fitRoundOpts({ categories: [], kinds: [], audience: '', bookends: false }, v2, current))
      .toEqual({ categories: ['c1', 'c2'], kinds: [], audience: '', bookends: false });
    // Unchanged filters go as they are.
    expect(fitRoundOpts(current, v2, current)).toEqual(current);
  });

  it('keeps what it cannot check while the deck is loading', () => {
    expect(fitRoundOpts({ kinds: ['opener'], audience: 'team' }, null)).toEqual({ kinds: ['opener'], audience: 'team' });
  });
});
