// The view reducer: applies one filtered room event (PROTOCOL.md §5) to the View (§6); pure, no I/O.
import type { Agreement, HistoryEntry, Member, Note, Opts, RoomEvent, Stats, Table, View, Vote } from './types';

/**
 * Applies `ev` to `view` and returns the new View; `view` is never changed.
 * `me` is this client's member id (0 for the replay, which is nobody): it
 * decides whether a `voted` value is my own vote and a `played` card left my
 * hand. `view` may be null only for the very first event, `created`.
 *
 * An event whose seq is not the next one is not applied here: the caller
 * checks `nextSeqProblem` first and resumes on a gap (§4). Unknown events are
 * ignored apart from their seq, so an older client survives a newer server.
 */
export function apply(view: View | null, ev: RoomEvent, me = 0): View {
  if (view === null) {
    if (ev.e !== 'created') throw new Error(`the first event must be created, not ${ev.e}`);
    return created(ev);
  }
  const v: View = { ...view, seq: ev.seq };
  const f = ev as Record<string, unknown>;
  switch (ev.e) {
    case 'created':
      return created(ev);
    case 'joined': {
      const seated = Boolean(f.seated);
      const m: Member = {
        player: num(f.player), name: String(f.name), role: f.role as Member['role'], seated,
        present: true, online: !seated, cards: 0, voted: false,
      };
      v.players = [...v.players.filter((p) => p.player !== m.player), m];
      return v;
    }
    case 'presence':
      v.players = patchMember(v.players, num(f.player), { online: Boolean(f.online) });
      return v;
    case 'left': {
      const who = num(f.player);
      const gone = v.players.find((p) => p.player === who);
      // The hand goes to the bottom of the pile; an unrevealed vote is dropped.
      v.pile += gone ? gone.cards : 0;
      v.players = patchMember(v.players, who, { present: false, online: false, cards: 0, voted: false });
      // The order is left alone: during a round an `order` event follows (as the server's own apply does it).
      if (who === me) v.hand = [];
      if (v.table && v.table.stage === 'discuss' && who === me) v.table = withoutMyVote(v.table);
      if (v.table?.seated_votes && v.table.stage === 'discuss') {
        v.table = { ...v.table, seated_votes: v.table.seated_votes.filter(([p]) => p !== who) };
      }
      return v;
    }
    case 'handed': {
      const from = num(f.from), to = num(f.to);
      v.players = patchMember(patchMember(v.players, from, { role: 'player' }), to, { role: 'facilitator' });
      // The seated votes belong to the facilitator's View. A new facilitator
      // did not see the values cast before (the connection resumes to learn them).
      if (v.table && from === me) {
        const t = { ...v.table };
        delete t.seated_votes;
        v.table = t;
      } else if (v.table && to === me) {
        v.table = { ...v.table, seated_votes: [] };
      }
      return v;
    }
    case 'locked':
      v.locked = Boolean(f.locked);
      return v;
    case 'round':
      v.phase = 'playing';
      v.round = num(f.round);
      v.order = nums(f.order);
      v.pile = num(f.pile);
      v.opts = (f.opts as Opts) ?? v.opts;
      v.table = null;
      v.turn = null;
      v.hand = [];
      v.history = [];
      v.players = v.players.map((p) => ({ ...p, cards: 0, voted: false }));
      return v;
    case 'dealt': {
      // Members get counts (+ their own cards); the replay gets whole hands.
      const counts: [number, number][] = Array.isArray(f.counts)
        ? (f.counts as [number, number][])
        : Array.isArray(f.hands)
          ? (f.hands as [number, string[]][]).map(([p, cs]) => [p, cs.length] as [number, number])
          : [];
      const byPlayer = new Map(counts);
      let total = 0;
      for (const n of byPlayer.values()) total += n;
      v.players = v.players.map((p) => (byPlayer.has(p.player) ? { ...p, cards: p.cards + byPlayer.get(p.player)! } : p));
      v.pile = Math.max(0, v.pile - total);
      if (Array.isArray(f.cards)) v.hand = [...v.hand, ...(f.cards as string[])];
      return v;
    }
    case 'order':
      v.order = nums(f.order);
      return v;
    case 'turn':
      v.turn = f.player === null || f.player === undefined ? null : num(f.player);
      return v;
    case 'played': {
      const by = f.player === null || f.player === undefined ? null : num(f.player);
      const card = String(f.card);
      v.table = { card, by, stage: 'discuss', notes: [] };
      if (isFacilitator(v, me)) v.table.seated_votes = [];
      if (by === null) v.pile = Math.max(0, v.pile - 1);
      else v.players = patchMember(v.players, by, { cards: Math.max(0, (member(v, by)?.cards ?? 1) - 1) });
      if (by !== null && by === me) v.hand = v.hand.filter((c) => c !== card);
      v.players = v.players.map((p) => (p.voted ? { ...p, voted: false } : p));
      return v;
    }
    case 'voted': {
      const who = num(f.player);
      v.players = patchMember(v.players, who, { voted: true });
      const value = (f.value as number | null) ?? null;
      if (v.table && who === me && 'value' in f) v.table = { ...v.table, my_vote: value };
      // A value for someone else reaches only the facilitator, for a seated player they voted for.
      if (v.table?.seated_votes && who !== me && 'value' in f) {
        const rest = v.table.seated_votes.filter(([p]) => p !== who);
        v.table = { ...v.table, seated_votes: [...rest, [who, value] as Vote].sort((a, b) => a[0] - b[0]) };
      }
      return v;
    }
    case 'reopened':
      if (v.table) {
        const t = withoutMyVote({ ...v.table, stage: 'discuss' });
        delete t.revealed;
        if (t.seated_votes) t.seated_votes = [];
        v.table = t;
      }
      v.players = v.players.map((p) => (p.voted ? { ...p, voted: false } : p));
      return v;
    case 'revealed': {
      if (!v.table) return v;
      const revealed: NonNullable<Table['revealed']> = { stats: f.stats as Stats };
      if (Array.isArray(f.votes)) revealed.votes = f.votes as Vote[];
      v.table = { ...v.table, stage: 'revealed', revealed };
      return v;
    }
    case 'noted': {
      const note: Note = { note: num(f.note), player: num(f.player) };
      if (typeof f.text === 'string') note.text = f.text;
      const card = typeof f.card === 'string' ? f.card : v.table?.card;
      if (v.table && card === v.table.card) v.table = { ...v.table, notes: [...(v.table.notes ?? []), note] };
      return v;
    }
    case 'hidden': {
      const id = num(f.note);
      const strip = (ns: Note[]) => ns.map((n) => (n.note === id ? withoutText(n) : n));
      if (v.table?.notes) v.table = { ...v.table, notes: strip(v.table.notes) };
      v.history = v.history.map((h) => (h.notes.some((n) => n.note === id) ? { ...h, notes: strip(h.notes) } : h));
      if (v.summary) {
        v.summary = {
          ...v.summary,
          cards: v.summary.cards.map((c) => (c.notes.some((n) => n.note === id) ? { ...c, notes: strip(c.notes) } : c)),
        };
      }
      return v;
    }
    case 'done': {
      const t = v.table;
      if (!t) return v;
      const stats = t.revealed?.stats ?? emptyStats(0);
      const entry: HistoryEntry = {
        card: t.card, by: t.by, stats, agreement: agreementOf(stats),
        notes: (t.notes ?? []).map(({ note, player, text }) => (text === undefined ? { note, player } : { note, player, text })),
      };
      if (t.revealed?.votes) entry.votes = t.revealed.votes;
      v.history = [...v.history, entry];
      v.table = null;
      v.players = v.players.map((p) => (p.voted ? { ...p, voted: false } : p));
      return v;
    }
    case 'skipped':
      return v;
    case 'timer':
      v.timer = f.ends_at === null || f.ends_at === undefined ? null : num(f.ends_at);
      return v;
    case 'closed':
      // What was still in hands and in the pile is out of play now.
      v.phase = 'closed';
      v.table = null;
      v.turn = null;
      v.hand = [];
      v.pile = 0;
      v.players = v.players.map((p) => (p.cards || p.voted ? { ...p, cards: 0, voted: false } : p));
      v.summary = (f.summary as View['summary']) ?? null;
      // The round's cards and notes now live in the summary; the server's View holds each note once.
      v.history = [];
      return v;
    case 'rekeyed':
      // A kick replaced the replay key; the summary's links use the new one
      // (only members who may hold it get it: otherwise nothing changes).
      if (typeof f.replay_key === 'string' && v.summary) v.summary = { ...v.summary, replay_key: f.replay_key };
      return v;
    default:
      return v;
  }
}

/**
 * Says whether `ev` can be applied to `view`: 'old' for an event already
 * seen (skip it), 'gap' when events are missing (resume), null when it is
 * the next one.
 */
export function nextSeqProblem(view: View | null, ev: { seq: number }): 'old' | 'gap' | null {
  if (view === null) return ev.seq === 1 ? null : 'gap';
  if (ev.seq <= view.seq) return 'old';
  if (ev.seq !== view.seq + 1) return 'gap';
  return null;
}

/**
 * Agreement on a card (§5): r = number of scale values − 1 (hist has one
 * count per scale value), spread = max − min of the votes.
 */
export function agreementOf(stats: Stats): Agreement {
  if (!stats || stats.n < 2 || stats.min === null || stats.max === null) return null;
  const r = stats.hist.length - 1;
  const spread = stats.max - stats.min;
  if (spread * 4 <= r) return 'consensus';
  if (spread * 4 >= 3 * r) return 'polarised';
  return 'mixed';
}

function isFacilitator(view: View, me: number): boolean {
  return me !== 0 && member(view, me)?.role === 'facilitator';
}

export function member(view: View, player: number | null | undefined): Member | undefined {
  if (player === null || player === undefined) return undefined;
  return view.players.find((p) => p.player === player);
}

function created(ev: RoomEvent): View {
  const f = ev as Record<string, unknown>;
  const deck = f.deck as { id: string; version: number; hash: string };
  return {
    room: String(f.room), title: String(f.title ?? ''), lang: f.lang === 'en' ? 'en' : 'nl',
    tz_offset: num(f.tz_offset ?? 0), opts: (f.opts as Opts) ?? {},
    deck: { id: deck.id, version: deck.version, hash: deck.hash },
    phase: 'lobby', locked: false, round: 0, players: [], order: [], turn: null, table: null,
    hand: [], pile: 0, history: [], timer: null, summary: null, seq: ev.seq,
  };
}

function patchMember(players: Member[], who: number, patch: Partial<Member>): Member[] {
  return players.map((p) => (p.player === who ? { ...p, ...patch } : p));
}

function withoutMyVote(t: Table): Table {
  const copy = { ...t };
  delete copy.my_vote;
  return copy;
}

function withoutText(n: Note): Note {
  const copy = { ...n };
  delete copy.text;
  return copy;
}

function emptyStats(values: number): Stats {
  return { n: 0, pass: 0, mean: null, median: null, min: null, max: null, hist: new Array(values).fill(0) };
}

function num(x: unknown): number {
  return typeof x === 'number' ? x : Number(x);
}

function nums(x: unknown): number[] {
  return Array.isArray(x) ? x.map(num) : [];
}
