// scan.mjs - checks every byte a device received against the server's own record of who held what, and when.
import { createHash } from 'node:crypto';
import { decode } from '@msgpack/msgpack';
import { splitObjects } from './mpwalk.mjs';

/** SHA-256 of a token's 32 hex characters, as the server stores it (protocol/SPEC.md §2.2). */
export function tokenHash(token) {
  return createHash('sha256').update(token, 'ascii').digest('hex');
}

/**
 * The truth about one room, from its replay (`/api/rooms/CODE/log?key=K`),
 * where `dealt` carries the whole hands: when each card was dealt to whom,
 * when it was played, which rounds were anonymous, who is seated, when each
 * note was hidden.
 */
export class Truth {
  constructor(log) {
    this.dealt = new Map(); // player → [{ card, seq }]
    this.played = new Map(); // card → [seq]
    this.rounds = []; // [{ seq, anonymous }] in order
    this.seated = new Set();
    this.fac = null;
    this.hiddenAt = new Map(); // note → first seq it was hidden
    this.firstClosed = Infinity;
    this.lastSeq = 0;
    for (const ev of log) {
      this.lastSeq = ev.seq;
      switch (ev.e) {
        case 'joined':
          if (ev.seated) this.seated.add(ev.player);
          if (ev.role === 'facilitator') this.fac = ev.player;
          break;
        case 'handed': this.fac = ev.to; break;
        case 'round': this.rounds.push({ seq: ev.seq, anonymous: !!ev.opts.anonymous }); break;
        case 'dealt':
          if (!Array.isArray(ev.hands)) throw new Error(`replay: dealt at seq ${ev.seq} without whole hands`);
          for (const [player, cards] of ev.hands) {
            if (!this.dealt.has(player)) this.dealt.set(player, []);
            for (const card of cards) this.dealt.get(player).push({ card, seq: ev.seq });
          }
          break;
        case 'played':
          if (!this.played.has(ev.card)) this.played.set(ev.card, []);
          this.played.get(ev.card).push(ev.seq);
          break;
        case 'hidden': if (!this.hiddenAt.has(ev.note)) this.hiddenAt.set(ev.note, ev.seq); break;
        case 'closed': this.firstClosed = Math.min(this.firstClosed, ev.seq); break;
        default: break;
      }
    }
  }

  roundAt(seq) {
    let r = null;
    for (const x of this.rounds) if (x.seq <= seq) r = x;
    return r;
  }

  /** Played (public) at or before seq, in any round. */
  isPublic(card, seq) {
    return (this.played.get(card) || []).some((s) => s <= seq);
  }

  /** Dealt to player at or before seq, in the round running at seq. */
  isOwn(player, card, seq) {
    const r = this.roundAt(seq);
    if (!r || player == null) return false;
    return (this.dealt.get(player) || []).some((d) => d.card === card && d.seq <= seq && d.seq >= r.seq);
  }

  /** Who held card at seq in the running round (for messages), or 'the pile'. */
  holderAt(card, seq) {
    const r = this.roundAt(seq);
    let who = 'the pile';
    if (!r) return who;
    for (const [player, ds] of this.dealt) {
      for (const d of ds) if (d.card === card && d.seq <= seq && d.seq >= r.seq) who = `player ${player}`;
    }
    return who;
  }

  /** How many cards players other than player held unplayed at seq (for coverage counts). */
  foreignHeld(player, seq) {
    const r = this.roundAt(seq);
    if (!r) return 0;
    let n = 0;
    for (const [p, ds] of this.dealt) {
      if (p === player) continue;
      for (const d of ds) if (d.seq <= seq && d.seq >= r.seq && !this.isPublic(d.card, seq)) n++;
    }
    return n;
  }
}

const CARD_OWN_PATHS = new Set(['ev:dealt.cards.[]', 'welcome.state.hand.[]']);
const CARD_PUBLIC_PATHS = new Set([
  'ev:played.card', 'ev:revealed.card', 'ev:done.card', 'ev:reopened.card', 'ev:noted.card',
  'welcome.state.table.card', 'welcome.state.history.[].card', 'welcome.state.summary.cards.[].card',
  'ev:closed.summary.cards.[].card',
]);
const REPLAY_KEY_PATHS = new Set(['ev:closed.summary', 'welcome.state.summary']);
const VOTES_PATHS = new Set(['ev:revealed', 'welcome.state.table.revealed', 'welcome.state.history.[]']);
const FORBIDDEN_KEYS = new Set(['seed', 'token_hash', 'hands']);
const VALUE_KEY = Buffer.from([0xa5, ...Buffer.from('value')]);
const SEED_KEY = Buffer.from([0xa4, ...Buffer.from('seed')]);

/**
 * The shared facts a scan needs: cards (the deck's ids), tokens (every
 * token handed out, all rooms), replayKeys (key → room code) and, per
 * room, its Truth and its notes' texts (note id → text).
 */
export class Secrets {
  constructor(cards) {
    this.cards = cards;
    this.cardSet = new Set(cards);
    this.tokens = new Set();
    this.hashes = new Set();
    this.replayKeys = new Map();
  }

  addToken(token) {
    if (!token || this.tokens.has(token)) return;
    this.tokens.add(token);
    this.hashes.add(tokenHash(token));
  }
}

/**
 * Scans every frame one device received, in order. Returns { violations,
 * stats }: a violation names the device, the seq its bytes had reached,
 * the rule and the message. `room` = { code, truth, notes }.
 */
export function scanSeat(seat, secrets, room) {
  const violations = [];
  const stats = { objects: 0, bytes: 0, foreignCardChecks: 0, ownCardsSeen: 0, foreignVotes: 0, ownVoteValues: 0, anonymousReveals: 0, hiddenNoteChecks: 0 };
  const { truth } = room;
  let player = null;
  let ownToken = null;
  let seq = 0;
  const report = (rule, detail, msg) => {
    violations.push({ seat: seat.label, player, seq, rule, detail, msg: msg ? JSON.stringify(msg).slice(0, 300) : null });
  };

  const checkBytes = (bytes, msg) => {
    const s = bytes.toString('latin1');
    for (const card of secrets.cards) {
      if (!s.includes(card) || truth.isPublic(card, seq)) continue;
      if (truth.isOwn(player, card, seq)) stats.ownCardsSeen++;
      else report('card-of-another', `${card} (held by ${truth.holderAt(card, seq)}, not played yet)`, msg);
    }
    stats.foreignCardChecks += truth.foreignHeld(player, seq);
    for (const run of s.matchAll(/[0-9a-f]{32,}/g)) {
      const hex = run[0];
      for (let i = 0; i + 32 <= hex.length; i++) {
        const w = hex.slice(i, i + 32);
        if (secrets.tokens.has(w) && w !== ownToken) report('foreign-token', w, msg);
        const keyRoom = secrets.replayKeys.get(w);
        if (keyRoom !== undefined && keyRoom !== room.code) report('foreign-replay-key', w, msg);
        if (keyRoom === room.code && seq < truth.firstClosed) report('replay-key-before-close', w, msg);
      }
      for (let i = 0; i + 64 <= hex.length; i++) {
        if (secrets.hashes.has(hex.slice(i, i + 64))) report('token-hash', hex.slice(i, i + 64), msg);
      }
    }
    if (s.includes('token_hash')) report('token-hash-key', 'the bytes "token_hash"', msg);
    if (bytes.includes(SEED_KEY)) report('seed-key', 'the MessagePack key "seed"', msg);
    for (const [note, at] of truth.hiddenAt) {
      const text = room.notes.get(note);
      if (text === undefined || at > seq) continue;
      stats.hiddenNoteChecks++;
      if (s.includes(text)) report('hidden-note-text', `note ${note} hidden at seq ${at}: "${text}"`, msg);
    }
    if (msg && msg.t === 'ev' && msg.e === 'voted' && msg.player !== player
        && !(player === truth.fac && truth.seated.has(msg.player))) {
      stats.foreignVotes++;
      if ('value' in msg || bytes.includes(VALUE_KEY)) report('vote-value-of-another', `player ${msg.player}'s vote`, msg);
    } else if (msg && msg.t === 'ev' && msg.e === 'voted' && 'value' in msg) {
      stats.ownVoteValues++;
    }
  };

  const walk = (v, path, msg) => {
    if (typeof v === 'string') {
      if (!secrets.cardSet.has(v)) return;
      if (CARD_OWN_PATHS.has(path)) {
        if (!truth.isOwn(player, v, seq)) report('card-not-own', `${v} at ${path} (held by ${truth.holderAt(v, seq)})`, msg);
      } else if (CARD_PUBLIC_PATHS.has(path)) {
        if (!truth.isPublic(v, seq)) report('card-not-played', `${v} at ${path} (held by ${truth.holderAt(v, seq)})`, msg);
      } else {
        report('card-at-unexpected-path', `${v} at ${path}`, msg);
      }
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, `${path}.[]`, msg);
      return;
    }
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return;
    for (const [k, x] of Object.entries(v)) {
      if (FORBIDDEN_KEYS.has(k)) report('forbidden-key', `${k} at ${path}`, msg);
      if (k === 'replay_key' && !REPLAY_KEY_PATHS.has(path)) report('replay-key-at-unexpected-path', path, msg);
      if (k === 'token' && path !== 'welcome') report('token-at-unexpected-path', path, msg);
      if (k === 'value' && path !== 'ev:voted') report('value-at-unexpected-path', path, msg);
      if (k === 'seated_votes' && player !== truth.fac) report('seated-votes-to-non-facilitator', path, msg);
      if (k === 'votes' && VOTES_PATHS.has(path) && truth.roundAt(seq)?.anonymous) report('votes-in-anonymous-round', path, msg);
      if (k === 'revealed' && path === 'welcome.state.table' && v.stage === 'discuss') report('revealed-before-reveal', path, msg);
      walk(x, `${path}.${k}`, msg);
    }
  };

  for (const f of seat.frames) {
    stats.bytes += f.bytes.length;
    if (f.kind !== 'bin') {
      checkBytes(f.bytes, null);
      continue;
    }
    let ranges;
    try {
      ranges = splitObjects(f.bytes);
    } catch (e) {
      report('undecodable-frame', e.message, null);
      checkBytes(f.bytes, null);
      continue;
    }
    for (const [a, b] of ranges) {
      const bytes = f.bytes.subarray(a, b);
      const msg = decode(bytes);
      stats.objects++;
      let root = msg.t;
      if (msg.t === 'ev') {
        seq = msg.seq;
        root = `ev:${msg.e}`;
      } else if (msg.t === 'welcome') {
        seq = msg.state.seq;
        player = msg.you.player;
        ownToken = msg.token;
      }
      checkBytes(bytes, msg);
      // The envelope's own keys are not a path: start below the top level.
      for (const [k, x] of Object.entries(msg)) {
        if (FORBIDDEN_KEYS.has(k)) report('forbidden-key', `${k} at ${root}`, msg);
        if (k === 'replay_key' && root !== 'ev:rekeyed') report('replay-key-at-unexpected-path', root, msg);
        if (k === 'value' && root !== 'ev:voted') report('value-at-unexpected-path', root, msg);
        if (k === 'votes' && VOTES_PATHS.has(root) && truth.roundAt(seq)?.anonymous) report('votes-in-anonymous-round', root, msg);
        if (k === 't' || k === 'token' || k === 'e') continue;
        walk(x, `${root}.${k}`, msg);
      }
      if (root === 'ev:revealed' && truth.roundAt(seq)?.anonymous) stats.anonymousReveals++;
      if (msg.t !== 'welcome' && 'token' in msg) report('token-at-unexpected-path', root, msg);
    }
  }
  return { violations, stats };
}

/**
 * The replay itself (served to anyone with the key) holds no token, token
 * hash, seed, vote value or hidden note text.
 */
export function scanReplay(bytes, log, secrets, room) {
  const violations = [];
  const s = bytes.toString('latin1');
  const report = (rule, detail) => violations.push({ seat: `replay ${room.code}`, rule, detail });
  for (const run of s.matchAll(/[0-9a-f]{32,}/g)) {
    const hex = run[0];
    for (let i = 0; i + 32 <= hex.length; i++) if (secrets.tokens.has(hex.slice(i, i + 32))) report('token', hex.slice(i, i + 32));
    for (let i = 0; i + 64 <= hex.length; i++) if (secrets.hashes.has(hex.slice(i, i + 64))) report('token-hash', hex.slice(i, i + 64));
  }
  if (s.includes('token_hash')) report('token-hash-key', '"token_hash"');
  if (bytes.includes(SEED_KEY)) report('seed-key', '"seed"');
  for (const note of room.truth.hiddenAt.keys()) {
    const text = room.notes.get(note);
    if (text !== undefined && s.includes(text)) report('hidden-note-text', `note ${note}: "${text}"`);
  }
  for (const ev of log) if (ev.e === 'voted' && 'value' in ev) report('vote-value', `seq ${ev.seq}`);
  return violations;
}

/**
 * An export (summary.json, .md, .csv), computed when asked: no token, token
 * hash or seed, and no text of a note hidden by the end of the game.
 */
export function scanExport(name, bytes, secrets, room) {
  const violations = [];
  const s = bytes.toString('latin1');
  const report = (rule, detail) => violations.push({ seat: `${name} of ${room.code}`, rule, detail });
  for (const run of s.matchAll(/[0-9a-f]{32,}/g)) {
    const hex = run[0];
    for (let i = 0; i + 32 <= hex.length; i++) if (secrets.tokens.has(hex.slice(i, i + 32))) report('token', hex.slice(i, i + 32));
    for (let i = 0; i + 64 <= hex.length; i++) if (secrets.hashes.has(hex.slice(i, i + 64))) report('token-hash', hex.slice(i, i + 64));
  }
  if (s.includes('token_hash')) report('token-hash-key', '"token_hash"');
  if (/"seed"/.test(s)) report('seed-key', '"seed"');
  for (const note of room.truth.hiddenAt.keys()) {
    const text = room.notes.get(note);
    if (text !== undefined && s.includes(text)) report('hidden-note-text', `note ${note}: "${text}"`);
  }
  return violations;
}
