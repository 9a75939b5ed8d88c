// game.mjs - plays one random but mostly valid Verrijk game in a room, from a seed, keeping every device's raw bytes.
import assert from 'node:assert/strict';
import { decode } from '@msgpack/msgpack';
import { DECK } from '../members.mjs';
import { Seat } from './seat.mjs';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CATEGORIES = ['vensters', 'praktijken', 'vormen', 'kenmerken', 'werken', 'opgavegericht', 'grenzen', 'kwartiermaker'];
/** Note words: plain Dutch, so no note can look like a card id, a hex token or a protocol key. */
const WORDS = ['goed', 'punt', 'buurt', 'samen', 'leren', 'vraag', 'idee', 'sterk', 'zwak', 'later', 'school', 'wijk'];
/** Error codes a mostly valid script may meet; anything else fails the game. */
const EXPECTED_ERRORS = new Set(['not_allowed', 'wrong_phase', 'not_your_turn', 'no_card', 'bad_vote', 'room_full']);
/** Present members (with the seated player and the screen) never pass this, far below the room cap. */
const MEMBERS_MAX = 12;
/** How long the server may take to close a connection it must close (kick, resume elsewhere). */
const CLOSE_WITHIN_MS = 5000;

/** Resolves with p's value, or fails naming what did not happen within ms. */
async function within(p, ms, what) {
  let timer;
  const t = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms); });
  try { return await Promise.race([p, t]); } finally { clearTimeout(timer); }
}

/**
 * One room: a facilitator, a screen, a seated player and 2..5 players, then
 * `steps` random intents (start, play, draw, vote incl. for, revote,
 * reveal, note, hide, next, skip, timer, leave, kick, join late, drop a
 * device, resume on a new connection, close, start again), and a final
 * close so the replay holds every round. Which intent comes next is drawn
 * from rng given what the facilitator's device shows, so a seed replays the
 * same script against the same server answers.
 */
export class Game {
  constructor(server, rng, no, { steps }) {
    this.server = server;
    this.rng = rng;
    this.no = no;
    this.steps = steps;
    this.room = null;
    this.seats = []; // every connection opened, in order
    this.fac = null;
    this.members = new Map(); // player → { player, role, seated, present, seat, token }
    this.nameCount = 0;
    this.noteCount = 0;
    this.notes = new Map(); // note id → text
    this.errors = {};
    this.done = {};
    this.model = { seq: 0, phase: 'lobby', mode: 'hands', fp: false, turn: null, table: null, notes: [] };
    this.replayKey = null;
    this.log = null;
    this.logBytes = null;
  }

  code() {
    let s = '';
    for (let i = 0; i < 6; i++) s += this.rng.pick(ALPHABET.split(''));
    return s;
  }

  name() { return `G${this.no}m${++this.nameCount}`; }

  randomOpts() {
    const r = this.rng;
    const opts = {
      hand: r.int(1, 4),
      anonymous: r.chance(0.4),
      facilitator_plays: r.chance(0.4),
      auto_reveal: r.chance(0.7),
      mode: r.chance(0.15) ? 'deck' : 'hands',
    };
    if (r.chance(0.2)) opts.categories = [r.pick(CATEGORIES.slice(0, 5)), r.pick(CATEGORIES.slice(5))];
    return opts;
  }

  /** Sends obj from seat (paced) and counts the answer; asserts only codes a valid-ish script can meet. */
  async send(seat, obj, what = obj.t) {
    const m = await seat.req(obj);
    if (m.t === 'error') {
      this.errors[m.code] = (this.errors[m.code] || 0) + 1;
      assert.ok(EXPECTED_ERRORS.has(m.code), `game ${this.no} room ${this.room}: ${what} answered ${m.code} (${m.msg}): ${JSON.stringify(obj)}`);
    } else {
      this.done[what] = (this.done[what] || 0) + 1;
    }
    await this.sync(seat);
    return m;
  }

  /** Brings the facilitator's device (and the model) up to what seat has seen. */
  async sync(seat) {
    const target = seat && !seat.gone ? seat.lastSeq() : 0;
    if (this.fac.lastSeq() < target) await this.fac.until(target);
    this.fac.drain();
    for (const ev of this.fac.events) if (ev.seq > this.model.seq) this.apply(ev);
  }

  fromView(v) {
    const m = this.model;
    m.seq = v.seq;
    m.phase = v.phase;
    m.mode = v.opts.mode;
    m.fp = !!v.opts.facilitator_plays;
    m.turn = v.turn ?? null;
    m.table = v.table ? { card: v.table.card, stage: v.table.stage } : null;
  }

  apply(ev) {
    const m = this.model;
    assert.equal(ev.seq, m.seq + 1, `game ${this.no}: the facilitator saw a gap in seq`);
    m.seq = ev.seq;
    switch (ev.e) {
      case 'round': m.phase = 'playing'; m.mode = ev.opts.mode; m.fp = !!ev.opts.facilitator_plays; m.table = null; m.turn = null; break;
      case 'turn': m.turn = ev.player ?? null; break;
      case 'played': m.table = { card: ev.card, stage: 'discuss' }; break;
      case 'revealed': if (m.table) m.table.stage = 'revealed'; break;
      case 'reopened': if (m.table) m.table.stage = 'discuss'; break;
      case 'done': m.table = null; break;
      case 'closed': m.phase = 'closed'; m.table = null; m.turn = null; break;
      case 'noted': m.notes.push(ev.note); break;
      case 'joined':
        if (!this.members.has(ev.player)) {
          this.members.set(ev.player, { player: ev.player, role: ev.role, seated: !!ev.seated, present: true, seat: null, token: null });
        }
        break;
      case 'left': { const mem = this.members.get(ev.player); if (mem) mem.present = false; break; }
      default: break;
    }
  }

  present() { return [...this.members.values()].filter((x) => x.present); }

  /** Present members whose device is connected now. */
  online() { return this.present().filter((x) => x.seat && !x.seat.gone); }

  /** Members who may vote for themselves on their own device now. */
  voters() {
    return this.online().filter((x) => (x.role === 'player' && !x.seated) || (x.role === 'facilitator' && this.model.fp));
  }

  async open(role) {
    const seat = await Seat.open(this.server, this.room, `${this.room}#${this.seats.length}`);
    this.seats.push(seat);
    return seat;
  }

  /** Adopts a welcome: the member behind seat is now reached through it. */
  adopt(seat, w) {
    const { player, role } = w.you;
    let mem = this.members.get(player);
    if (!mem) {
      mem = { player, role, seated: false, present: true, seat: null, token: null };
      this.members.set(player, mem);
    }
    mem.role = role;
    mem.seat = seat;
    mem.token = w.token;
    return mem;
  }

  async setup() {
    let w;
    for (let attempt = 0; ; attempt++) {
      this.room = this.code();
      this.fac = await this.open();
      w = await this.fac.req({
        t: 'create', room: this.room, name: this.name(), title: `Spel ${this.no}`, deck: DECK, lang: this.rng.pick(['nl', 'en']),
        tz_offset: 60, opts: this.randomOpts(),
      });
      if (w.t === 'welcome') break;
      assert.equal(w.code, 'room_taken', `create: ${w.code} ${w.msg}`);
      assert.ok(attempt < 5, 'room codes kept being taken');
      await this.fac.close();
    }
    this.adopt(this.fac, w);
    this.fromView(w.state);
    const screen = await this.open();
    this.adopt(screen, await this.mustJoin(screen, 'screen'));
    await this.send(this.fac, { t: 'seat', name: this.name() });
    const n = this.rng.int(2, 5);
    for (let i = 0; i < n; i++) {
      const p = await this.open();
      this.adopt(p, await this.mustJoin(p, 'player'));
    }
    await this.sync(this.fac);
  }

  async mustJoin(seat, role) {
    const w = await seat.req({ t: 'join', room: this.room, name: this.name(), role });
    assert.equal(w.t, 'welcome', `join: ${w.code} ${w.msg}`);
    return w;
  }

  /** The member whose turn it is, when their device is connected. */
  turnHolder() {
    const mem = this.model.turn == null ? null : this.members.get(this.model.turn);
    return mem && mem.present && mem.seat && !mem.seat.gone ? mem : null;
  }

  weights() {
    const m = this.model;
    const w = {};
    const others = this.present().filter((x) => x.role !== 'facilitator');
    const many = this.present().length < MEMBERS_MAX;
    w.join = many ? 0.6 : 0;
    w.resume = 0.5;
    w.leave = others.some((x) => x.seat && !x.seat.gone) ? 0.3 : 0;
    w.kick = others.length ? 0.3 : 0;
    w.drop = this.online().some((x) => x.role !== 'facilitator') ? 0.25 : 0;
    if (m.phase !== 'playing') {
      w.start = 8;
      w.seat = many ? 0.4 : 0;
      w.noteNoCard = 0.3;
      return w;
    }
    w.close = 0.35;
    w.timer = 0.1;
    w.startWhilePlaying = 0.1;
    if (!m.table) {
      if (m.mode === 'deck') w.draw = 8;
      else if (m.turn == null) { w.close = 4; w.skip = 0.2; }
      else if (this.turnHolder()) { w.play = 8; w.outOfTurn = 0.5; w.skip = 0.3; }
      else w.skip = 4;
      w.voteNoCard = 0.3;
      w.nextEmpty = 0.2;
    } else if (m.table.stage === 'discuss') {
      w.vote = this.voters().length ? 10 : 0;
      w.voteFor = this.present().some((x) => x.seated) ? 2 : 0;
      w.note = 2;
      w.reveal = 1.5;
      w.next = 1.2;
      w.hide = m.notes.length ? 0.8 : 0;
      w.screenVote = 0.3;
      w.badVote = 0.3;
      w.close = 0.3;
    } else {
      w.next = 5;
      w.revote = 1.5;
      w.note = 1.5;
      w.hide = m.notes.length ? 1 : 0;
      w.lateVote = 0.3;
      w.close = 0.5;
    }
    return w;
  }

  noteText() {
    const r = this.rng;
    return `n${this.no}x${++this.noteCount} ${r.pick(WORDS)} ${r.pick(WORDS)}`;
  }

  async step() {
    const r = this.rng;
    const m = this.model;
    const fac = this.fac;
    const action = r.weighted(this.weights());
    switch (action) {
      case 'start': await this.send(fac, r.chance(0.2) ? { t: 'start' } : { t: 'start', opts: this.randomOpts() }); break;
      case 'startWhilePlaying': await this.send(fac, { t: 'start' }, 'start (playing)'); break;
      case 'seat': await this.send(fac, { t: 'seat', name: this.name() }); break;
      case 'noteNoCard': await this.send(r.pick(this.online().filter((x) => x.role !== 'screen')).seat, { t: 'note', text: this.noteText() }, 'note (no card)'); break;
      case 'close': await this.send(fac, { t: 'close', text: `Einde ${this.no}`, actions: r.chance(0.5) ? ['samen verder'] : [] }); break;
      case 'timer': await this.send(fac, { t: 'timer', seconds: r.int(0, 600) }); break;
      case 'draw': await this.send(fac, { t: 'draw' }); break;
      case 'play': {
        const mem = this.turnHolder();
        await mem.seat.until(m.seq);
        const hand = mem.seat.hand();
        assert.ok(hand.length, `game ${this.no}: player ${mem.player} has the turn but no cards`);
        await this.send(mem.seat, { t: 'play', card: r.pick(hand) });
        break;
      }
      case 'outOfTurn': {
        const cands = this.online().filter((x) => x.player !== m.turn && x.role !== 'screen');
        if (!cands.length) break;
        const mem = r.pick(cands);
        await mem.seat.until(m.seq);
        const hand = mem.seat.hand();
        // A card of one's own (or a made-up id): never another member's card, whose id an error could echo.
        await this.send(mem.seat, { t: 'play', card: hand.length ? r.pick(hand) : 'geen-kaart' }, 'play (out of turn)');
        break;
      }
      case 'skip': await this.send(fac, { t: 'skip' }); break;
      case 'voteNoCard': {
        const v = this.voters();
        if (v.length) await this.send(r.pick(v).seat, { t: 'vote', value: r.int(1, 5) }, 'vote (no card)');
        break;
      }
      case 'nextEmpty': await this.send(fac, { t: 'next' }, 'next (no card)'); break;
      case 'vote': await this.send(r.pick(this.voters()).seat, { t: 'vote', value: r.chance(0.15) ? null : r.int(1, 5) }); break;
      case 'voteFor': {
        const seated = this.present().filter((x) => x.seated);
        await this.send(fac, { t: 'vote', for: r.pick(seated).player, value: r.chance(0.15) ? null : r.int(1, 5) }, 'vote for');
        break;
      }
      case 'badVote': {
        const v = this.voters();
        if (v.length) await this.send(r.pick(v).seat, { t: 'vote', value: r.pick([0, 6, 9, 1000]) }, 'vote (bad)');
        break;
      }
      case 'lateVote': {
        const v = this.voters();
        if (v.length) await this.send(r.pick(v).seat, { t: 'vote', value: r.int(1, 5) }, 'vote (revealed)');
        break;
      }
      case 'screenVote': {
        const s = this.online().filter((x) => x.role === 'screen');
        if (s.length) await this.send(r.pick(s).seat, { t: 'vote', value: 3 }, 'vote (screen)');
        break;
      }
      case 'note': {
        const mem = r.pick(this.online().filter((x) => x.role !== 'screen'));
        const text = this.noteText();
        const a = await this.send(mem.seat, { t: 'note', text });
        if (a.t === 'ok') {
          const ev = mem.seat.seen('noted').findLast((e) => e.text === text);
          assert.ok(ev, `game ${this.no}: the author did not see its note`);
          this.notes.set(ev.note, text);
        }
        break;
      }
      case 'hide': await this.send(fac, { t: 'hide', note: r.pick(m.notes) }); break;
      case 'reveal': await this.send(fac, { t: 'reveal' }); break;
      case 'revote': await this.send(fac, { t: 'revote' }); break;
      case 'next': await this.send(fac, { t: 'next' }); break;
      case 'join': {
        const seat = await this.open();
        const role = r.chance(0.15) ? 'screen' : 'player';
        const w = await seat.req({ t: 'join', room: this.room, name: this.name(), role });
        if (w.t === 'welcome') { this.adopt(seat, w); this.done.join = (this.done.join || 0) + 1; }
        else { this.errors[w.code] = (this.errors[w.code] || 0) + 1; await seat.close(); }
        await this.sync(w.t === 'welcome' ? seat : null);
        break;
      }
      case 'resume': {
        const mem = r.pick(this.present().filter((x) => x.token));
        const seat = await this.open();
        const w = await seat.req({ t: 'resume', room: this.room, token: mem.token });
        assert.equal(w.t, 'welcome', `game ${this.no}: resume of player ${mem.player}: ${w.code} ${w.msg}`);
        assert.equal(w.you.player, mem.player);
        const old = mem.seat;
        this.adopt(seat, w);
        this.done.resume = (this.done.resume || 0) + 1;
        if (mem.role === 'facilitator') {
          // The old device keeps what it saw; the new one carries the model on from its View.
          this.fac = seat;
          this.fromView(w.state);
        }
        if (old && !old.gone) {
          const { code } = await within(old.client.closed, CLOSE_WITHIN_MS, `game ${this.no}: the device replaced by a resume was not closed`);
          assert.equal(code, 4002, `game ${this.no}: the replaced device was closed with ${code}`);
        }
        await this.sync(seat);
        break;
      }
      case 'leave': {
        const mem = r.pick(this.online().filter((x) => x.role !== 'facilitator'));
        await this.send(mem.seat, { t: 'leave' });
        mem.present = false;
        await mem.seat.close();
        break;
      }
      case 'kick': {
        const mem = r.pick(this.present().filter((x) => x.role !== 'facilitator'));
        await this.send(fac, { t: 'kick', player: mem.player });
        mem.present = false;
        if (mem.seat && !mem.seat.gone) {
          const { code } = await within(mem.seat.client.closed, CLOSE_WITHIN_MS, `game ${this.no}: a kicked device was not closed`);
          assert.equal(code, 4001, `game ${this.no}: a kicked device was closed with ${code}`);
        }
        break;
      }
      case 'drop': {
        // The device goes away without a word; the member stays (offline after the grace).
        const mem = r.pick(this.online().filter((x) => x.role !== 'facilitator'));
        mem.seat.client.ws.terminate();
        await mem.seat.client.closed;
        this.done.drop = (this.done.drop || 0) + 1;
        break;
      }
      default: throw new Error(`no action: ${action}`);
    }
  }

  /** Plays the setup, the steps and a final close; then reads the replay with the room's key. */
  async play() {
    await this.setup();
    await this.send(this.fac, { t: 'start', opts: this.randomOpts() });
    for (let i = 0; i < this.steps; i++) await this.step();
    if (this.model.phase === 'playing') await this.send(this.fac, { t: 'close', text: 'Tot slot.' });
    // The key of the last close, or of a kick since (a kick replaces it).
    const keyed = this.fac.events.filter((m) => m.e === 'closed' || (m.e === 'rekeyed' && m.replay_key)).at(-1);
    this.replayKey = keyed ? (keyed.replay_key ?? keyed.summary.replay_key) : this.fac.view.summary.replay_key;
    assert.match(this.replayKey, /^[0-9a-f]{32}$/);
    const res = await fetch(`${this.server.url}/api/rooms/${this.room}/log?key=${this.replayKey}`);
    assert.equal(res.status, 200, `replay of ${this.room}`);
    this.logBytes = Buffer.from(await res.arrayBuffer());
    this.log = decode(this.logBytes);
    // The exports of every closed round, as anyone with the key gets them now.
    this.exports = [];
    const rounds = this.log.filter((e) => e.e === 'closed').map((e) => e.round);
    for (const n of rounds) {
      for (const kind of ['json', 'md', 'csv']) {
        const url = `${this.server.url}/api/rooms/${this.room}/summary.${kind}?key=${this.replayKey}&round=${n}`;
        const r = await fetch(url);
        assert.equal(r.status, 200, `summary.${kind} of round ${n} of ${this.room}`);
        this.exports.push({ name: `summary.${kind} round ${n}`, bytes: Buffer.from(await r.arrayBuffer()) });
      }
    }
    // Every open device catches up with the last event, then hangs up.
    const last = this.model.seq;
    for (const mem of this.online()) await mem.seat.until(last);
    for (const seat of this.seats) if (!seat.gone) await seat.close();
  }
}
