// busy.mjs - a room that plays on, card after card, and times every answer, while a test attacks the server elsewhere.
import { DECK } from '../members.mjs';
import { Member } from '../members.mjs';
import { Seat } from './seat.mjs';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

function code() {
  let s = '';
  for (let i = 0; i < 6; i++) s += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return s;
}

/**
 * A facilitator, three players and a screen in one room. `run()` plays
 * valid intents until `stop()`: the player whose turn it is plays, every
 * player votes (auto-reveal), the facilitator goes to the next card, and
 * closes and starts a new round when nobody holds cards. Every answer's
 * time is kept (`mark()` starts a new window); any error or timeout is
 * kept in `failures`.
 */
export class BusyRoom {
  constructor(server) {
    this.server = server;
    this.room = code();
    this.seats = [];
    this.latencies = [];
    this.failures = [];
    this.cards = 0;
    this.rounds = 0;
    this.stopping = false;
    this.loop = null;
  }

  async open(role) {
    const s = await Seat.open(this.server, this.room, `busy-${role}-${this.seats.length}`);
    this.seats.push(s);
    return s;
  }

  /** Paced, then timed: pacing keeps the room under the rate limit and is not the server's time. */
  async timed(seat, obj) {
    await seat.pace();
    const t0 = performance.now();
    const m = await Member.prototype.req.call(seat, obj);
    this.latencies.push(performance.now() - t0);
    if (m.t === 'error') throw new Error(`${obj.t} refused: ${m.code} ${m.msg}`);
    return m;
  }

  async start() {
    this.fac = await this.open('fac');
    await this.timed(this.fac, { t: 'create', room: this.room, name: 'Fien', title: 'Druk', deck: DECK, lang: 'nl', tz_offset: 0, opts: { hand: 3 } });
    this.players = [];
    for (const name of ['Anna', 'Bram', 'Chris']) {
      const p = await this.open('player');
      await this.timed(p, { t: 'join', room: this.room, name, role: 'player' });
      this.players.push(p);
    }
    this.screen = await this.open('screen');
    await this.timed(this.screen, { t: 'join', room: this.room, name: 'Beamer', role: 'screen' });
    await this.timed(this.fac, { t: 'start' });
    this.rounds++;
    this.loop = this.run();
  }

  turn() {
    for (let i = this.fac.events.length - 1; i >= 0; i--) {
      const ev = this.fac.events[i];
      if (ev.e === 'turn') return ev.player;
      if (ev.e === 'round' || ev.e === 'closed') return null;
    }
    return null;
  }

  async oneCard() {
    await this.fac.until(Math.max(...this.players.map((p) => p.lastSeq())));
    const turn = this.turn();
    if (turn == null) {
      await this.timed(this.fac, { t: 'close', text: 'Volgende ronde.' });
      await this.timed(this.fac, { t: 'start' });
      this.rounds++;
      return;
    }
    const holder = this.players.find((p) => p.you.player === turn);
    await holder.until(this.fac.lastSeq());
    await this.timed(holder, { t: 'play', card: holder.hand()[0] });
    for (const p of this.players) await this.timed(p, { t: 'vote', value: 1 + Math.floor(Math.random() * 5) });
    await this.fac.until(this.players[2].lastSeq());
    await this.timed(this.fac, { t: 'next' });
    this.cards++;
  }

  async run() {
    while (!this.stopping) {
      try {
        await this.oneCard();
      } catch (e) {
        this.failures.push(e.message);
        return;
      }
    }
  }

  /** Starts a new window of answers. */
  mark() { this.windowStart = this.latencies.length; }

  /** The answers since mark(): { count, max, p99 } in ms. */
  window() {
    const w = this.latencies.slice(this.windowStart ?? 0).sort((a, b) => a - b);
    return { count: w.length, max: w.length ? w[w.length - 1] : 0, p99: w.length ? w[Math.floor(w.length * 0.99)] : 0 };
  }

  /** Stops the loop, then checks every device saw every event once, in order (nothing lost). */
  async stop() {
    this.stopping = true;
    await this.loop;
    const last = this.fac.lastSeq();
    const gaps = [];
    for (const s of this.seats) {
      await s.until(last);
      const seqs = s.events.map((e) => e.seq);
      const first = s.view.seq + 1;
      for (let i = 0; i < seqs.length; i++) if (seqs[i] !== first + i) { gaps.push(`${s.label}: seq ${seqs[i]} where ${first + i} was due`); break; }
      if (seqs.at(-1) !== last) gaps.push(`${s.label}: last seq ${seqs.at(-1)}, not ${last}`);
    }
    for (const s of this.seats) await s.close();
    return { gaps, lastSeq: last };
  }
}
