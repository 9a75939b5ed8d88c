// seat.mjs - a room member's device that keeps every raw byte it received and paces its requests under the rate limit.
import { connect } from '../harness.mjs';
import { Member } from '../members.mjs';

/**
 * The server allows a burst of 40 messages and 20 per second per
 * connection (net_conn.h); a scripted device stays well inside that, so a
 * rate_limited answer in a random game means a bug, not a fast script.
 */
export const PACE_BURST = 30;
export const PACE_PER_S = 15;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A Member whose connection records every frame as received: `frames` holds
 * {kind: 'bin'|'text'|'close', bytes, at} in arrival order (the close reason
 * counts as bytes received too). `gone` turns true when the socket closed.
 */
export class Seat extends Member {
  constructor(client, label) {
    super(client);
    this.label = label;
    this.frames = [];
    this.gone = false;
    this.closeCode = null;
    this.tokens = PACE_BURST;
    this.refilledAt = performance.now();
    client.ws.on('message', (data, isBinary) => {
      this.frames.push({ kind: isBinary ? 'bin' : 'text', bytes: Buffer.from(data) });
    });
    client.ws.on('close', (code, reason) => {
      this.gone = true;
      this.closeCode = code;
      this.frames.push({ kind: 'close', bytes: Buffer.from(reason) });
    });
  }

  static async open(server, room, label) {
    return new Seat(await connect(server, room), label);
  }

  /** Waits until the client-side bucket has a token, then spends it. */
  async pace() {
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(PACE_BURST, this.tokens + ((now - this.refilledAt) / 1000) * PACE_PER_S);
      this.refilledAt = now;
      if (this.tokens >= 1) { this.tokens -= 1; return; }
      await sleep(Math.ceil(((1 - this.tokens) / PACE_PER_S) * 1000));
    }
  }

  async req(obj) {
    await this.pace();
    return super.req(obj);
  }

  /** Takes every message already queued (no waiting). */
  drain() {
    while (this.client.queue.length) {
      const m = this.client.queue.shift();
      if (m.t === 'ev') this.events.push(m);
      if (m.t === 'welcome') { this.you = m.you; this.token = m.token; this.view = m.state; }
    }
  }

  /** This device's own cards now, from its last welcome and the events after it. */
  hand() {
    if (!this.view) return [];
    let hand = [...(this.view.hand || [])];
    for (const ev of this.events) {
      if (ev.seq <= this.view.seq) continue;
      if (ev.e === 'round' || ev.e === 'closed') hand = [];
      else if (ev.e === 'dealt' && Array.isArray(ev.cards)) hand.push(...ev.cards);
      else if (ev.e === 'played' && ev.player === this.you.player) hand = hand.filter((c) => c !== ev.card);
    }
    return hand;
  }
}
