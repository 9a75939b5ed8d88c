// The view reducer against every event of SPEC.md §5, in the forms each recipient receives.
import { describe, expect, it } from 'vitest';
import { agreementOf, apply, nextSeqProblem } from '../src/state/reducer';
import type { RoomEvent, Stats, View } from '../src/state/types';

const FAC = 1, ANA = 2, BO = 3, SEATED = 4, SCREEN = 5;

function run(events: Omit<RoomEvent, 'seq' | 'at'>[], me: number, start: View | null = null): View {
  let v = start;
  let seq = start ? start.seq : 0;
  for (const e of events) v = apply(v, { seq: ++seq, at: 1000 + seq, ...e } as RoomEvent, me);
  return v!;
}

const created = {
  e: 'created', room: 'ABC234', title: 'Teamdag', lang: 'nl', tz_offset: 60,
  opts: { mode: 'hands', hand: 2, anonymous: false, auto_reveal: true, facilitator_plays: false },
  deck: { id: 'vl', version: 1, hash: '0123456789abcdef' }, by: FAC,
};
const lobby = [
  created,
  { e: 'joined', player: FAC, name: 'Fee', role: 'facilitator', seated: false },
  { e: 'joined', player: ANA, name: 'Ana', role: 'player', seated: false },
  { e: 'joined', player: BO, name: 'Bo', role: 'player', seated: false },
];
const round = [
  { e: 'round', round: 1, order: [ANA, BO], pile: 10, opts: created.opts },
  { e: 'dealt', counts: [[ANA, 2], [BO, 2]], cards: ['a1', 'a2'] },
  { e: 'turn', player: ANA },
];
const stats = (votes: number[], pass = 0): Stats => {
  const hist = [0, 0, 0, 0, 0];
  for (const x of votes) hist[x - 1]++;
  const s = [...votes].sort((a, b) => a - b);
  const n = s.length;
  return {
    n, pass, hist,
    mean: n ? s.reduce((a, b) => a + b, 0) / n : null,
    median: n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : null,
    min: n ? s[0] : null, max: n ? s[n - 1] : null,
  };
};

describe('created and joined', () => {
  it('created starts a lobby View with the deck reference only', () => {
    const v = run([created], FAC);
    expect(v).toMatchObject({ room: 'ABC234', title: 'Teamdag', lang: 'nl', tz_offset: 60, phase: 'lobby',
      locked: false, round: 0, players: [], table: null, hand: [], pile: 0, timer: null, summary: null, seq: 1 });
    expect(v.deck).toEqual({ id: 'vl', version: 1, hash: '0123456789abcdef' });
  });
  it('a first event other than created is refused', () => {
    expect(() => apply(null, { seq: 1, at: 0, e: 'joined', player: 1 } as RoomEvent)).toThrow();
  });
  it('joined adds a present member; a seated one is not online', () => {
    const v = run([...lobby, { e: 'joined', player: SEATED, name: 'Cas', role: 'player', seated: true }], FAC);
    expect(v.players.map((p) => [p.player, p.role, p.present, p.online])).toEqual([
      [FAC, 'facilitator', true, true], [ANA, 'player', true, true], [BO, 'player', true, true], [SEATED, 'player', true, false],
    ]);
    expect(v.seq).toBe(5);
  });
  it('the input View is never changed', () => {
    const before = run(lobby, FAC);
    const copy = JSON.parse(JSON.stringify(before));
    apply(before, { seq: 5, at: 0, e: 'presence', player: ANA, online: false }, FAC);
    expect(before).toEqual(copy);
  });
});

describe('membership events', () => {
  it('presence sets online', () => {
    const v = run([...lobby, { e: 'presence', player: BO, online: false }], FAC);
    expect(v.players.find((p) => p.player === BO)!.online).toBe(false);
  });
  it('left keeps the member as not present and returns the hand to the pile; the order event that follows drops them', () => {
    const v = run([...lobby, ...round, { e: 'left', player: BO, why: 'kicked' }], ANA);
    const bo = v.players.find((p) => p.player === BO)!;
    expect(bo).toMatchObject({ present: false, online: false, cards: 0, name: 'Bo' });
    expect(v.pile).toBe(6 + 2);
    expect(v.order).toEqual([ANA, BO]);
    expect(run([{ e: 'order', order: [ANA] }], ANA, v).order).toEqual([ANA]);
  });
  it('left drops the leaver\'s unrevealed vote', () => {
    const v = run([...lobby, ...round, { e: 'played', player: ANA, card: 'a1' }, { e: 'voted', player: BO },
      { e: 'left', player: BO, why: 'left' }], ANA);
    expect(v.players.find((p) => p.player === BO)!.voted).toBe(false);
  });
  it('handed swaps the facilitator and the player', () => {
    const v = run([...lobby, { e: 'handed', from: FAC, to: ANA }], FAC);
    expect(v.players.find((p) => p.player === FAC)!.role).toBe('player');
    expect(v.players.find((p) => p.player === ANA)!.role).toBe('facilitator');
  });
  it('locked sets and clears the lock', () => {
    expect(run([...lobby, { e: 'locked', locked: true }], FAC).locked).toBe(true);
    expect(run([...lobby, { e: 'locked', locked: true }, { e: 'locked', locked: false }], FAC).locked).toBe(false);
  });
});

describe('a round', () => {
  it('round opens play with the order, pile and options', () => {
    const v = run([...lobby, round[0]], ANA);
    expect(v).toMatchObject({ phase: 'playing', round: 1, order: [ANA, BO], pile: 10, table: null, hand: [], history: [] });
  });
  it('dealt as a member sees it: counts for all, cards for me only', () => {
    const v = run([...lobby, round[0], round[1]], ANA);
    expect(v.hand).toEqual(['a1', 'a2']);
    expect(v.players.filter((p) => p.role === 'player').map((p) => p.cards)).toEqual([2, 2]);
    expect(v.pile).toBe(6);
  });
  it('dealt without cards (someone else\'s deal) leaves my hand alone', () => {
    const v = run([...lobby, round[0], round[1], { e: 'dealt', counts: [[BO, 1]] }], ANA);
    expect(v.hand).toEqual(['a1', 'a2']);
    expect(v.players.find((p) => p.player === BO)!.cards).toBe(3);
    expect(v.pile).toBe(5);
  });
  it('dealt in the replay form (whole hands) counts the cards', () => {
    const v = run([...lobby, round[0], { e: 'dealt', hands: [[ANA, ['a1', 'a2']], [BO, ['b1', 'b2']]] }], 0);
    expect(v.players.filter((p) => p.role === 'player').map((p) => p.cards)).toEqual([2, 2]);
    expect(v.hand).toEqual([]);
  });
  it('order and turn are taken as given; turn may be nil', () => {
    const v = run([...lobby, ...round, { e: 'order', order: [BO, ANA] }], ANA);
    expect(v.order).toEqual([BO, ANA]);
    expect(v.turn).toBe(ANA);
    expect(run([...lobby, ...round, { e: 'turn', player: null }], ANA).turn).toBeNull();
  });
  it('played moves my card from my hand to the table', () => {
    const v = run([...lobby, ...round, { e: 'played', player: ANA, card: 'a1' }], ANA);
    expect(v.hand).toEqual(['a2']);
    expect(v.table).toMatchObject({ card: 'a1', by: ANA, stage: 'discuss' });
    expect(v.table!.my_vote).toBeUndefined();
    expect(v.players.find((p) => p.player === ANA)!.cards).toBe(1);
  });
  it('played by someone else leaves my hand alone', () => {
    const v = run([...lobby, round[0], { e: 'dealt', counts: [[ANA, 2], [BO, 2]], cards: ['b1', 'b2'] }, round[2],
      { e: 'played', player: ANA, card: 'a1' }], BO);
    expect(v.hand).toEqual(['b1', 'b2']);
    expect(v.players.find((p) => p.player === ANA)!.cards).toBe(1);
  });
  it('played from the pile (player nil) takes one from the pile', () => {
    const v = run([...lobby, { e: 'round', round: 1, order: [], pile: 10, opts: { mode: 'deck' } },
      { e: 'played', player: null, card: 'x' }], FAC);
    expect(v.table).toMatchObject({ card: 'x', by: null });
    expect(v.pile).toBe(9);
  });
});

describe('votes', () => {
  const onTable = [...lobby, ...round, { e: 'played', player: ANA, card: 'a1' }];
  it('voted with a value is my own vote', () => {
    const v = run([...onTable, { e: 'voted', player: ANA, value: 4 }], ANA);
    expect(v.table!.my_vote).toBe(4);
    expect(v.players.find((p) => p.player === ANA)!.voted).toBe(true);
  });
  it('voted with nil is my pass', () => {
    const v = run([...onTable, { e: 'voted', player: ANA, value: null }], ANA);
    expect(v.table!.my_vote).toBeNull();
    expect('my_vote' in v.table!).toBe(true);
  });
  it('voted without value (someone else\'s) shows only that they voted', () => {
    const v = run([...onTable, { e: 'voted', player: BO }], ANA);
    expect(v.players.find((p) => p.player === BO)!.voted).toBe(true);
    expect('my_vote' in v.table!).toBe(false);
  });
  it('a seated player\'s vote seen by the facilitator is not the facilitator\'s own vote', () => {
    const v = run([...onTable, { e: 'voted', player: SEATED, value: 2 }], FAC);
    expect('my_vote' in v.table!).toBe(false);
  });
  it('a changed vote replaces my vote', () => {
    const v = run([...onTable, { e: 'voted', player: ANA, value: 4 }, { e: 'voted', player: ANA, value: 2 }], ANA);
    expect(v.table!.my_vote).toBe(2);
  });
  it('revealed with votes shows who voted what', () => {
    const s = stats([4, 5]);
    const v = run([...onTable, { e: 'revealed', card: 'a1', votes: [[ANA, 4], [BO, 5]], stats: s }], ANA);
    expect(v.table).toMatchObject({ stage: 'revealed', revealed: { votes: [[ANA, 4], [BO, 5]], stats: s } });
  });
  it('revealed without votes (anonymous) shows the distribution only', () => {
    const s = stats([4, 5]);
    const v = run([...onTable, { e: 'revealed', card: 'a1', stats: s }], ANA);
    expect(v.table!.revealed).toEqual({ stats: s });
  });
  it('reopened clears the reveal, my vote and everyone\'s voted mark', () => {
    const v = run([...onTable, { e: 'voted', player: ANA, value: 4 }, { e: 'voted', player: BO },
      { e: 'revealed', card: 'a1', stats: stats([4, 5]) }, { e: 'reopened', card: 'a1' }], ANA);
    expect(v.table).toEqual({ card: 'a1', by: ANA, stage: 'discuss', notes: [] });
    expect(v.players.some((p) => p.voted)).toBe(false);
  });
});

describe('seated votes (facilitator only)', () => {
  const withSeated = [...lobby, { e: 'joined', player: SEATED, name: 'Cas', role: 'player', seated: true }, ...round];
  const onTable = [...withSeated, { e: 'played', player: ANA, card: 'a1' }];
  it('the facilitator\'s table keeps the values they cast for seated players, by id', () => {
    const v = run([...onTable, { e: 'voted', player: SEATED, value: 2 }, { e: 'voted', player: BO }, { e: 'voted', player: SEATED, value: null }], FAC);
    expect(v.table!.seated_votes).toEqual([[SEATED, null]]);
  });
  it('other members have no seated votes in their View', () => {
    expect('seated_votes' in run(onTable, ANA).table!).toBe(false);
  });
  it('a revote clears them; a handover moves them to the new facilitator\'s View', () => {
    const revealed = [...onTable, { e: 'voted', player: SEATED, value: 2 }, { e: 'revealed', card: 'a1', stats: stats([2]) }];
    expect(run([...revealed, { e: 'reopened', card: 'a1' }], FAC).table!.seated_votes).toEqual([]);
    expect('seated_votes' in run([...revealed, { e: 'handed', from: FAC, to: ANA }], FAC).table!).toBe(false);
    expect(run([...revealed, { e: 'handed', from: FAC, to: ANA }], ANA).table!.seated_votes).toEqual([]);
  });
});

describe('notes', () => {
  const onTable = [...lobby, ...round, { e: 'played', player: ANA, card: 'a1' }];
  it('noted adds a note to the table card', () => {
    const v = run([...onTable, { e: 'noted', note: 1, player: BO, card: 'a1', text: 'Goed punt' }], ANA);
    expect(v.table!.notes).toEqual([{ note: 1, player: BO, text: 'Goed punt' }]);
  });
  it('noted without text (the replay of a note hidden later) keeps the note without text', () => {
    const v = run([...onTable, { e: 'noted', note: 1, player: BO, card: 'a1' }], 0);
    expect(v.table!.notes).toEqual([{ note: 1, player: BO }]);
  });
  it('hidden drops the text and the author from the table and from the history', () => {
    const v = run([...onTable, { e: 'noted', note: 1, player: BO, card: 'a1', text: 'weg' },
      { e: 'noted', note: 2, player: ANA, card: 'a1', text: 'blijft' }, { e: 'hidden', note: 1 }], ANA);
    expect(v.table!.notes).toEqual([{ note: 1 }, { note: 2, player: ANA, text: 'blijft' }]);
    const later = run([{ e: 'revealed', card: 'a1', stats: stats([]) }, { e: 'done', card: 'a1' },
      { e: 'hidden', note: 2 }], ANA, v);
    expect(later.history[0].notes).toEqual([{ note: 1 }, { note: 2 }]);
  });
});

describe('finishing cards and rounds', () => {
  const onTable = [...lobby, ...round, { e: 'played', player: ANA, card: 'a1' }];
  it('done moves the revealed card with its notes into the history', () => {
    const s = stats([4, 5]);
    const v = run([...onTable, { e: 'noted', note: 1, player: BO, card: 'a1', text: 'x' }, { e: 'voted', player: BO },
      { e: 'revealed', card: 'a1', votes: [[ANA, 4], [BO, 5]], stats: s }, { e: 'done', card: 'a1' }, { e: 'turn', player: BO }], ANA);
    expect(v.table).toBeNull();
    expect(v.turn).toBe(BO);
    expect(v.history).toEqual([{ card: 'a1', by: ANA, stats: s, agreement: 'consensus', votes: [[ANA, 4], [BO, 5]],
      notes: [{ note: 1, player: BO, text: 'x' }] }]);
    expect(v.players.some((p) => p.voted)).toBe(false);
  });
  it('done after an anonymous reveal keeps no votes', () => {
    const v = run([...onTable, { e: 'revealed', card: 'a1', stats: stats([1, 5]) }, { e: 'done', card: 'a1' }], ANA);
    expect('votes' in v.history[0]).toBe(false);
    expect(v.history[0].agreement).toBe('polarised');
  });
  it('skipped changes nothing by itself (the turn event that follows moves the turn)', () => {
    const before = run([...lobby, ...round], ANA);
    const v = run([{ e: 'skipped', player: ANA }], ANA, before);
    expect({ ...v, seq: 0 }).toEqual({ ...before, seq: 0 });
  });
  it('timer sets and cancels the end time', () => {
    expect(run([...lobby, { e: 'timer', ends_at: 99000 }], FAC).timer).toBe(99000);
    expect(run([...lobby, { e: 'timer', ends_at: 99000 }, { e: 'timer', ends_at: null }], FAC).timer).toBeNull();
  });
  it('closed ends the round with the summary', () => {
    const summary = { round: 1, cards: [], categories: [], text: 'Dank', actions: ['Plan'], players: [ANA],
      started_at: 1, closed_at: 2, replay_key: 'k'.repeat(32) };
    const v = run([...lobby, ...round, { e: 'closed', round: 1, summary }], ANA);
    expect(v.phase).toBe('closed');
    expect(v.summary).toEqual(summary);
    expect(v.table).toBeNull();
    // Hands and the pile are out of play once the round is closed.
    expect(v).toMatchObject({ hand: [], pile: 0, turn: null });
    expect(v.players.every((p) => p.cards === 0)).toBe(true);
  });
  it('closed empties the history: the round\'s cards and notes are in the summary, once (as in the server\'s View)', () => {
    const summary = { round: 1, cards: [{ card: 'a1', by: ANA, stats: stats([4]), agreement: null, notes: [{ note: 1, player: BO, text: 'x' }] }],
      categories: [], text: '', actions: [], players: [ANA], started_at: 1, closed_at: 2, replay_key: 'k'.repeat(32) };
    const v = run([...onTable, { e: 'noted', note: 1, player: BO, card: 'a1', text: 'x' }, { e: 'done', card: 'a1' },
      { e: 'closed', round: 1, summary }], ANA);
    expect(v.history).toEqual([]);
    expect(v.summary!.cards[0].notes).toEqual([{ note: 1, player: BO, text: 'x' }]);
  });
  it('hidden also drops a note\'s text and author from the last summary', () => {
    const summary = { round: 1, cards: [{ card: 'a1', by: ANA, stats: stats([3]), agreement: null,
      notes: [{ note: 7, player: BO, text: 'geheim' }] }], categories: [], text: '', actions: [], players: [],
      started_at: 1, closed_at: 2, replay_key: 'k'.repeat(32) };
    const v = run([...lobby, { e: 'closed', round: 1, summary }, { e: 'hidden', note: 7 }], FAC);
    expect(v.summary!.cards[0].notes).toEqual([{ note: 7 }]);
  });
  it('a new round clears the table, hands and history but keeps the last summary', () => {
    const summary = { round: 1, cards: [], categories: [], text: '', actions: [], players: [], started_at: 1, closed_at: 2, replay_key: 'k' };
    const v = run([...lobby, ...round, { e: 'closed', round: 1, summary },
      { e: 'round', round: 2, order: [BO, ANA], pile: 8, opts: created.opts }], ANA);
    expect(v).toMatchObject({ phase: 'playing', round: 2, hand: [], history: [], table: null, summary });
    expect(v.players.every((p) => p.cards === 0)).toBe(true);
  });
  it('an unknown event only advances seq', () => {
    const before = run(lobby, FAC);
    const v = apply(before, { seq: 5, at: 0, e: 'future_thing', x: 1 }, FAC);
    expect(v).toEqual({ ...before, seq: 5 });
  });
});

describe('seq and agreement', () => {
  it('nextSeqProblem tells old events, gaps and the next one apart', () => {
    const v = run(lobby, FAC);
    expect(nextSeqProblem(v, { seq: 4 })).toBe('old');
    expect(nextSeqProblem(v, { seq: 5 })).toBeNull();
    expect(nextSeqProblem(v, { seq: 7 })).toBe('gap');
  });
  it('agreement: consensus within one step, polarised only with a quarter at each end (§5)', () => {
    expect(agreementOf(stats([3]))).toBeNull();
    expect(agreementOf(stats([3, 4]))).toBe('consensus');
    expect(agreementOf(stats([2, 4]))).toBe('mixed');
    expect(agreementOf(stats([2, 5]))).toBe('mixed');
    expect(agreementOf(stats([1, 5]))).toBe('polarised');
    expect(agreementOf(stats([1, 1, 3, 5, 5]))).toBe('polarised');
    // A wide range is not two camps; one outlier among many is not either.
    expect(agreementOf(stats([1, 2, 3, 4, 5]))).toBe('mixed');
    expect(agreementOf(stats([4, 4, 4, 4, 1]))).toBe('mixed');
    expect(agreementOf(stats([4, 4, 4, 4, 4, 4, 4, 4, 4, 1]))).toBe('consensus');
    expect(agreementOf(stats([]))).toBeNull();
});
});
