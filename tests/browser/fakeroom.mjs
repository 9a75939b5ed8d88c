// A scripted stand-in for the server's rooms layer, for browser tests of screens the real server cannot show yet.
// The page, its static files and its HTTP come from the real server; only /ws and /api are answered here.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encode, decodeMulti } from '@msgpack/msgpack';
import { testsDir } from './server.mjs';

export const ROOM = 'K7M4QX';
export const deck = JSON.parse(readFileSync(resolve(testsDir, '../decks/verrijkte-leeromgevingen.json'), 'utf8'));
export const HASH = '0123456789abcdef';
export const TOKEN = 'ab'.repeat(16);
export const [C1, C2, C3, C4, C5] = deck.cards.map((c) => c.id);

export const FAC = 1, ANA = 2, BO = 3, CAS = 4, SCREEN = 5;

export function stats(votes, pass = 0) {
  const hist = [0, 0, 0, 0, 0];
  for (const x of votes) hist[x - 1]++;
  const s = [...votes].sort((a, b) => a - b);
  const n = s.length;
  return {
    n, pass, hist,
    mean: n ? s.reduce((a, b) => a + b, 0) / n : null,
    median: n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : null,
    min: n ? s[0] : null, max: n ? s[n - 1] : null,
  };
}

const person = (player, name, role, extra = {}) => ({ player, name, role, seated: false, present: true, online: true, cards: 0, voted: false, ...extra });

/** A View (SPEC.md §6) in a given phase, seen by `me`. */
export function makeView(phase, me, extra = {}) {
  return {
    room: ROOM, title: 'Teamdag Zorgacademie', lang: 'nl', tz_offset: 60,
    opts: { mode: 'hands', hand: 3, anonymous: false, auto_reveal: true, facilitator_plays: false },
    deck: { id: deck.id, version: deck.version, hash: HASH },
    phase, locked: false, round: phase === 'lobby' ? 0 : 1,
    players: [
      person(FAC, 'Fenna de Vries', 'facilitator'),
      person(ANA, 'Ana', 'player', { cards: phase === 'playing' ? 3 : 0 }),
      person(BO, 'Bo Jansen', 'player', { cards: phase === 'playing' ? 2 : 0, online: false }),
      person(CAS, 'Cas', 'player', { seated: true, online: false }),
      person(SCREEN, 'Scherm', 'screen'),
    ],
    order: [ANA, BO], turn: phase === 'playing' ? ANA : null, table: null,
    hand: phase === 'playing' && me === ANA ? [C1, C2, C3] : [],
    pile: phase === 'playing' ? 30 : 0, history: [], timer: null, summary: null, seq: 12,
    ...extra,
  };
}

export function summary() {
  return {
    round: 1,
    cards: [
      { card: C2, by: BO, stats: stats([5, 4, 5]), agreement: 'consensus', notes: [{ note: 2, player: BO, text: 'Stage-plekken bij de gemeente' }] },
      { card: C1, by: ANA, stats: stats([1, 5, 4]), agreement: 'polarised', notes: [{ note: 1, player: ANA, text: 'Wie vertegenwoordigt de buurt?' }, { note: 3, player: FAC }] },
      { card: C3, by: ANA, stats: stats([], 3), agreement: null, notes: [] },
    ],
    categories: [{ category: deck.categories[0].id, cards: 3, mean: 4.2 }],
    text: 'Goed gesprek. We pakken de samenwerking met de gemeente op.',
    actions: ['Afspraak met wijkteam plannen', 'Stagebegeleiders uitnodigen'],
    players: [ANA, BO, CAS], started_at: 1764324000000, closed_at: 1764327600000, replay_key: 'c0ffee'.repeat(5) + 'ab',
  };
}

/** The address GET /api/server names for phones: the pages open on 127.0.0.1, so the join panels show this one. */
export const LAN_URL = 'http://192.168.1.20:8080/';

/** The deck listing and deck HTTP endpoints, and GET /api/server, as the server answers them (§8). */
export async function routeApi(context, extra = {}) {
  await context.route(/\/api\/server$/, (r) => r.fulfill({ json: { version: '0.1.0', join_urls: [LAN_URL, 'http://[2001:db8::20]:8080/'] } }));
  await context.route(/\/api\/decks$/, (r) => r.fulfill({ json: [{ id: deck.id, version: deck.version, title: deck.title, cards: deck.cards.length, categories: deck.categories }] }));
  await context.route(/\/api\/decks\/[0-9a-f]+$/, (r) => r.fulfill({ json: deck }));
  for (const [pattern, handler] of Object.entries(extra)) await context.route(new RegExp(pattern), handler);
}

/**
 * Answers the page's WebSocket: `resume`/`join`/`create` get a welcome with
 * the current View, other intents go to `onIntent(msg, room)` which returns
 * events to send (then an `ok`), or an error code string. Records every
 * message the page sent and every connection it opened.
 */
export async function fakeRoom(context, { view, you, onIntent = () => [] }) {
  // room.refuseResume = { code, reason }: every resume is answered by closing the socket (a server that cannot serve it).
  const room = { view, you, sent: [], sockets: [], seq: view.seq, refuseResume: null };
  await context.routeWebSocket(/\/ws\?room=/, (ws) => {
    room.sockets.push(ws);
    const send = (...maps) => ws.send(Buffer.concat(maps.map((m) => Buffer.from(encode(m)))));
    room.push = (events) => send(...events.map((e) => ({ t: 'ev', seq: ++room.seq, at: Date.now(), ...e })));
    ws.onMessage((data) => {
      for (const msg of decodeMulti(typeof data === 'string' ? Buffer.from(data) : data)) {
        room.sent.push(msg);
        if (msg.t === 'ping') { send({ t: 'pong' }); continue; }
        if (msg.t === 'resume' && room.refuseResume) {
          ws.close(room.refuseResume);
          continue;
        }
        if (msg.t === 'resume' || msg.t === 'join' || msg.t === 'create') {
          send({ t: 'welcome', id: msg.id, you: room.you, token: TOKEN, state: { ...room.view, seq: room.seq } });
          continue;
        }
        const out = onIntent(msg, room);
        if (typeof out === 'string') { send({ t: 'error', id: msg.id, code: out, msg: out }); continue; }
        send(...out.map((e) => ({ t: 'ev', seq: ++room.seq, at: Date.now(), ...e })), { t: 'ok', id: msg.id });
      }
    });
  });
  return room;
}

/** Stores a member's token for the room before the page loads, as a returning device has it. */
export async function withToken(context, slot = '') {
  await context.addInitScript(([key, token]) => localStorage.setItem(key, token), [`verrijk.token.${ROOM}${slot ? `:${slot}` : ''}`, TOKEN]);
}
