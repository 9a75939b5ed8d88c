// server.mjs - a Verrijk room server as a Node.js user would write it: ws + @msgpack/msgpack, rooms in memory, no log.
//
// A peer for bench/run.sh, not a second implementation of the project: it
// speaks the part of protocol/SPEC.md that verrijk-bench and
// bench/peers/peer_round.test.mjs use (create, join, resume, start, play,
// vote, revote, reveal, note, next, close, ping; `welcome` with a View,
// `ev` with gap-free `seq`, `ok` after the events in the same frame,
// `error` with a code), in `hands` mode. Everything else is answered
// `bad_request`. No rate limits, no per-address budgets, no persistence:
// that is work our server does and this one skips, in its favour.
//
// Its best settings: perMessageDeflate off, bufferutil for masking, an
// event that every member sees alike is encoded once, and what one intent
// sends to a member goes out as one frame (the protocol allows several
// maps per frame, as our server packs them).
//
//   NODE_ENV=production node server.mjs --host 127.0.0.1 --port 8080 --decks ../../../decks
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { encode, decode } from '@msgpack/msgpack';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const HOST = arg('--host', '127.0.0.1');
const PORT = Number(arg('--port', '8080'));
const DECKS = arg('--decks', new URL('../../../decks', import.meta.url).pathname);
const ALPHABET = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/;
const ROOM_MAX = 100;

const decks = new Map();
for (const f of fs.readdirSync(DECKS).filter((f) => f.endsWith('.json'))) {
  const d = JSON.parse(fs.readFileSync(path.join(DECKS, f), 'utf8'));
  const hash = crypto.createHash('sha256').update(encode(d)).digest('hex').slice(0, 16);
  decks.set(d.id, { ...d, ref: { id: d.id, version: d.version, hash } });
}

const rooms = new Map();

class Failure extends Error {
  constructor(code, msg) {
    super(msg);
    this.code = code;
  }
}
const fail = (code, msg) => {
  throw new Failure(code, msg);
};

const DEFAULT_OPTS = { mode: 'hands', hand: 3, anonymous: false, auto_reveal: true, facilitator_plays: false };
function readOpts(o, base) {
  if (o === undefined) return { ...base };
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail('bad_request', 'opts must be a map');
  const r = { ...base };
  if (o.mode !== undefined && o.mode !== 'hands') fail('bad_request', 'this peer plays mode hands only');
  if (o.hand !== undefined) {
    if (!Number.isInteger(o.hand) || o.hand < 1 || o.hand > 7) fail('bad_request', 'opts.hand must be 1..7');
    r.hand = o.hand;
  }
  for (const k of ['anonymous', 'auto_reveal', 'facilitator_plays']) {
    if (o[k] !== undefined) {
      if (typeof o[k] !== 'boolean') fail('bad_request', `opts.${k} must be a bool`);
      r[k] = o[k];
    }
  }
  return r;
}

function str(m, key, min, max, required = true) {
  const v = m[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') fail('bad_request', `${key} must be a string`);
  const n = Buffer.byteLength(v);
  if (n < min || n > max) fail('bad_request', `${key} must be ${min}..${max} bytes`);
  return v;
}

function stats(room, votes) {
  const { min, max } = room.deck.scale;
  const vals = [...votes.values()].filter((v) => v !== null).sort((a, b) => a - b);
  const n = vals.length;
  const hist = new Array(max - min + 1).fill(0);
  for (const v of vals) hist[v - min]++;
  if (n === 0) return { n, pass: votes.size, mean: null, median: null, min: null, max: null, hist };
  const mean = vals.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 ? vals[(n - 1) / 2] : (vals[n / 2 - 1] + vals[n / 2]) / 2;
  return { n, pass: votes.size - n, mean, median, min: vals[0], max: vals[n - 1], hist };
}

function agreement(room, st) {
  if (st.n < 2) return null;
  const r = room.deck.scale.max - room.deck.scale.min;
  const spread = st.max - st.min;
  return spread * 4 <= r ? 'consensus' : spread * 4 >= 3 * r ? 'polarised' : 'mixed';
}

// What one intent sends: per connection, the encoded maps in order; sent as one frame each at the end.
class Outbox {
  constructor() {
    this.by = new Map();
  }
  push(ws, bytes) {
    if (!ws || ws.readyState !== 1) return;
    const l = this.by.get(ws);
    if (l) l.push(bytes);
    else this.by.set(ws, [bytes]);
  }
  flush() {
    for (const [ws, l] of this.by) ws.send(l.length === 1 ? l[0] : Buffer.concat(l));
  }
}

function emit(room, out, e, fields, per) {
  const ev = { t: 'ev', seq: ++room.seq, at: room.now, e, ...fields };
  if (!per) {
    const bytes = encode(ev);
    for (const m of room.members) if (m.present) out.push(m.ws, bytes);
    return;
  }
  for (const m of room.members) if (m.present && m.ws) out.push(m.ws, encode({ ...ev, ...per(m) }));
}

function view(room, me) {
  const t = room.table;
  let table = null;
  if (t) {
    table = { card: t.card, by: t.by, stage: t.revealed ? 'revealed' : 'discuss', notes: t.notes.map(noteView) };
    if (t.votes.has(me.player)) table.my_vote = t.votes.get(me.player);
    if (t.revealed) table.revealed = revealedBody(room, t);
  }
  return {
    room: room.code, title: room.title, lang: room.lang, tz_offset: room.tz_offset, opts: room.opts,
    deck: room.deck.ref, phase: room.phase, locked: false, round: room.round,
    players: room.members.map((m) => ({
      player: m.player, name: m.name, role: m.role, seated: false, present: m.present, online: m.online,
      cards: room.hands.get(m.player)?.length ?? 0, voted: !!t && t.votes.has(m.player),
    })),
    order: room.order, turn: room.turn, table, hand: room.hands.get(me.player) ?? [], pile: room.pile.length,
    history: room.history.map((h) => ({ ...h, notes: h.notes.map(noteView) })),
    timer: null, summary: room.summary, seq: room.seq,
  };
}

const noteView = (n) => ({ note: n.note, player: n.player, text: n.text });

function revealedBody(room, t) {
  const st = stats(room, t.votes);
  return room.opts.anonymous ? { stats: st } : { votes: [...t.votes], stats: st };
}

function reveal(room, out) {
  const t = room.table;
  t.revealed = true;
  emit(room, out, 'revealed', { card: t.card, ...revealedBody(room, t) });
}

function maybeAutoReveal(room, out) {
  const t = room.table;
  if (!room.opts.auto_reveal || !t || t.revealed || t.votes.size === 0) return;
  const voters = room.members.filter((m) => m.present && m.online && t.eligible.has(m.player));
  if (voters.length > 0 && voters.every((m) => t.votes.has(m.player))) reveal(room, out);
}

function finishCard(room, out) {
  const t = room.table;
  if (!t.revealed) reveal(room, out);
  const st = stats(room, t.votes);
  room.history.push({ card: t.card, by: t.by, stats: st, agreement: agreement(room, st), votes: [...t.votes], notes: t.notes });
  room.table = null;
  emit(room, out, 'done', { card: t.card });
}

const holders = (room) => room.order.filter((p) => (room.hands.get(p)?.length ?? 0) > 0);

function nextTurn(room, from) {
  const n = room.order.length;
  const at = room.order.indexOf(from);
  for (let k = 1; k <= n; k++) {
    const p = room.order[(at + k + n) % n];
    if ((room.hands.get(p)?.length ?? 0) > 0) return p;
  }
  return null;
}

function deal(room, players) {
  for (const p of players) room.hands.set(p, []);
  for (let k = 0; k < room.opts.hand && room.pile.length; k++)
    for (const p of players) if (room.pile.length) room.hands.get(p).push(room.pile.shift());
}

function dealt(room, out) {
  const counts = room.order.map((p) => [p, room.hands.get(p).length]);
  emit(room, out, 'dealt', {}, (m) => (room.hands.has(m.player) && room.order.includes(m.player) ? { counts, cards: room.hands.get(m.player) } : { counts }));
}

// The new member's connection is attached by welcome(): its own events are in the View.
function join(room, out, name, role) {
  if (room.members.filter((m) => m.present).length >= ROOM_MAX) fail('room_full', 'This room is full.');
  const lower = name.toLowerCase();
  if (room.members.some((m) => m.present && m.name.toLowerCase() === lower)) fail('name_taken', 'That name is taken in this room.');
  const m = { player: room.members.length + 1, name, role, token: crypto.randomBytes(16).toString('hex'), ws: null, present: true, online: true };
  room.members.push(m);
  emit(room, out, 'joined', { player: m.player, name, role, seated: false });
  if (room.phase === 'playing' && role === 'player') {
    room.order.push(m.player);
    deal(room, [m.player]);
    const cards = room.hands.get(m.player);
    emit(room, out, 'dealt', {}, (x) => (x === m ? { counts: [[m.player, cards.length]], cards } : { counts: [[m.player, cards.length]] }));
    emit(room, out, 'order', { order: room.order });
    if (room.turn === null && !room.table && cards.length) {
      room.turn = m.player;
      emit(room, out, 'turn', { player: m.player });
    }
  }
  return m;
}

function welcome(out, ws, room, m, id) {
  ws.room = room;
  ws.member = m;
  m.ws = ws;
  const w = { t: 'welcome', you: { player: m.player, name: m.name, role: m.role }, token: m.token, state: view(room, m) };
  if (id !== undefined) w.id = id;
  out.push(ws, encode(w));
}

function handle(ws, msg, out) {
  const { t, id } = msg;
  const now = Date.now();
  if (t === 'ping') return { t: 'pong' };
  if (t === 'create' || t === 'join' || t === 'resume') {
    const code = str(msg, 'room', 6, 6);
    if (!ALPHABET.test(code)) fail('bad_request', 'room must be 6 characters of the alphabet');
    if (code !== ws.urlRoom) fail('bad_request', "room differs from the URL's");
    if (t !== 'resume' && ws.member) fail('wrong_phase', 'This connection is in a room already.');
    if (t === 'create') {
      if (rooms.has(code)) fail('room_taken', 'That room code is taken.');
      const name = str(msg, 'name', 1, 40).trim();
      const deck = decks.get(str(msg, 'deck', 1, 64));
      if (!deck) fail('bad_request', 'unknown deck');
      const room = {
        code, title: str(msg, 'title', 0, 120, false) ?? '', lang: msg.lang === 'en' ? 'en' : 'nl', tz_offset: Number.isInteger(msg.tz_offset) ? msg.tz_offset : 0,
        opts: readOpts(msg.opts, DEFAULT_OPTS), deck, members: [], seq: 0, now, phase: 'lobby', round: 0, order: [], turn: null,
        pile: [], hands: new Map(), table: null, history: [], summary: null, notes: 0, replay_key: crypto.randomBytes(16).toString('hex'), started_at: 0,
      };
      rooms.set(code, room);
      emit(room, out, 'created', { room: code, title: room.title, lang: room.lang, tz_offset: room.tz_offset, opts: room.opts, deck: deck.ref, by: 1 });
      const m = join(room, out, name, 'facilitator');
      welcome(out, ws, room, m, id);
      return null;
    }
    const room = rooms.get(code);
    if (!room) fail('no_room', 'There is no room with that code.');
    room.now = now;
    if (t === 'join') {
      const role = msg.role ?? 'player';
      if (role !== 'player' && role !== 'screen') fail('bad_request', 'role must be player or screen');
      const m = join(room, out, str(msg, 'name', 1, 40).trim(), role);
      welcome(out, ws, room, m, id);
      return null;
    }
    const token = str(msg, 'token', 32, 32);
    const m = room.members.find((x) => x.present && crypto.timingSafeEqual(Buffer.from(x.token), Buffer.from(token)));
    if (!m) fail('bad_token', 'That token opens no member of this room.');
    if (m.ws && m.ws !== ws) m.ws.close(4002, 'resumed elsewhere');
    welcome(out, ws, room, m, id);
    return null;
  }
  const room = ws.room;
  const me = ws.member;
  if (!room || !me) fail('not_allowed', 'join or resume this room first');
  room.now = now;
  const facil = () => {
    if (me.role !== 'facilitator') fail('not_allowed', 'Only the facilitator may do that.');
  };
  const playing = () => {
    if (room.phase !== 'playing') fail('wrong_phase', 'No round is being played.');
  };
  switch (t) {
    case 'start': {
      facil();
      if (room.phase === 'playing') fail('wrong_phase', 'A round is being played.');
      room.opts = readOpts(msg.opts, room.opts);
      room.phase = 'playing';
      room.round++;
      room.started_at = now;
      room.history = [];
      room.table = null;
      room.hands = new Map();
      room.order = room.members.filter((m) => m.present && (m.role === 'player' || (m.role === 'facilitator' && room.opts.facilitator_plays))).map((m) => m.player);
      const cards = room.deck.cards.map((c) => c.id);
      for (let i = cards.length - 1; i > 0; i--) {
        const j = crypto.randomInt(i + 1);
        [cards[i], cards[j]] = [cards[j], cards[i]];
      }
      room.pile = cards;
      emit(room, out, 'round', { round: room.round, order: room.order, pile: cards.length, opts: room.opts });
      deal(room, room.order);
      dealt(room, out);
      room.turn = holders(room)[0] ?? null;
      emit(room, out, 'turn', { player: room.turn });
      break;
    }
    case 'play': {
      const card = str(msg, 'card', 1, 64);
      playing();
      if (room.turn !== me.player) fail('not_your_turn', 'It is not your turn.');
      if (room.table) fail('wrong_phase', 'A card is on the table.');
      const hand = room.hands.get(me.player) ?? [];
      const i = hand.indexOf(card);
      if (i < 0) fail('no_card', 'That card is not in your hand.');
      hand.splice(i, 1);
      const eligible = new Set(room.members.filter((m) => m.present && (m.role === 'player' || (m.role === 'facilitator' && room.opts.facilitator_plays))).map((m) => m.player));
      room.table = { card, by: me.player, revealed: false, votes: new Map(), notes: [], eligible };
      emit(room, out, 'played', { player: me.player, card });
      break;
    }
    case 'vote': {
      if (!('value' in msg)) fail('bad_request', 'value is required (nil is a pass)');
      const v = msg.value;
      if (v !== null && !Number.isInteger(v)) fail('bad_request', 'value must be a uint or nil');
      if (me.role === 'screen' || (me.role === 'facilitator' && !room.opts.facilitator_plays)) fail('not_allowed', 'You do not vote.');
      playing();
      if (!room.table) fail('no_card', 'No card is on the table.');
      if (room.table.revealed) fail('wrong_phase', 'The votes are revealed.');
      if (v !== null && (v < room.deck.scale.min || v > room.deck.scale.max)) fail('bad_vote', 'That value is not on the scale.');
      room.table.votes.set(me.player, v);
      emit(room, out, 'voted', { player: me.player }, (m) => (m === me ? { value: v } : {}));
      maybeAutoReveal(room, out);
      break;
    }
    case 'revote':
      facil();
      playing();
      if (!room.table || !room.table.revealed) fail('wrong_phase', 'The votes are not revealed.');
      room.table.votes.clear();
      room.table.revealed = false;
      emit(room, out, 'reopened', { card: room.table.card });
      break;
    case 'reveal':
      facil();
      playing();
      if (!room.table) fail('no_card', 'No card is on the table.');
      reveal(room, out);
      break;
    case 'note': {
      const text = str(msg, 'text', 1, 500);
      if (me.role === 'screen') fail('not_allowed', 'A screen does not write notes.');
      if (!room.table) fail('no_card', 'No card is on the table.');
      if (room.table.notes.length >= 100) fail('bad_request', 'This card has 100 notes.');
      const n = { note: room.notes++, player: me.player, text };
      room.table.notes.push(n);
      emit(room, out, 'noted', { note: n.note, player: me.player, card: room.table.card, text });
      break;
    }
    case 'next': {
      facil();
      if (!room.table) fail('no_card', 'No card is on the table.');
      const by = room.table.by;
      finishCard(room, out);
      room.turn = nextTurn(room, by);
      emit(room, out, 'turn', { player: room.turn });
      break;
    }
    case 'close': {
      facil();
      playing();
      const text = str(msg, 'text', 0, 4000, false) ?? '';
      const actions = msg.actions ?? [];
      if (!Array.isArray(actions) || actions.length > 20 || actions.some((a) => typeof a !== 'string')) fail('bad_request', 'actions must be at most 20 strings');
      if (room.table) finishCard(room, out);
      const voters = new Set();
      for (const h of room.history) for (const [p, v] of h.votes) if (v !== null) voters.add(p);
      const cards = room.history.map((h) => ({ card: h.card, by: h.by, stats: h.stats, agreement: h.agreement, notes: h.notes.map(noteView) }));
      cards.sort((a, b) => (b.stats.mean ?? -Infinity) - (a.stats.mean ?? -Infinity));
      const byId = new Map(room.deck.cards.map((c) => [c.id, c.category]));
      const categories = room.deck.categories.map((c) => {
        const means = room.history.filter((h) => byId.get(h.card) === c.id).map((h) => h.stats.mean).filter((x) => x !== null);
        return { category: c.id, cards: room.history.filter((h) => byId.get(h.card) === c.id).length, mean: means.length ? means.reduce((a, b) => a + b, 0) / means.length : null };
      });
      room.summary = {
        round: room.round, cards, categories, text, actions, started_at: room.started_at, closed_at: now, replay_key: room.replay_key,
        ...(room.opts.anonymous ? {} : { players: [...voters].sort((a, b) => a - b) }),
      };
      room.phase = 'closed';
      room.history = [];
      room.hands = new Map();
      room.pile = [];
      room.turn = null;
      emit(room, out, 'closed', { round: room.round, summary: room.summary });
      break;
    }
    default:
      fail('bad_request', `unknown or unsupported t: ${String(t)}`);
  }
  return null;
}

const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' });
  res.end(req.url === '/healthz' ? 'ok\n' : 'not found\n');
});
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: 16 * 1024,
  handleProtocols: (protocols) => (protocols.has('verrijk.v1') ? 'verrijk.v1' : false),
});
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://x');
  const code = url.searchParams.get('room');
  if (url.pathname !== '/ws' || !code || !ALPHABET.test(code) || !(req.headers['sec-websocket-protocol'] ?? '').split(/\s*,\s*/).includes('verrijk.v1')) {
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.urlRoom = code;
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on('close', () => {
      const m = ws.member;
      if (m && m.ws === ws) {
        m.ws = null;
        m.online = false;
      }
    });
  });
});

function onMessage(ws, data, isBinary) {
  const out = new Outbox();
  let id;
  try {
    if (!isBinary) fail('bad_request', 'binary frames only');
    let msg;
    try {
      msg = decode(data);
    } catch {
      fail('bad_request', 'not one MessagePack map');
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) fail('bad_request', 'a message is a map');
    if (Number.isInteger(msg.id) && msg.id >= 0) id = msg.id;
    if (typeof msg.t !== 'string') fail('bad_request', 't must be a string');
    const reply = handle(ws, msg, out);
    if (reply) out.push(ws, encode(id === undefined ? reply : { ...reply, id }));
    else if (id !== undefined && msg.t !== 'create' && msg.t !== 'join' && msg.t !== 'resume') out.push(ws, encode({ t: 'ok', id }));
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    const err = { t: 'error', code: e.code, msg: e.message };
    if (id !== undefined) err.id = id;
    out.push(ws, encode(err));
  }
  out.flush();
}

server.listen(PORT, HOST, () => console.log(`verrijk node peer on ${HOST}:${PORT}`));
process.on('SIGTERM', () => process.exit(0));
