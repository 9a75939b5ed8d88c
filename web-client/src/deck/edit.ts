// The card set editor's model: a deck as people edit it (stable keys, empty optional fields), to and from the deck JSON (SPEC.md §7, decks/README.md).
import type { Deck } from '../state/types';

export interface Text2 { nl: string; en: string }
export type CardKind = '' | 'opener' | 'topic' | 'story' | 'closer';
export const CARD_KINDS: CardKind[] = ['', 'opener', 'topic', 'story', 'closer'];

export interface EditCategory {
  /** Stable while editing (a card names its category by key); the id is made from the title on save. */
  key: string;
  id: string;
  title: Text2;
  color: string;
  explainer: Text2;
}

export interface EditCard {
  key: string;
  id: string;
  category: string; // an EditCategory key
  title: Text2;
  prompt: Text2;
  kind: CardKind;
  anchorLow: Text2;
  anchorHigh: Text2;
  followups: Text2[];
  /** Tags: the audiences (keys of EditDeck.audiences) a card is for; none = everyone. */
  audience: string[];
}

export interface EditAudience { key: string; id: string; title: Text2 }

export const AUDIENCES_MAX = 8;

export function newAudience(): EditAudience {
  return { key: newKey('a'), id: '', title: { nl: '', en: '' } };
}

export interface EditDeck {
  id: string;
  version: number;
  title: Text2;
  /** 'both': every text in Dutch and English; 'nl': Dutch only, copied into the English on save (the format needs both). */
  languages: 'both' | 'nl';
  question: Text2;
  scale: { min: number; max: number; labels: { nl: string[]; en: string[] } };
  audiences: EditAudience[];
  categories: EditCategory[];
  cards: EditCard[];
}

export const FOLLOWUPS_MAX = 4;
export const TEXT_MAX = 500;
export const CARDS_MAX = 500;
export const CATEGORIES_MAX = 32;
/** Colours dark enough for white text (contrast ≥ 4.5), offered to each new category in turn. */
export const PALETTE = ['#1f5f8b', '#2e7d32', '#6a1b9a', '#a4262c', '#8c4a00', '#00695c', '#ad1457', '#37474f'];

const empty = (): Text2 => ({ nl: '', en: '' });
let counter = 0;
export function newKey(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

export function newCategory(index: number): EditCategory {
  return { key: newKey('c'), id: '', title: empty(), color: PALETTE[index % PALETTE.length], explainer: empty() };
}

export function newCard(category: string): EditCard {
  return { key: newKey('k'), id: '', category, title: empty(), prompt: empty(), kind: '', anchorLow: empty(), anchorHigh: empty(), followups: [], audience: [] };
}

export function blankDeck(): EditDeck {
  const cat = newCategory(0);
  return {
    id: '', version: 1, title: empty(), languages: 'both', question: empty(),
    scale: { min: 1, max: 5, labels: { nl: ['Nauwelijks', 'Een beetje', 'Behoorlijk', 'Veel', 'Heel veel'], en: ['Hardly any', 'A little', 'A fair amount', 'A lot', 'A great deal'] } },
    audiences: [], categories: [cat], cards: [newCard(cat.key)],
  };
}

/** An id (a-z, 0-9, '-', 1..64) made from a title: accents dropped, everything else a dash. */
export function slug(s: string, fallback: string): string {
  const out = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
  return out || fallback;
}

/** Unique ids: a kept id where there is one, else one made from the Dutch title; a repeat gets -2, -3, … */
function ids<T extends { id: string; title: Text2 }>(items: T[], fallback: string): string[] {
  const seen = new Set<string>();
  return items.map((it, i) => {
    const base = it.id || slug(it.title.nl || it.title.en, `${fallback}-${i + 1}`);
    let id = base;
    for (let n = 2; seen.has(id); n++) id = `${base}-${n}`;
    seen.add(id);
    return id;
  });
}

const filled = (x: Text2) => x.nl.trim() !== '' || x.en.trim() !== '';

/**
 * The deck JSON the server stores: a v1 deck, with the v2 fields (question,
 * audiences, explainers, kind, anchor, follow-ups) only where something is
 * filled in, and then `"format": 2` first, so a set without them stays a v1
 * deck. With languages 'nl' the English of every text is the Dutch.
 */
export function toDeckJson(d: EditDeck): Record<string, unknown> {
  const text = (x: Text2) => ({ nl: x.nl, en: d.languages === 'nl' ? x.nl : x.en });
  const catIds = ids(d.categories, 'categorie');
  const cardIds = ids(d.cards, 'kaart');
  const catId = new Map(d.categories.map((c, i) => [c.key, catIds[i]]));
  const audIds = ids(d.audiences, 'doelgroep');
  const audId = new Map(d.audiences.map((a, i) => [a.key, audIds[i]]));
  let v2 = filled(d.question) || d.audiences.length > 0;
  const categories = d.categories.map((c, i) => {
    const o: Record<string, unknown> = { id: catIds[i], title: text(c.title), color: c.color.toLowerCase() };
    if (filled(c.explainer)) {
      o.explainer = text(c.explainer);
      v2 = true;
    }
    return o;
  });
  const cards = d.cards.map((c, i) => {
    const o: Record<string, unknown> = { id: cardIds[i], category: catId.get(c.category) ?? c.category };
    if (c.kind) {
      o.kind = c.kind;
      v2 = true;
    }
    const aud = c.audience.map((k) => audId.get(k)).filter((x): x is string => x !== undefined);
    if (aud.length) {
      o.audience = aud;
      v2 = true;
    }
    o.title = text(c.title);
    o.prompt = text(c.prompt);
    if (filled(c.anchorLow) || filled(c.anchorHigh)) {
      o.anchor = { low: text(c.anchorLow), high: text(c.anchorHigh) };
      v2 = true;
    }
    const f = c.followups.filter(filled);
    if (f.length) {
      o.followups = f.map(text);
      v2 = true;
    }
    return o;
  });
  const labels = { nl: d.scale.labels.nl, en: d.languages === 'nl' ? d.scale.labels.nl : d.scale.labels.en };
  const out: Record<string, unknown> = {};
  if (v2) out.format = 2;
  out.id = d.id || slug(d.title.nl || d.title.en, 'kaartenset');
  out.version = d.version;
  out.title = text(d.title);
  if (filled(d.question)) out.question = text(d.question);
  out.scale = { min: d.scale.min, max: d.scale.max, labels };
  if (d.audiences.length) out.audiences = d.audiences.map((a, i) => ({ id: audIds[i], title: text(a.title) }));
  out.categories = categories;
  out.cards = cards;
  return out;
}

/** The deck as the views show it (the preview uses the same card face as a session). */
export function toDeck(d: EditDeck): Deck {
  return toDeckJson(d) as unknown as Deck;
}

const t2 = (x: unknown): Text2 => {
  const o = (x ?? {}) as Partial<Text2>;
  return { nl: typeof o.nl === 'string' ? o.nl : '', en: typeof o.en === 'string' ? o.en : '' };
};

/** A deck JSON (v1 or v2, ours or a file) as the editor holds it; throws when it is not a deck at all. */
export function fromDeckJson(j: unknown): EditDeck {
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw new Error('not an object');
  const o = j as Record<string, any>;
  const categories: EditCategory[] = (Array.isArray(o.categories) ? o.categories : []).map((c: any, i: number) => ({
    key: newKey('c'), id: typeof c?.id === 'string' ? c.id : '', title: t2(c?.title),
    color: typeof c?.color === 'string' ? c.color : PALETTE[i % PALETTE.length], explainer: t2(c?.explainer),
  }));
  const keyOf = new Map(categories.map((c) => [c.id, c.key]));
  const audiences: EditAudience[] = (Array.isArray(o.audiences) ? o.audiences : []).map((a: any) => ({
    key: newKey('a'), id: typeof a?.id === 'string' ? a.id : '', title: t2(a?.title),
  }));
  const audKey = new Map(audiences.map((a) => [a.id, a.key]));
  const cards: EditCard[] = (Array.isArray(o.cards) ? o.cards : []).map((c: any) => ({
    key: newKey('k'), id: typeof c?.id === 'string' ? c.id : '', category: keyOf.get(c?.category) ?? categories[0]?.key ?? '',
    title: t2(c?.title), prompt: t2(c?.prompt), kind: CARD_KINDS.includes(c?.kind) ? c.kind : '',
    anchorLow: t2(c?.anchor?.low), anchorHigh: t2(c?.anchor?.high),
    followups: Array.isArray(c?.followups) ? c.followups.map(t2) : [],
    audience: Array.isArray(c?.audience) ? c.audience.map((a: unknown) => audKey.get(String(a))).filter((k: string | undefined): k is string => k !== undefined) : [],
  }));
  const scale = o.scale ?? {};
  const min = Number.isInteger(scale.min) ? scale.min : 1;
  const max = Number.isInteger(scale.max) ? scale.max : 5;
  const labels = (l: unknown) => (Array.isArray(l) ? l.map((x) => String(x)) : []);
  return {
    id: typeof o.id === 'string' ? o.id : '', version: Number.isInteger(o.version) ? o.version : 1,
    title: t2(o.title), languages: 'both', question: t2(o.question),
    scale: { min, max, labels: { nl: labels(scale.labels?.nl), en: labels(scale.labels?.en) } },
    audiences,
    categories, cards,
  };
}

/** A copy of a set to build on: a new id (its own set, not a new version of the original). */
export function copyOf(d: EditDeck): EditDeck {
  return { ...d, id: d.id ? `${d.id}-kopie`.slice(0, 64) : '', version: 1 };
}

/** Sets the scale's bounds, keeping the labels one per value. */
export function setScale(d: EditDeck, min: number, max: number): EditDeck {
  const n = Math.max(0, max - min + 1);
  const fit = (l: string[]) => Array.from({ length: n }, (_, i) => l[i] ?? '');
  return { ...d, scale: { min, max, labels: { nl: fit(d.scale.labels.nl), en: fit(d.scale.labels.en) } } };
}

/** Moves item i of a list by delta (−1 up, +1 down); the list unchanged at an end. */
export function move<T>(list: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (j < 0 || j >= list.length) return list;
  const out = list.slice();
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

/** Where a validation message of the server belongs: "cards[3].title.nl" → {list: 'cards', index: 3, rest: 'title.nl'}. */
export interface FieldRef { list: 'cards' | 'categories' | null; index: number; rest: string }
export function fieldRef(field: string): FieldRef {
  const m = /^(cards|categories)\[(\d+)\](?:\.(.*))?$/.exec(field);
  if (m) return { list: m[1] as 'cards' | 'categories', index: Number(m[2]), rest: m[3] ?? '' };
  return { list: null, index: -1, rest: field };
}
