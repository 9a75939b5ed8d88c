// The live room connections of this page, kept across route changes, and the hook that views use.
import { useEffect, useState } from 'preact/hooks';
import { RoomConnection, RequestError, browserDeps, roomSocketUrl, type Snapshot } from './connection';
import { randomRoomCode } from '../state/roomcode';
import { rememberSession } from './sessions';
import type { Lang, Opts } from '../state/types';

/** A page holds at most a few rooms at once (a facilitator tab and a screen tab are separate pages). */
const MAX_CONNECTIONS = 4;
/** How long a create waits for the socket before giving up. */
const OPEN_TIMEOUT_MS = 10_000;
/** How many fresh codes a create tries when the server says a code is taken. */
const CREATE_ATTEMPTS = 5;

const live = new Map<string, RoomConnection>();

/** The page's connection for `room` (and slot), started on first use. */
export function connectionFor(room: string, slot = ''): RoomConnection {
  const key = `${room}:${slot}`;
  let c = live.get(key);
  if (!c) {
    if (live.size >= MAX_CONNECTIONS) {
      const [oldKey, old] = live.entries().next().value!;
      old.stop();
      live.delete(oldKey);
    }
    c = new RoomConnection(room, roomSocketUrl(room), browserDeps(), slot);
    live.set(key, c);
    // "Mijn sessies": remember the session at each welcome and change of phase or round.
    let last = '';
    c.subscribe((snap) => {
      if (!snap.view || !snap.you) return;
      const mark = `${snap.view.phase}:${snap.view.round}:${snap.view.title}:${snap.you.role}:${snap.view.summary?.replay_key ?? ''}`;
      if (mark === last) return;
      last = mark;
      rememberSession(room, slot, snap.view, snap.you, Date.now());
    });
    c.start();
  }
  return c;
}

export function dropConnection(room: string, slot = ''): void {
  const key = `${room}:${slot}`;
  live.get(key)?.stop();
  live.delete(key);
}

/** Subscribes a view to a room's connection. */
export function useRoom(room: string, slot = ''): { conn: RoomConnection; snap: Snapshot } {
  const conn = connectionFor(room, slot);
  const [snap, setSnap] = useState<Snapshot>(conn.snapshot);
  useEffect(() => conn.subscribe(setSnap), [conn]);
  return { conn, snap };
}

export interface CreateParams {
  name: string;
  title: string;
  deck: string;
  lang: Lang;
  opts: Opts;
}

/**
 * Creates a room under a fresh random code, retrying with a new code when
 * the server says it is taken. Resolves to the code; the connection stays
 * open and already holds the facilitator's welcome.
 */
export async function createRoom(p: CreateParams): Promise<string> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
    const code = randomRoomCode();
    const conn = connectionFor(code);
    try {
      await conn.opened(OPEN_TIMEOUT_MS);
      await conn.request({
        t: 'create', room: code, name: p.name, title: p.title, deck: p.deck, lang: p.lang,
        tz_offset: -new Date().getTimezoneOffset(), opts: p.opts,
      });
      return code;
    } catch (e) {
      dropConnection(code);
      lastError = e;
      if (!(e instanceof RequestError) || e.code !== 'room_taken') throw e;
    }
  }
  throw lastError;
}
