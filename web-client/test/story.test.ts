// The replay as a story: chapters per card, steps in words, joins and presence folded away.
import { describe, expect, it } from 'vitest';
import { chapterOf, story } from '../src/views/story';
import type { RoomEvent, Stats } from '../src/state/types';

const stats = (votes: number[]): Stats => {
  const hist = [0, 0, 0, 0, 0];
  for (const v of votes) hist[v - 1]++;
  const mean = votes.length ? votes.reduce((a, b) => a + b, 0) / votes.length : null;
  return { n: votes.length, pass: 0, mean, median: mean, min: votes.length ? Math.min(...votes) : null, max: votes.length ? Math.max(...votes) : null, hist };
};

let seq = 0;
const ev = (e: Record<string, unknown>): RoomEvent => ({ seq: ++seq, at: seq * 1000, ...e }) as unknown as RoomEvent;

const log: RoomEvent[] = [
  ev({ e: 'created', room: 'K7M4QX', title: 'Studiedag', lang: 'nl', tz_offset: 60, opts: {}, deck: { id: 'd', version: 1, hash: 'h' }, by: 1 }),
  ev({ e: 'joined', player: 1, name: 'Fien', role: 'facilitator', seated: false }),
  ev({ e: 'joined', player: 2, name: 'Anna', role: 'player', seated: false }),
  ev({ e: 'joined', player: 3, name: 'Bram', role: 'player', seated: false }),
  ev({ e: 'presence', player: 3, online: false }),
  ev({ e: 'presence', player: 3, online: true }),
  ev({ e: 'round', round: 1, order: [2, 3], pile: 10, opts: {} }),
  ev({ e: 'dealt', hands: [[2, ['a']], [3, ['b']]] }),
  ev({ e: 'turn', player: 2 }),
  ev({ e: 'played', player: 2, card: 'a' }),
  ev({ e: 'voted', player: 2 }),
  ev({ e: 'voted', player: 3 }),
  ev({ e: 'revealed', card: 'a', stats: stats([1, 5]) }),
  ev({ e: 'noted', note: 1, player: 3, card: 'a', text: 'Goed punt (echt).' }),
  ev({ e: 'noted', note: 2, card: 'a' }),
  ev({ e: 'reopened', card: 'a' }),
  ev({ e: 'voted', player: 2 }),
  ev({ e: 'revealed', card: 'a', stats: stats([4, 5]) }),
  ev({ e: 'done', card: 'a' }),
  ev({ e: 'turn', player: 3 }),
  ev({ e: 'played', player: 3, card: 'b' }),
  ev({ e: 'revealed', card: 'b', stats: stats([3]) }),
  ev({ e: 'done', card: 'b' }),
  ev({ e: 'closed', round: 1, summary: { round: 1, cards: [{}, {}], categories: [], text: '', actions: [], started_at: 0, closed_at: 0, replay_key: 'k' } }),
];

describe('story', () => {
  const s = story(log);
  it('tells only what happened to the cards: joins, presence, votes and turns are folded away', () => {
    expect(s.steps.map((x) => x.kind)).toEqual(['created', 'round', 'played', 'revealed', 'noted', 'noted', 'reopened', 'revealed', 'played', 'revealed', 'closed']);
  });
  it('has one chapter per card between the opening and the close', () => {
    expect(s.chapters.map((c) => c.kind === 'card' ? `${c.kind}:${c.card}:${c.by}` : c.kind)).toEqual(['opening', 'card:a:2', 'card:b:3', 'closing']);
    expect(s.chapters.map((c) => c.first)).toEqual([0, 2, 8, 10]);
    expect(chapterOf(s.chapters, 5)).toBe(1);
    expect(chapterOf(s.chapters, 9)).toBe(2);
  });
  it('marks the second reveal of a card as a revote, with its agreement', () => {
    const reveals = s.steps.filter((x) => x.kind === 'revealed');
    expect(reveals.map((r) => r.kind === 'revealed' && [r.revote, r.agreement])).toEqual([[false, 'polarised'], [true, 'consensus'], [false, null]]);
  });
  it('keeps a hidden note without text and without author', () => {
    const notes = s.steps.filter((x) => x.kind === 'noted');
    expect(notes[0]).toMatchObject({ player: 3, text: 'Goed punt (echt).' });
    expect(notes[1]).toEqual({ kind: 'noted', i: 14 });
  });
});
