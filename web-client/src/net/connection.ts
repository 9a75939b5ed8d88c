// One room connection: the socket, requests with ids, resume with the stored token, reconnect with backoff.
import { decodeFrame, encodeMessage } from './codec';
import { apply, nextSeqProblem } from '../state/reducer';
import type { Intent, Ok, ServerMessage, View, Welcome, You } from '../state/types';

/**
 * connecting: first socket opening; open: socket up (member or not);
 * reconnecting: the socket dropped and a retry is scheduled or under way;
 * ended: the server ended this device's membership (4001 kicked/purged,
 * 4002 taken over by another device) — no automatic reconnect.
 */
export type ConnState = 'connecting' | 'open' | 'reconnecting' | 'ended';
export type EndReason = 'kicked' | 'replaced';

/** An `error` answer to a request, or a request that could not be answered. */
export class RequestError extends Error {
  constructor(public code: string, message: string) {
    super(message);
  }
}

export interface Snapshot {
  state: ConnState;
  ended?: EndReason;
  view: View | null;
  you: You | null;
  /**
   * Connections that ended before they did their job, since the last one
   * that did: with a stored token the job is a welcome (a socket that opens
   * and is closed again before it, e.g. 1008, counts as a failure); without
   * one, opening is enough. From FAILURES_BEFORE_NOTICE on, the page says
   * so and offers `retryNow`.
   */
  attempts: number;
  /**
   * Server clock minus this device's clock, in ms, estimated from the `at` of
   * events as they arrive (an event is never from the future, so the largest
   * `at − now` seen is the best lower bound). The timer counts with it.
   */
  clockOffset: number;
  /**
   * How long a phone asleep holds the auto-reveal on this server, in
   * seconds, from the last welcome (SPEC.md §4 `away_hold`); undefined
   * before one, or from a server that does not say.
   */
  awayHold?: number;
}

export interface SocketLike {
  binaryType: string;
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
}

export interface ConnectionDeps {
  /** Opens a socket to this URL with subprotocol verrijk.v1. */
  openSocket: (url: string) => SocketLike;
  /** Where tokens live; localStorage in the browser. */
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (t: unknown) => void;
  random: () => number;
}

/** Backoff between reconnect attempts: 0.5 s doubling to at most 10 s, with ±20 % jitter so a room's phones do not all return at once. */
export const BACKOFF_FIRST_MS = 500;
export const BACKOFF_MAX_MS = 10_000;
/** After this many failures in a row the page shows a message with a retry button instead of only a badge. */
export const FAILURES_BEFORE_NOTICE = 3;
/** ...and from then on the automatic retries wait up to a minute: a server that keeps refusing is not hammered by every phone in the room. */
export const BACKOFF_STUCK_MAX_MS = 60_000;
/** A request without an answer after this long fails with `timeout`. */
export const REQUEST_TIMEOUT_MS = 15_000;
/** At most this many requests wait for an answer at once. */
export const MAX_PENDING = 64;

const OPEN = 1;

export function tokenKey(room: string): string {
  return `verrijk.token.${room}`;
}

export function backoffMs(attempt: number, random: () => number): number {
  const max = attempt + 1 >= FAILURES_BEFORE_NOTICE ? BACKOFF_STUCK_MAX_MS : BACKOFF_MAX_MS;
  const base = Math.min(max, BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** What answers a request: `ok`, or `welcome` for create, join and resume. */
export type Answer = Ok | Welcome;

interface Pending {
  resolve: (m: Answer) => void;
  reject: (e: RequestError) => void;
  timer: unknown;
}

export class RoomConnection {
  private sock: SocketLike | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners = new Set<(s: Snapshot) => void>();
  private retryTimer: unknown = null;
  private stopped = false;
  private resuming = false;
  private snap: Snapshot = { state: 'connecting', view: null, you: null, attempts: 0, clockOffset: Number.NEGATIVE_INFINITY };

  private key: string;

  /**
   * `slot` separates memberships of one room on one device: a laptop may be
   * the facilitator and also show the big screen in another tab.
   */
  constructor(readonly room: string, private url: string, private deps: ConnectionDeps, slot = '') {
    this.key = tokenKey(room) + (slot ? `:${slot}` : '');
  }

  /** Opens the socket; resumes automatically when a token for this room is stored. */
  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Closes for good (leaving the page); nothing reconnects. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) this.deps.clearTimer(this.retryTimer);
    this.retryTimer = null;
    this.failPending('closed', 'the page closed the connection');
    this.sock?.close(1000);
    this.sock = null;
  }

  get snapshot(): Snapshot {
    return this.snap;
  }

  /** Reconnects at once (the retry button), keeping the count of failures so the backoff stays long if this fails too. */
  retryNow(): void {
    if (this.stopped || this.sock || this.snap.state === 'ended') return;
    if (this.retryTimer !== null) this.deps.clearTimer(this.retryTimer);
    this.retryTimer = null;
    this.emit({ state: 'connecting' });
    this.open();
  }

  hasToken(): boolean {
    return this.deps.storage.getItem(this.key) !== null;
  }

  /** Resolves once the socket is open (at once when it is), rejects after `ms`. */
  opened(ms: number): Promise<void> {
    if (this.snap.state === 'open') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = this.deps.setTimer(() => {
        off();
        reject(new RequestError('offline', 'could not connect'));
      }, ms);
      const off = this.subscribe((s) => {
        if (s.state !== 'open') return;
        this.deps.clearTimer(timer);
        queueMicrotask(() => off());
        resolve();
      });
    });
  }

  subscribe(fn: (s: Snapshot) => void): () => void {
    this.listeners.add(fn);
    fn(this.snap);
    return () => this.listeners.delete(fn);
  }

  /**
   * Sends one intent with a fresh id. Resolves with the `ok` or `welcome`
   * that answers it; rejects with a RequestError carrying the protocol's
   * error code (or `offline`, `timeout`, `closed`).
   */
  request(msg: Intent): Promise<Answer> {
    if (!this.sock || this.sock.readyState !== OPEN) {
      return Promise.reject(new RequestError('offline', 'not connected'));
    }
    if (this.pending.size >= MAX_PENDING) {
      return Promise.reject(new RequestError('rate_limited', 'too many requests waiting'));
    }
    const id = this.nextId++;
    const sock = this.sock;
    return new Promise((resolve, reject) => {
      const timer = this.deps.setTimer(() => {
        this.pending.delete(id);
        reject(new RequestError('timeout', 'no answer from the server'));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      sock.send(encodeMessage({ ...msg, id }));
    });
  }

  /** Forgets this device's membership of the room (after leaving, or a refused token). */
  forgetToken(): void {
    this.deps.storage.removeItem(this.key);
  }

  private emit(patch: Partial<Snapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const fn of this.listeners) fn(this.snap);
  }

  private open(): void {
    const sock = this.deps.openSocket(this.url);
    sock.binaryType = 'arraybuffer';
    this.sock = sock;
    let wasOpen = false;
    sock.onopen = () => {
      if (sock !== this.sock) return;
      wasOpen = true;
      // With a token the connection has done its job only at the welcome: a server that closes it before (1008) must not reset the count.
      if (this.hasToken()) {
        this.emit({ state: 'open' });
        void this.resume();
      } else {
        this.emit({ state: 'open', attempts: 0 });
      }
    };
    sock.onmessage = (ev) => {
      if (sock !== this.sock) return;
      const data = ev.data;
      if (!(data instanceof ArrayBuffer) && !(data instanceof Uint8Array)) return;
      let msgs: ServerMessage[];
      try {
        msgs = decodeFrame(data);
      } catch {
        return; // A broken frame is the server's bug; the next welcome repairs the View.
      }
      for (const m of msgs) this.receive(m);
    };
    sock.onerror = () => {};
    sock.onclose = (ev) => {
      if (sock !== this.sock) return;
      this.sock = null;
      this.resuming = false; // a resume in flight died with the socket
      this.failPending('dropped', 'the connection dropped before the answer');
      if (this.stopped) return;
      if (ev.code === 4001 || ev.code === 4002) {
        // The server ended this membership: a reconnect would only be refused or take the seat back from the other device.
        this.forgetTokenIfKicked(ev.code);
        this.emit({ state: 'ended', ended: ev.code === 4001 ? 'kicked' : 'replaced' });
        return;
      }
      if (wasOpen && ev.code === 1008 && !this.hasToken()) {
        // The server closes a socket that has not joined a room within its time (someone still on the join form): nothing was lost, so a new one at once, without a "connection lost".
        this.emit({ state: 'connecting' });
        this.open();
        return;
      }
      const attempts = this.snap.attempts + 1;
      this.emit({ state: 'reconnecting', attempts });
      this.retryTimer = this.deps.setTimer(() => {
        this.retryTimer = null;
        if (!this.stopped) this.open();
      }, backoffMs(attempts - 1, this.deps.random));
    };
  }

  private forgetTokenIfKicked(code: number): void {
    if (code === 4001) this.forgetToken();
  }

  /** Re-attaches this connection to the stored member; a refused token is forgotten. */
  async resume(): Promise<void> {
    const token = this.deps.storage.getItem(this.key);
    if (token === null || this.resuming) return;
    this.resuming = true;
    try {
      await this.request({ t: 'resume', room: this.room, token });
    } catch (e) {
      if (e instanceof RequestError && (e.code === 'bad_token' || e.code === 'no_room')) {
        this.forgetToken();
        // The server answered: the connection works, only the membership is gone.
        this.emit({ view: null, you: null, attempts: 0 });
      }
    } finally {
      this.resuming = false;
    }
  }

  private receive(m: ServerMessage): void {
    const id = 'id' in m && typeof m.id === 'number' ? m.id : undefined;
    switch (m.t) {
      case 'welcome': {
        this.resuming = false; // answered: a later gap or handover may resume again at once
        this.deps.storage.setItem(this.key, String(m.token));
        this.emit({ view: m.state, you: m.you, attempts: 0, awayHold: typeof m.away_hold === 'number' ? m.away_hold : undefined });
        this.settle(id, m, null);
        break;
      }
      case 'ev': {
        if (typeof m.at === 'number') {
          const sample = m.at - Date.now();
          if (sample > this.snap.clockOffset) this.snap = { ...this.snap, clockOffset: sample };
        }
        const view = this.snap.view;
        if (!view) break;
        const problem = nextSeqProblem(view, m);
        if (problem === 'old') break;
        if (problem === 'gap') {
          void this.resume();
          break;
        }
        const me = this.snap.you?.player ?? 0;
        this.emit({ view: apply(view, m, me) });
        // Facilitation handed to me mid-card: the votes cast for seated players are only in a fresh View.
        if (m.e === 'handed' && m.to === me && this.snap.view?.table) void this.resume();
        // A handover changes my role: keep `you` in step with the View.
        const mine = this.snap.you && this.snap.view?.players.find((p) => p.player === this.snap.you!.player);
        if (mine && this.snap.you && mine.role !== this.snap.you.role) this.emit({ you: { ...this.snap.you, role: mine.role } });
        break;
      }
      case 'ok':
        this.settle(id, m, null);
        break;
      case 'error':
        this.settle(id, null, new RequestError(m.code, m.msg ?? m.code));
        break;
      case 'pong':
        break;
      default: {
        // Compile time: every message type of ServerMessage has its case (the `never`). Run time: a type newer
        // than this client is ignored, so an older client survives a newer server.
        const newer: never = m;
        void newer;
        break;
      }
    }
  }

  private settle(id: number | undefined, ok: Answer | null, err: RequestError | null): void {
    if (id === undefined) return;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.deps.clearTimer(p.timer);
    if (err) p.reject(err);
    else p.resolve(ok!);
  }

  private failPending(code: string, msg: string): void {
    for (const [, p] of this.pending) {
      this.deps.clearTimer(p.timer);
      p.reject(new RequestError(code, msg));
    }
    this.pending.clear();
  }
}

/** The socket URL for a room on the server that served this page. */
export function roomSocketUrl(room: string, loc: Pick<Location, 'protocol' | 'host'> = location): string {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc.host}/ws?room=${encodeURIComponent(room)}`;
}

export function browserDeps(): ConnectionDeps {
  return {
    openSocket: (url) => new WebSocket(url, 'verrijk.v1') as unknown as SocketLike,
    storage: localStorage,
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
    random: Math.random,
  };
}
