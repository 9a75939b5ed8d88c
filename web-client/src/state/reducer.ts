// The view reducer: applies one filtered room event (SPEC.md §5) to the View (§6); pure, no I/O.
import type { Agreement, EventOf, HistoryEntry, Member, Note, RoomEvent, Stats, Table, View, Vote } from './types';

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
  // One case per kind of EventFields: a kind without its case does not compile (the `never` below).
  switch (ev.e) {
    case 'created': return created(ev);
    case 'joined': return applyJoined(v, ev);
    case 'presence': return applyPresence(v, ev);
    case 'left': return applyLeft(v, ev, me);
    case 'handed': return applyHanded(v, ev, me);
    case 'locked': return applyLocked(v, ev);
    case 'round': return applyRound(v, ev);
    case 'dealt': return applyDealt(v, ev);
    case 'order': return applyOrder(v, ev);
    case 'turn': return applyTurn(v, ev);
    case 'played': return applyPlayed(v, ev, me);
    case 'voted': return applyVoted(v, ev, me);
    case 'reopened': return applyReopened(v);
    case 'revealed': return applyRevealed(v, ev);
    case 'noted': return applyNoted(v, ev);
    case 'hidden': return applyHidden(v, ev);
    case 'done': return applyDone(v);
    // A skip changes nothing in the View by itself: the `turn` event that follows it moves the turn.
    case 'skipped': v.timer = null; return v; // a timer ends with its turn (§5.1)
    case 'timer': return applyTimer(v, ev);
    case 'closed': return applyClosed(v, ev);
    case 'rekeyed': return applyRekeyed(v, ev);
    case 'windowed': return applyWindowed(v, ev);
    case 'paged': return applyPaged(v, ev);
    default: {
      // Compile time: every kind has its case. Run time: a kind from a newer server only advances seq.
      const newer: never = ev;
      void newer;
      return v;
    }
  }
}

// One function per event kind. Each gets `v`, already a copy of the View with the event's seq, and may change its fields.

function applyJoined(v: View, ev: EventOf<'joined'>): View {
  const seated = Boolean(ev.seated);
  const m: Member = {
    player: ev.player, name: ev.name, role: ev.role, seated,
    present: true, online: !seated, cards: 0, voted: false,
  };
  v.players = [...v.players.filter((p) => p.player !== m.player), m];
  return v;
}

function applyPresence(v: View, ev: EventOf<'presence'>): View {
  const online = Boolean(ev.online);
  v.players = v.players.map((p) => {
    if (p.player !== ev.player || !p.present || p.seated) return p;
    const next: Member = { ...p, online };
    // Since when an offline member is gone (SPEC.md §6): the event's time.
    if (online) delete next.away;
    else next.away = ev.at;
    return next;
  });
  return v;
}

function applyLeft(v: View, ev: EventOf<'left'>, me: number): View {
  const who = ev.player;
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

function applyHanded(v: View, ev: EventOf<'handed'>, me: number): View {
  const { from, to } = ev;
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

function applyLocked(v: View, ev: EventOf<'locked'>): View {
  v.locked = Boolean(ev.locked);
  return v;
}

function applyRound(v: View, ev: EventOf<'round'>): View {
  v.phase = 'playing';
  v.round = ev.round;
  v.order = ev.order ?? [];
  v.pile = ev.pile;
  v.opts = ev.opts ?? v.opts;
  v.table = null;
  v.turn = null;
  v.hand = [];
  v.history = [];
  v.players = v.players.map((p) => ({ ...p, cards: 0, voted: false }));
  return v;
}

function applyDealt(v: View, ev: EventOf<'dealt'>): View {
  // Members get counts (+ their own cards); the replay gets whole hands.
  const counts: [number, number][] = Array.isArray(ev.counts)
    ? ev.counts
    : Array.isArray(ev.hands)
      ? ev.hands.map(([p, cs]) => [p, cs.length] as [number, number])
      : [];
  const byPlayer = new Map(counts);
  let total = 0;
  for (const n of byPlayer.values()) total += n;
  v.players = v.players.map((p) => (byPlayer.has(p.player) ? { ...p, cards: p.cards + byPlayer.get(p.player)! } : p));
  v.pile = Math.max(0, v.pile - total);
  if (Array.isArray(ev.cards)) v.hand = [...v.hand, ...ev.cards];
  return v;
}

function applyOrder(v: View, ev: EventOf<'order'>): View {
  v.order = ev.order ?? [];
  return v;
}

function applyTurn(v: View, ev: EventOf<'turn'>): View {
  v.turn = ev.player ?? null;
  return v;
}

function applyPlayed(v: View, ev: EventOf<'played'>, me: number): View {
  const by = ev.player ?? null;
  const card = ev.card;
  v.table = { card, by, stage: 'discuss', notes: [] };
  if (isFacilitator(v, me)) v.table.seated_votes = [];
  if (by === null) v.pile = Math.max(0, v.pile - 1);
  else v.players = patchMember(v.players, by, { cards: Math.max(0, (member(v, by)?.cards ?? 1) - 1) });
  if (by !== null && by === me) v.hand = v.hand.filter((c) => c !== card);
  v.players = v.players.map((p) => (p.voted ? { ...p, voted: false } : p));
  return v;
}

function applyVoted(v: View, ev: EventOf<'voted'>, me: number): View {
  const who = ev.player;
  v.players = patchMember(v.players, who, { voted: true });
  // The value is absent for those who may not see it, so presence of the key (not its value) decides.
  if (!('value' in ev)) return v;
  const value = ev.value ?? null;
  if (v.table && who === me) v.table = { ...v.table, my_vote: value };
  // A value for someone else reaches only the facilitator, for a seated player they voted for.
  if (v.table?.seated_votes && who !== me) {
    const rest = v.table.seated_votes.filter(([p]) => p !== who);
    v.table = { ...v.table, seated_votes: [...rest, [who, value] as Vote].sort((a, b) => a[0] - b[0]) };
  }
  return v;
}

function applyReopened(v: View): View {
  if (v.table) {
    const t = withoutMyVote({ ...v.table, stage: 'discuss' });
    delete t.revealed;
    if (t.seated_votes) t.seated_votes = [];
    v.table = t;
  }
  v.players = v.players.map((p) => (p.voted ? { ...p, voted: false } : p));
  return v;
}

function applyRevealed(v: View, ev: EventOf<'revealed'>): View {
  if (!v.table) return v;
  const revealed: NonNullable<Table['revealed']> = { stats: ev.stats };
  if (Array.isArray(ev.votes)) revealed.votes = ev.votes;
  if (Array.isArray(ev.windows)) revealed.windows = ev.windows;
  v.table = { ...v.table, stage: 'revealed', revealed };
  return v;
}

function applyNoted(v: View, ev: EventOf<'noted'>): View {
  const note: Note = { note: ev.note };
  if (typeof ev.player === 'number') note.player = ev.player;
  if (typeof ev.text === 'string') note.text = ev.text;
  const card = typeof ev.card === 'string' ? ev.card : v.table?.card;
  if (v.table && card === v.table.card) v.table = { ...v.table, notes: [...(v.table.notes ?? []), note] };
  return v;
}

function applyHidden(v: View, ev: EventOf<'hidden'>): View {
  const id = ev.note;
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

function applyDone(v: View): View {
  const t = v.table;
  if (!t) return v;
  const stats = t.revealed?.stats ?? emptyStats(0);
  const entry: HistoryEntry = {
    card: t.card, by: t.by, stats, agreement: agreementOf(stats),
    notes: (t.notes ?? []).map(({ note, player, text }) => (text === undefined ? { note, player } : { note, player, text })),
  };
  if (t.revealed?.votes) entry.votes = t.revealed.votes;
  if (t.revealed?.windows) entry.windows = t.revealed.windows;
  v.history = [...v.history, entry];
  v.table = null;
  v.timer = null; // a timer belongs to one card (§5.1)
  v.players = v.players.map((p) => (p.voted ? { ...p, voted: false } : p));
  return v;
}

function applyWindowed(v: View, ev: EventOf<'windowed'>): View {
  if (ev.player === null) {
    if (v.table) {
      const t = { ...v.table };
      if (ev.window) t.chair = ev.window;
      else delete t.chair;
      v.table = t;
    }
    return v;
  }
  v.players = v.players.map((p) => {
    if (p.player !== ev.player) return p;
    const m = { ...p };
    if (ev.window) m.window = ev.window;
    else delete m.window;
    return m;
  });
  return v;
}

function applyTimer(v: View, ev: EventOf<'timer'>): View {
  v.timer = ev.ends_at ?? null;
  return v;
}

function applyClosed(v: View, ev: EventOf<'closed'>): View {
  // What was still in hands and in the pile is out of play now.
  v.phase = 'closed';
  v.table = null;
  v.turn = null;
  v.hand = [];
  v.pile = 0;
  v.players = v.players.map((p) => (p.cards || p.voted ? { ...p, cards: 0, voted: false } : p));
  v.summary = ev.summary ?? null;
  // The round's cards and notes now live in the summary; the server's View holds each note once.
  v.history = [];
  // A new summary starts at its first page on the big screen.
  v.page = 0;
  v.timer = null; // a timer ends with the round (§5.1)
  return v;
}

function applyPaged(v: View, ev: EventOf<'paged'>): View {
  v.page = ev.page;
  return v;
}

function applyRekeyed(v: View, ev: EventOf<'rekeyed'>): View {
  // A kick replaced the replay key; the summary's links use the new one
  // (only members who may hold it get it: otherwise nothing changes).
  if (typeof ev.replay_key === 'string' && v.summary) v.summary = { ...v.summary, replay_key: ev.replay_key };
  return v;
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
 * Agreement on a card (§5), the game core's rule (server/game/stats.c) over
 * the histogram (one count per scale value, so r = hist.length − 1):
 * consensus when ≥ 90 % of the votes lie within r/4 + 1 neighbouring
 * values; polarised when ≥ 25 % lie at each end (less than r/4 from the
 * lowest resp. highest value); else mixed.
 */
export function agreementOf(stats: Stats): Agreement {
  if (!stats || stats.n < 2) return null;
  const hist = stats.hist;
  const r = hist.length - 1;
  const w = Math.floor(r / 4) + 1;
  let best = 0;
  for (let k = 0; k + w <= hist.length; k++) {
    let c = 0;
    for (let j = k; j < k + w; j++) c += hist[j];
    best = Math.max(best, c);
  }
  if (best * 10 >= stats.n * 9) return 'consensus';
  let low = 0;
  let high = 0;
  hist.forEach((c, k) => {
    if (k * 4 < r) low += c;
    if ((r - k) * 4 < r) high += c;
  });
  if (low * 4 >= stats.n && high * 4 >= stats.n) return 'polarised';
  return 'mixed';
}

function isFacilitator(view: View, me: number): boolean {
  return me !== 0 && member(view, me)?.role === 'facilitator';
}

export function member(view: View, player: number | null | undefined): Member | undefined {
  if (player === null || player === undefined) return undefined;
  return view.players.find((p) => p.player === player);
}

function created(ev: EventOf<'created'>): View {
  const deck = ev.deck;
  return {
    room: ev.room, title: ev.title ?? '', lang: ev.lang === 'en' ? 'en' : 'nl',
    tz_offset: ev.tz_offset ?? 0, opts: ev.opts ?? {},
    deck: { id: deck.id, version: deck.version, hash: deck.hash },
    phase: 'lobby', locked: false, round: 0, players: [], order: [], turn: null, table: null,
    hand: [], pile: 0, history: [], timer: null, summary: null, page: 0, seq: ev.seq,
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

/** A hidden note keeps only its id: neither text nor author, as the server's View (SPEC.md §6). */
function withoutText(n: Note): Note {
  const copy = { ...n };
  delete copy.text;
  delete copy.player;
  return copy;
}

function emptyStats(values: number): Stats {
  return { n: 0, pass: 0, mean: null, median: null, min: null, max: null, hist: new Array(values).fill(0) };
}
