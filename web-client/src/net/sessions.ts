// "Mijn sessies": the sessions this device created or joined, remembered beside the tokens it already stores (connection.ts), for the home page.
import type { Lang, Opts, Phase, Role, View } from '../state/types';
import { tokenKey } from './connection';

/** What the home page shows of one session, as this device last saw it. */
export interface KnownSession {
  room: string;
  /** '' for a member's own page, 'screen' for a big screen tab (its own token). */
  slot: string;
  title: string;
  role: Role;
  name: string;
  /** When this device first joined it (ms): the session's date for the list. */
  first_seen: number;
  tz_offset: number;
  lang: Lang;
  deck: string;
  opts: Opts;
  phase: Phase;
  round: number;
  /** The replay key of the last closed round, when this device holds it: opens the read-only summary. */
  replay_key?: string;
}

const LIST_KEY = 'verrijk.sessions';
/** A device remembers at most this many sessions; the least recently seen are forgotten first. */
export const MAX_KNOWN = 30;

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & { readonly length: number; key(i: number): string | null };

function read(store: Store): KnownSession[] {
  try {
    const list = JSON.parse(store.getItem(LIST_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((s) => s && typeof s.room === 'string' && typeof s.slot === 'string') : [];
  } catch {
    return [];
  }
}

function slotKey(room: string, slot: string): string {
  return tokenKey(room) + (slot ? `:${slot}` : '');
}

/**
 * The sessions this device can go back to: those with a stored token, newest
 * first. A token stored before this list existed still shows, by its code.
 */
export function knownSessions(store: Store = localStorage): KnownSession[] {
  const list = read(store).filter((s) => store.getItem(slotKey(s.room, s.slot)) !== null);
  const seen = new Set(list.map((s) => `${s.room}:${s.slot}`));
  for (let i = 0; i < store.length; i++) {
    const k = store.key(i);
    const m = k && /^verrijk\.token\.([A-Z0-9]{6})(?::(\w+))?$/.exec(k);
    if (!m || seen.has(`${m[1]}:${m[2] ?? ''}`)) continue;
    list.push({ room: m[1], slot: m[2] ?? '', title: '', role: m[2] === 'screen' ? 'screen' : 'player', name: '', first_seen: 0,
      tz_offset: 0, lang: 'nl', deck: '', opts: {}, phase: 'lobby', round: 0 });
  }
  return list.sort((a, b) => b.first_seen - a.first_seen);
}

/** Records what this device sees of a session it is a member of (after each welcome and each change of phase). */
export function rememberSession(room: string, slot: string, view: View, you: { role: Role; name: string }, now: number, store: Store = localStorage): void {
  const list = read(store);
  const old = list.find((s) => s.room === room && s.slot === slot);
  const entry: KnownSession = {
    room, slot, title: view.title, role: you.role, name: you.name, first_seen: old?.first_seen || now, tz_offset: view.tz_offset,
    lang: view.lang, deck: view.deck.id, opts: view.opts, phase: view.phase, round: view.round,
  };
  const key = view.summary?.replay_key ?? old?.replay_key;
  if (key) entry.replay_key = key;
  const rest = list.filter((s) => s !== old);
  const next = [entry, ...rest].slice(0, MAX_KNOWN);
  try {
    store.setItem(LIST_KEY, JSON.stringify(next));
  } catch {
    // A full storage keeps the old list: the session itself still works.
  }
}

/** Forgets a session on this device: its entry and its tokens (the member stays in the room, offline). */
export function forgetSession(room: string, store: Store = localStorage): void {
  const keep = read(store).filter((s) => s.room !== room);
  store.setItem(LIST_KEY, JSON.stringify(keep));
  const tokens: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const k = store.key(i);
    if (k && (k === tokenKey(room) || k.startsWith(`${tokenKey(room)}:`))) tokens.push(k);
  }
  for (const k of tokens) store.removeItem(k);
}

/** The settings of a known session, for "a new session with the same settings". */
export function sessionSettings(room: string, store: Store = localStorage): Pick<KnownSession, 'title' | 'deck' | 'lang' | 'opts'> | null {
  const s = read(store).find((x) => x.room === room);
  return s ? { title: s.title, deck: s.deck, lang: s.lang, opts: s.opts } : null;
}
