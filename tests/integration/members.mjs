// members.mjs - scripted room members over real sockets: requests with ids, and the events they saw.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { connect, Client, PROTOCOL, REPLY_TIMEOUT_MS } from './harness.mjs';

export const DECK = 'verrijkte-leeromgevingen';

/** Room codes for tests: distinct, valid (alphabet without 0/O/1/I/L). */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export function roomCode() {
  let s = '';
  for (let i = 0; i < 6; i++) s += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return s;
}

/**
 * One member's device: sends intents with ids and collects every event it
 * receives (in `events`, with `seq`), so tests can assert what each person
 * saw. `you`, `token` and `view` come from the last welcome.
 */
export class Member {
  constructor(client) {
    this.client = client;
    this.events = [];
    this.nextId = 1;
    this.you = null;
    this.token = null;
    this.view = null;
  }

  static async connect(server, room) {
    return new Member(await connect(server, room));
  }

  /** Takes one message off the socket, filing events. */
  async take(timeoutMs = REPLY_TIMEOUT_MS) {
    const m = await this.client.next(timeoutMs);
    if (m.t === 'ev') this.events.push(m);
    if (m.t === 'welcome') {
      this.you = m.you;
      this.token = m.token;
      this.view = m.state;
    }
    return m;
  }

  /**
   * Sends obj with a fresh id; resolves with the answer (ok, welcome or
   * error) for that id, filing the events that came before it.
   */
  async req(obj) {
    const id = this.nextId++;
    this.client.send({ ...obj, id });
    for (;;) {
      const m = await this.take();
      if ((m.t === 'ok' || m.t === 'welcome' || m.t === 'error') && m.id === id) return m;
    }
  }

  /** Like req, but fails the test unless the answer is ok or welcome. */
  async must(obj) {
    const m = await this.req(obj);
    assert.notEqual(m.t, 'error', `${obj.t} refused: ${m.code} ${m.msg}`);
    return m;
  }

  /** Like req, but expects the error code given. */
  async refused(obj, code) {
    const m = await this.req(obj);
    assert.equal(m.t, 'error', `${obj.t} should be refused with ${code}`);
    assert.equal(m.code, code, `${obj.t}: ${m.msg}`);
    return m;
  }

  /** Reads events until one with seq >= seq has arrived. */
  async until(seq) {
    while (this.lastSeq() < seq) await this.take();
  }

  lastSeq() {
    return this.events.length ? this.events[this.events.length - 1].seq : (this.view ? this.view.seq : 0);
  }

  /** The events of kind e this member saw. */
  seen(e) {
    return this.events.filter((m) => m.e === e);
  }

  async close() {
    await this.client.close();
  }
}

/**
 * Opens /ws?room=room with optional X-Real-IP and Origin headers. Resolves
 * { opened: true, client } or { opened: false, why }.
 */
export function upgrade(server, room, { ip, origin, rawQuery } = {}) {
  return new Promise((resolve) => {
    const headers = {};
    if (ip) headers['X-Real-IP'] = ip;
    const opts = { headers, handshakeTimeout: REPLY_TIMEOUT_MS };
    if (origin) opts.origin = origin;
    const url = rawQuery === undefined ? server.wsUrl(room) : `ws://127.0.0.1:${server.port}/ws?${rawQuery}`;
    const ws = new WebSocket(url, [PROTOCOL], opts);
    const client = new Client(ws);
    let done = false;
    const finish = (r) => { if (!done) { done = true; resolve(r); } };
    ws.on('open', () => finish({ opened: true, client }));
    ws.on('unexpected-response', (req, res) => { finish({ opened: false, why: `HTTP ${res.statusCode}` }); ws.terminate(); });
    ws.on('error', (e) => finish({ opened: false, why: e.message }));
    ws.on('close', (code) => finish({ opened: false, why: `closed ${code}` }));
  });
}

/** A Member on a new socket; the upgrade must succeed. */
export async function member(server, room, opts) {
  const r = await upgrade(server, room, opts);
  assert.ok(r.opened, `upgrade to ${room} refused: ${r.why}`);
  return new Member(r.client);
}
