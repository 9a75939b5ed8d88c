// The wire shapes of PROTOCOL.md §4–§7 as TypeScript types: the View, the summary, events and decks.

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
}

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
  player: number;
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
}

export interface Table {
  card: string;
  /** null: drawn from the pile. */
  by: number | null;
  stage: 'discuss' | 'revealed';
  /** Own vote: absent when none, null for a pass. */
  my_vote?: number | null;
  revealed?: { votes?: Vote[]; stats: Stats };
  /**
   * Notes on the table card as this client saw them arrive. PROTOCOL.md §6
   * has no notes on the table, so a fresh `welcome` cannot carry them; the
   * reducer keeps them from `noted` events until the card is done.
   */
  notes?: Note[];
  /**
   * For the facilitator only: the votes they cast for seated players
   * ([[player, value]…], ascending ids) — the `voted` events showed them the
   * values (an extension of §6, protocol/README.md).
   */
  seated_votes?: Vote[];
}

export interface HistoryEntry {
  card: string;
  by: number | null;
  stats: Stats;
  agreement: Agreement;
  votes?: Vote[];
  notes: Note[];
}

export interface SummaryCard {
  card: string;
  by: number | null;
  stats: Stats;
  agreement: Agreement;
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
  seq: number;
}

export interface You {
  player: number;
  name: string;
  role: Role;
}

/** One room event as a recipient sees it (§5); the fields depend on `e`. */
export interface RoomEvent {
  t?: 'ev';
  seq: number;
  at: number;
  e: string;
  [field: string]: unknown;
}

export interface Text2 { nl: string; en: string }

export interface Deck {
  id: string;
  version: number;
  title: Text2;
  scale: { min: number; max: number; labels: { nl: string[]; en: string[] } };
  categories: { id: string; title: Text2; color: string }[];
  cards: { id: string; category: string; title: Text2; prompt: Text2 }[];
}

/** An entry of GET /api/decks. */
export interface DeckListing {
  id: string;
  version: number;
  title: Text2;
  cards: number;
  categories: { id: string; title: Text2; color?: string }[] | string[];
}
