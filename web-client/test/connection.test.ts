// The room connection against a fake socket: requests by id, resume with the token, reconnect and its limits.
import { describe, expect, it } from 'vitest';
import { decode, encode } from '@msgpack/msgpack';
import { BACKOFF_FIRST_MS, BACKOFF_MAX_MS, BACKOFF_STUCK_MAX_MS, FAILURES_BEFORE_NOTICE, RoomConnection, backoffMs, tokenKey, type ConnectionDeps, type SocketLike } from '../src/net/connection';
import { deckByHash, clearDeckMemory } from '../src/net/decks';

class FakeSocket implements SocketLike {
  binaryType = '';
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(public url: string) {}
  send(data: Uint8Array) { this.sent.push(decode(data) as Record<string, unknown>); }
  close() { this.readyState = 3; }
  serverOpen() { this.readyState = 1; this.onopen?.({}); }
  serverSend(...maps: object[]) {
    const parts = maps.map((m) => encode(m));
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    this.onmessage?.({ data: all.buffer });
  }
  serverClose(code: number) { this.readyState = 3; this.onclose?.({ code }); }
}

function setup(token?: string) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number; done: boolean }[] = [];
  const store = new Map<string, string>();
  if (token) store.set(tokenKey('ABC234'), token);
  const deps: ConnectionDeps = {
    openSocket: (url) => { const s = new FakeSocket(url); sockets.push(s); return s; },
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) },
    setTimer: (fn, ms) => { const t = { fn, ms, done: false }; timers.push(t); return t; },
    clearTimer: (t) => { (t as { done: boolean }).done = true; },
    random: () => 0.5,
  };
  const conn = new RoomConnection('ABC234', 'ws://x/ws?room=ABC234', deps);
  const fireRetry = () => {
    const t = timers.find((x) => !x.done && x.ms < 15_000);
    expect(t).toBeDefined();
    t!.done = true;
    t!.fn();
  };
  return { conn, sockets, store, timers, fireRetry };
}

const view = (seq: number) => ({
  room: 'ABC234', title: '', lang: 'nl', tz_offset: 0, opts: {}, deck: { id: 'd', version: 1, hash: 'h' },
  phase: 'lobby', locked: false, round: 0, players: [{ player: 1, name: 'Fee', role: 'facilitator', seated: false,
    present: true, online: true, cards: 0, voted: false }], order: [], turn: null, table: null, hand: [], pile: 0,
  history: [], timer: null, summary: null, seq,
});

describe('RoomConnection', () => {
  it('answers a request with the ok that carries its id, in a frame with other maps', async () => {
    const { conn, sockets } = setup();
    conn.start();
    sockets[0].serverOpen();
    const p = conn.request({ t: 'lock', locked: true });
    expect(sockets[0].sent).toEqual([{ t: 'lock', locked: true, id: 1 }]);
    sockets[0].serverSend({ t: 'pong' }, { t: 'ok', id: 1 });
    await expect(p).resolves.toEqual({ t: 'ok', id: 1 });
  });

  it('rejects a request with the error code the server gave', async () => {
    const { conn, sockets } = setup();
    conn.start();
    sockets[0].serverOpen();
    const p = conn.request({ t: 'join', room: 'ABC234', name: 'Ana' });
    sockets[0].serverSend({ t: 'error', id: 1, code: 'name_taken', msg: 'taken' });
    await expect(p).rejects.toMatchObject({ code: 'name_taken' });
  });

  it('a welcome answers the join, stores the token and sets the View', async () => {
    const { conn, sockets, store } = setup();
    conn.start();
    sockets[0].serverOpen();
    const p = conn.request({ t: 'join', room: 'ABC234', name: 'Ana' });
    sockets[0].serverSend({ t: 'welcome', id: 1, you: { player: 2, name: 'Ana', role: 'player' }, token: 'f'.repeat(32), state: view(3) });
    await p;
    expect(store.get(tokenKey('ABC234'))).toBe('f'.repeat(32));
    expect(conn.snapshot.view!.seq).toBe(3);
    expect(conn.snapshot.you!.player).toBe(2);
  });

  it('resumes with the stored token as soon as the socket opens', () => {
    const { conn, sockets } = setup('a'.repeat(32));
    conn.start();
    sockets[0].serverOpen();
    expect(sockets[0].sent).toEqual([{ t: 'resume', room: 'ABC234', token: 'a'.repeat(32), id: 1 }]);
  });

  it('applies the next event and skips one already seen', () => {
    const { conn, sockets } = setup('a'.repeat(32));
    conn.start();
    sockets[0].serverOpen();
    sockets[0].serverSend({ t: 'welcome', id: 1, you: { player: 1, name: 'Fee', role: 'facilitator' }, token: 'a'.repeat(32), state: view(3) },
      { t: 'ev', seq: 3, at: 0, e: 'locked', locked: true }, { t: 'ev', seq: 4, at: 0, e: 'locked', locked: true });
    expect(conn.snapshot.view!.seq).toBe(4);
    expect(conn.snapshot.view!.locked).toBe(true);
  });

  it('estimates the server clock from event times, never from the future', () => {
    const { conn, sockets } = setup('a'.repeat(32));
    conn.start();
    sockets[0].serverOpen();
    sockets[0].serverSend({ t: 'welcome', id: 1, you: { player: 1, name: 'Fee', role: 'facilitator' }, token: 'a'.repeat(32), state: view(3) });
    const ahead = Date.now() + 60_000; // a server clock a minute ahead of this device
    sockets[0].serverSend({ t: 'ev', seq: 4, at: ahead - 5_000, e: 'locked', locked: true }, { t: 'ev', seq: 5, at: ahead, e: 'locked', locked: false });
    expect(conn.snapshot.clockOffset).toBeGreaterThan(59_000);
    expect(conn.snapshot.clockOffset).toBeLessThanOrEqual(60_000);
  });

  it('resumes to learn the seated votes when facilitation is handed to me mid-card', () => {
    const { conn, sockets } = setup('a'.repeat(32));
    conn.start();
    sockets[0].serverOpen();
    const v = view(3);
    v.players.push({ player: 2, name: 'Ana', role: 'player', seated: false, present: true, online: true, cards: 0, voted: false });
    (v as Record<string, unknown>).table = { card: 'x', by: null, stage: 'discuss', notes: [] };
    sockets[0].serverSend({ t: 'welcome', id: 1, you: { player: 2, name: 'Ana', role: 'player' }, token: 'a'.repeat(32), state: v },
      { t: 'ev', seq: 4, at: 0, e: 'handed', from: 1, to: 2 });
    expect(conn.snapshot.you!.role).toBe('facilitator');
    expect(sockets[0].sent.filter((m) => m.t === 'resume').length).toBe(2);
  });

  it('a gap in seq sends resume on the same connection', () => {
    const { conn, sockets } = setup('a'.repeat(32));
    conn.start();
    sockets[0].serverOpen();
    sockets[0].serverSend({ t: 'welcome', id: 1, you: { player: 1, name: 'Fee', role: 'facilitator' }, token: 'a'.repeat(32), state: view(3) });
    sockets[0].serverSend({ t: 'ev', seq: 6, at: 0, e: 'locked', locked: true });
    expect(conn.snapshot.view!.seq).toBe(3);
    expect(sockets[0].sent.at(-1)).toMatchObject({ t: 'resume', token: 'a'.repeat(32) });
    expect(sockets.length).toBe(1);
  });

  it('reconnects after a drop with backoff and resumes', () => {
    const { conn, sockets, fireRetry } = setup('a'.repeat(32));
    conn.start();
    sockets[0].serverOpen();
    sockets[0].serverClose(1006);
    expect(conn.snapshot.state).toBe('reconnecting');
    fireRetry();
    expect(sockets.length).toBe(2);
    sockets[1].serverOpen();
    expect(conn.snapshot.state).toBe('open');
    expect(sockets[1].sent[0]).toMatchObject({ t: 'resume', token: 'a'.repeat(32) });
  });

  it('fails waiting requests when the connection drops', async () => {
    const { conn, sockets } = setup();
    conn.start();
    sockets[0].serverOpen();
    const p = conn.request({ t: 'reveal' });
    sockets[0].serverClose(1006);
    await expect(p).rejects.toMatchObject({ code: 'dropped' });
  });

  it('a socket closed for not joining in time (1008, no membership) is replaced at once, without a lost connection or a failure counted', () => {
    const { conn, sockets, timers } = setup();
    const states: string[] = [];
    conn.subscribe((s) => states.push(s.state));
    conn.start();
    sockets[0].serverOpen();
    sockets[0].serverClose(1008);
    expect(sockets.length).toBe(2);
    expect(timers.filter((t) => !t.done)).toHaveLength(0);
    expect(states).not.toContain('reconnecting');
    sockets[1].serverOpen();
    expect(conn.snapshot).toMatchObject({ state: 'open', attempts: 0 });
    // Closed again once open: replaced again; a socket that never opened is a failure as before.
    sockets[1].serverClose(1008);
    sockets[2].serverClose(1006);
    expect(conn.snapshot).toMatchObject({ state: 'reconnecting', attempts: 1 });
  });

  it('does not reconnect after 4001 (kicked) and forgets the token', () => {
    const { conn, sockets, timers, store } = setup('a'.repeat(32));
    conn.start();
    sockets[0].serverOpen();
    sockets[0].serverClose(4001);
    expect(conn.snapshot).toMatchObject({ state: 'ended', ended: 'kicked' });
    expect(timers.filter((t) => !t.done && t.ms < 15_000)).toEqual([]);
    expect(store.has(tokenKey('ABC234'))).toBe(false);
  });

  it('does not reconnect after 4002 (another device took over) and keeps the token', () => {
    const { conn, sockets, timers, store } = setup('a'.repeat(32));
    conn.start();
    sockets[0].serverOpen();
    sockets[0].serverClose(4002);
    expect(conn.snapshot).toMatchObject({ state: 'ended', ended: 'replaced' });
    expect(timers.filter((t) => !t.done && t.ms < 15_000)).toEqual([]);
    expect(store.has(tokenKey('ABC234'))).toBe(true);
  });

  it('forgets a token the server refuses', async () => {
    const { conn, sockets, store } = setup('a'.repeat(32));
    conn.start();
    sockets[0].serverOpen();
    sockets[0].serverSend({ t: 'error', id: 1, code: 'bad_token', msg: 'no' });
    await Promise.resolve();
    await Promise.resolve();
    expect(store.has(tokenKey('ABC234'))).toBe(false);
  });

  it('backoff grows from half a second to at most ten seconds, and to a minute once the failures are shown', () => {
    expect(backoffMs(0, () => 0.5)).toBe(BACKOFF_FIRST_MS);
    expect(backoffMs(1, () => 0.5)).toBe(2 * BACKOFF_FIRST_MS);
    expect(backoffMs(FAILURES_BEFORE_NOTICE - 2, () => 1)).toBeLessThanOrEqual(12_000);
    expect(backoffMs(30, () => 0.5)).toBe(BACKOFF_STUCK_MAX_MS);
    expect(backoffMs(30, () => 1)).toBeLessThanOrEqual(1.2 * BACKOFF_STUCK_MAX_MS);
  });

  it('a server that closes every resume before its welcome (1008) is retried with growing waits, not for ever at once', () => {
    const { conn, sockets, timers, store } = setup('a'.repeat(32));
    conn.start();
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const s = sockets[sockets.length - 1];
      s.serverOpen();
      expect(s.sent[0]).toMatchObject({ t: 'resume' });
      s.serverClose(1008);
      expect(conn.snapshot.state).toBe('reconnecting');
      expect(conn.snapshot.attempts).toBe(i + 1); // opening alone does not reset the count: only a welcome does
      const t = timers.find((x) => !x.done && x.ms >= BACKOFF_FIRST_MS / 2 && x.ms <= 2 * BACKOFF_STUCK_MAX_MS)!;
      waits.push(t.ms);
      t.done = true;
      t.fn();
    }
    expect(conn.snapshot.attempts).toBeGreaterThanOrEqual(FAILURES_BEFORE_NOTICE);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
    expect(waits.at(-1)).toBeGreaterThan(BACKOFF_MAX_MS);
    expect(store.has(tokenKey('ABC234'))).toBe(true); // the token is not at fault

    // The retry button: a new socket at once, the scheduled retry cancelled.
    const s = sockets[sockets.length - 1];
    s.serverOpen();
    s.serverClose(1008);
    const scheduled = timers.filter((x) => !x.done && x.ms >= BACKOFF_FIRST_MS / 2 && x.ms <= 2 * BACKOFF_STUCK_MAX_MS);
    expect(scheduled.length).toBe(1);
    const before = sockets.length;
    conn.retryNow();
    expect(sockets.length).toBe(before + 1);
    expect(scheduled[0].done).toBe(true);

    // A welcome at last: the count starts again.
    sockets[sockets.length - 1].serverOpen();
    sockets[sockets.length - 1].serverSend({ t: 'welcome', id: 1, you: { player: 2, name: 'Ann', role: 'player' }, token: 'a'.repeat(32), state: view(5) });
    expect(conn.snapshot).toMatchObject({ state: 'open', attempts: 0 });
  });
});

describe('deckByHash', () => {
  it('fetches a deck once and then serves it from the cache', async () => {
    clearDeckMemory();
    let calls = 0;
    const fetcher = (async (url: string) => {
      calls++;
      expect(url).toBe('/api/decks/0123456789abcdef');
      return new Response(JSON.stringify({ id: 'd', version: 1 }), { status: 200 });
    }) as unknown as typeof fetch;
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect((await deckByHash('0123456789abcdef', fetcher, storage)).id).toBe('d');
    expect((await deckByHash('0123456789abcdef', fetcher, storage)).id).toBe('d');
    clearDeckMemory();
    expect((await deckByHash('0123456789abcdef', fetcher, storage)).id).toBe('d');
    expect(calls).toBe(1);
  });
});
