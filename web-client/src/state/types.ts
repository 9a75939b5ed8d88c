// The wire shapes of SPEC.md §3–§7 as TypeScript types: intents, server messages, events, the View, the summary and decks.

export type Role = 'facilitator' | 'player' | 'screen';
export type Phase = 'lobby' | 'playing' | 'closed';
export type Lang = 'nl' | 'en';
export type Agreement = 'consensus' | 'mixed' | 'polarised' | null;

/** Round options (§3). In a View they are complete; in a request every field is optional. */
export interface Opts {
  mode?: 'hands' | 'deck';
  hand?: number;
  anonymous?: boolean;
  auto_reveal?: boolean;
  facilitator_plays?: boolean;
  categories?: string[];
  /** Format 2 decks (§3): only cards of these kinds; absent = every kind. */
  kinds?: CardKind[];
  /** Format 2 decks: only cards for this audience (and those for everyone); absent or "" = every card. */
  audience?: string;
  /** Openers first, closers last. */
  bookends?: boolean;
}

export type CardKind = 'opener' | 'topic' | 'story' | 'closer';

/** Stats over the non-pass votes; the four figures are null when n = 0. */
export interface Stats {
  n: number;
  pass: number;
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  hist: number[];
}

/** [player, value]; value null is a pass. */
export type Vote = [number, number | null];

export interface Note {
  note: number;
  /** Absent when the note was hidden: a hidden note names nobody (SPEC.md §5). */
  player?: number;
  card?: string;
  /** Absent when the note was hidden. */
  text?: string;
}

export interface Member {
  player: number;
  name: string;
  role: Role;
  seated: boolean;
  present: boolean;
  online: boolean;
  cards: number;
  voted: boolean;
  /** The window the member speaks from (§5.3); absent: none. */
  window?: string;
  /** While offline: since when (server ms, the `at` of the presence event that took them offline). */
  away?: number;
}

/** The figures of the votes from one window (§5.3): [window id, stats]; only the windows the anonymity rule shows. */
export type WindowFigures = [string, Stats];

export interface Table {
  card: string;
  /** null: drawn from the pile. */
  by: number | null;
  stage: 'discuss' | 'revealed';
  /** Own vote: absent when none, null for a pass. */
  my_vote?: number | null;
  revealed?: { votes?: Vote[]; stats: Stats; windows?: WindowFigures[] };
  /** The empty chair: the window the facilitator asks the group to answer this card from (§5.3). */
  chair?: string;
  /**
   * Notes on the table card: a fresh `welcome` carries them (SPEC.md §6.1,
   * item 11); the reducer adds those of `noted` events until the card is
   * done.
   */
  notes?: Note[];
  /**
   * For the facilitator only: the votes they cast for seated players
   * ([[player, value]…], ascending ids) — the `voted` events showed them the
   * values (an extension of §6, SPEC.md §6.1).
   */
  seated_votes?: Vote[];
}

export interface HistoryEntry {
  card: string;
  by: number | null;
  stats: Stats;
  agreement: Agreement;
  votes?: Vote[];
  windows?: WindowFigures[];
  notes: Note[];
}

export interface SummaryCard {
  card: string;
  by: number | null;
  stats: Stats;
  agreement: Agreement;
  windows?: WindowFigures[];
  notes: Note[];
}

export interface Summary {
  round: number;
  cards: SummaryCard[];
  categories: { category: string; cards: number; mean: number | null }[];
  text: string;
  actions: string[];
  /** Members who cast a counted non-pass vote (ids), or their number; absent for an anonymous round. */
  players?: number[] | number;
  started_at: number;
  closed_at: number;
  replay_key: string;
}

export interface DeckRef {
  id: string;
  version: number;
  hash: string;
}

export interface View {
  room: string;
  title: string;
  lang: Lang;
  tz_offset: number;
  opts: Opts;
  deck: DeckRef;
  phase: Phase;
  locked: boolean;
  round: number;
  players: Member[];
  order: number[];
  turn: number | null;
  table: Table | null;
  hand: string[];
  pile: number;
  /** The finished cards of the round being played; [] once it is closed (they are in `summary`). */
  history: HistoryEntry[];
  timer: number | null;
  summary: Summary | null;
  /** The closing summary's page on the big screen, from 0 (the facilitator turns it: `page`). */
  page: number;
  seq: number;
}

export interface You {
  player: number;
  name: string;
  role: Role;
}

/**
 * The fields of each room event kind (§5) as the server sends them to a
 * recipient (server/game/filter.c filters them) and in the public replay log.
 * One entry per kind: the union below follows from this map, and the
 * switches over it (the reducer's, one function per kind, and the replay's
 * story) are exhaustive: a kind added here without its case does not compile.
 */
export interface EventFields {
  created: { room: string; title: string; lang: Lang; tz_offset: number; opts: Opts; deck: DeckRef; by: number };
  joined: { player: number; name: string; role: Role; seated: boolean };
  presence: { player: number; online: boolean };
  left: { player: number; why: 'kicked' | 'left' };
  handed: { from: number; to: number };
  locked: { locked: boolean };
  round: { round: number; order: number[]; pile: number; opts: Opts };
  /**
   * Members get `counts` ([player, number of cards]…) and their own `cards`;
   * the replay log gets whole `hands` ([player, cards]…) instead.
   */
  dealt: { counts?: [number, number][]; cards?: string[]; hands?: [number, string[]][] };
  order: { order: number[] };
  /** null: nobody holds the turn. */
  turn: { player: number | null };
  /** player null: drawn from the pile. */
  played: { player: number | null; card: string };
  /** `value` only for the voter and, for a seated player, the facilitator; null is a pass. */
  voted: { player: number; value?: number | null };
  reopened: { card: string };
  /** `votes` is absent when the round is anonymous. */
  revealed: { card: string; votes?: Vote[]; stats: Stats; windows?: WindowFigures[] };
  /** `text` and `player` are absent in the replay when the note was ever hidden. */
  noted: { note: number; player?: number; card: string; text?: string };
  hidden: { note: number };
  done: { card: string };
  skipped: { player: number };
  /** null: no countdown. */
  timer: { ends_at: number | null };
  closed: { round: number; summary: Summary };
  /** `replay_key` only for the members who may hold it (SPEC.md §5.2). */
  rekeyed: { replay_key?: string };
  /** A member's window (null: none), or with player null the empty chair of the table card. */
  windowed: { player: number | null; window: string | null };
  paged: { page: number };
}

export type EventKind = keyof EventFields;

/** The envelope of every event: `seq` counts the room's events from 1, `at` is server time in ms. */
export interface EventHead {
  t?: 'ev';
  seq: number;
  at: number;
}

/** One room event of kind K. */
export type EventOf<K extends EventKind> = EventHead & { e: K } & EventFields[K];

/** One room event as a recipient sees it (§5): a union discriminated by `e`. */
export type RoomEvent = { [K in EventKind]: EventOf<K> }[EventKind];

/** Server → client messages (§4), discriminated by `t`. */
export interface Welcome {
  t: 'welcome';
  id?: number;
  you: You;
  token: string;
  /** The server's hold on the auto-reveal for a phone asleep, in seconds (`--away-hold-seconds`, SPEC.md §3, §4). */
  away_hold: number;
  state: View;
}
export type EvMessage = RoomEvent & { t: 'ev' };
export interface Ok {
  t: 'ok';
  id: number;
}
export interface ErrorMessage {
  t: 'error';
  id?: number;
  code: string;
  msg: string;
}
export interface Pong {
  t: 'pong';
  id?: number;
}
export type ServerMessage = Welcome | EvMessage | Ok | ErrorMessage | Pong;

/** Client → server intents (§3), discriminated by `t`; a request adds its `id`. */
export type Intent =
  | { t: 'window'; window: string; for?: number; chair?: boolean }
  | { t: 'create'; room: string; name: string; title: string; deck: string; lang: Lang; tz_offset: number; opts: Opts }
  | { t: 'join'; room: string; name: string; role: 'player' | 'screen' }
  | { t: 'resume'; room: string; token: string }
  | { t: 'start'; opts?: Opts }
  | { t: 'play'; card: string }
  | { t: 'draw'; card?: string }
  /** value null is a pass; `for` a seated player (the facilitator votes for them). */
  | { t: 'vote'; value: number | null; for?: number }
  | { t: 'revote' }
  | { t: 'reveal' }
  | { t: 'note'; text: string }
  | { t: 'hide'; note: number }
  | { t: 'next' }
  | { t: 'skip' }
  /** 0 cancels. */
  | { t: 'timer'; seconds: number }
  | { t: 'close'; text: string; actions: string[] }
  | { t: 'seat'; name: string }
  | { t: 'handover'; player: number }
  | { t: 'kick'; player: number }
  | { t: 'lock'; locked: boolean }
  | { t: 'leave' }
  | { t: 'purge' }
  | { t: 'ping' }
  /** The closing summary's page on the big screen. */
  | { t: 'page'; page: number };

/** An intent as it goes on the wire: with the id its answer carries. */
export type ClientMessage = Intent & { id?: number };

export interface Text2 { nl: string; en: string }

/** A deck as GET /api/decks/HASH serves it (§7); the optional fields exist only in format 2. */
export interface Deck {
  format?: 2;
  id: string;
  version: number;
  title: Text2;
  question?: Text2;
  scale: { min: number; max: number; labels: { nl: string[]; en: string[] } };
  audiences?: { id: string; title: Text2 }[];
  windows?: DeckWindow[];
  categories: { id: string; title: Text2; color: string; explainer?: Text2 }[];
  cards: DeckCard[];
}

export interface DeckWindow { id: string; title: Text2; color: string; explainer: Text2 }

export interface DeckCard {
  id: string;
  category: string;
  kind?: CardKind;
  audience?: string[];
  title: Text2;
  prompt: Text2;
  anchor?: { low: Text2; high: Text2 };
  /** For the facilitator's console only (§7: not secret, but never shown on phones or the screen). */
  followups?: Text2[];
}

/** An entry of GET /api/decks. */
export interface DeckListing {
  id: string;
  version: number;
  hash: string;
  /** A set people stored (POST /api/decks) that the operator lists: `create` names it by hash. */
  stored?: boolean;
  title: Text2;
  cards: number;
  categories: { id: string; title: Text2; color?: string }[] | string[];
}
