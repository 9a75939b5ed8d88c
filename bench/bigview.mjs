// bigview.mjs - the cost of a big welcome: join and resume of a room with 100 members and a round whose notes are full.
//
//   node bench/bigview.mjs --port PORT --pid PID [--resumes 50] [--json]
//
// Against a running server on 127.0.0.1 (bench/run.sh starts it with
// fresh data and the per-address budgets lifted). Builds the room as
// tests/integration/bigview.test.mjs does: the default deck in deck mode,
// 25 writers with 40-byte names write notes of 500 bytes, 100 per card,
// until the server says the round's notes are full (SPEC.md §3.2 item 4);
// 64 more members joined and went away (present, no socket), so 90 are
// present; the last card stays on the table (the round is being played:
// the View carries every note). Then 10 newcomers join one after the other
// (90 → 100 members) and a member with no socket resumes on a fresh
// connection --resumes times. For each welcome: its frame's bytes, the
// time from sending the intent to reading the whole frame, and the
// server's main thread's CPU time over it (/proc/PID/task/PID/schedstat,
// nanoseconds: the thread that encodes the View and sends it).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The Node peer's pinned packages (npm ci in bench/peers/node).
const require = createRequire(path.join(HERE, 'peers', 'node', 'package.json'));
const WebSocket = require('ws');
const { encode, decodeMulti } = require('@msgpack/msgpack');

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const PORT = Number(opt('--port'));
const PID = Number(opt('--pid', '0'));
const RESUMES = Number(opt('--resumes', '50'));
const JSON_OUT = argv.includes('--json');
if (!PORT) {
  console.error('usage: node bench/bigview.mjs --port PORT [--pid PID] [--resumes N] [--json]');
  process.exit(1);
}

const DECK = 'verrijkte-leeromgevingen';
const CARDS = 39;
const WRITERS = 25;
const ABSENT = 64;
const JOINERS = 10;
const NOTE_BYTES = 500;
const NOTES_PER_CARD = 100;
const WAIT_MS = 60_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The server's main thread's CPU time in ns (0 without --pid). */
const cpuNs = () => (PID ? Number(readFileSync(`/proc/${PID}/task/${PID}/schedstat`, 'utf8').split(' ')[0]) : 0);

class Conn {
  static async open(room) {
    const c = new Conn();
    c.ws = new WebSocket(`ws://127.0.0.1:${PORT}/ws?room=${room}`, 'verrijk.v1', { perMessageDeflate: false });
    c.pending = new Map();
    c.nextId = 1;
    c.ws.on('message', (data) => {
      const at = performance.now();
      for (const m of decodeMulti(data)) {
        const p = m.id !== undefined && (m.t === 'ok' || m.t === 'welcome' || m.t === 'error') ? c.pending.get(m.id) : null;
        if (p) {
          c.pending.delete(m.id);
          p({ m, at, bytes: data.length });
        }
      }
    });
    await new Promise((resolve, reject) => { c.ws.once('open', resolve); c.ws.once('error', reject); });
    return c;
  }
  req(msg) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${msg.t}`)), WAIT_MS);
      this.pending.set(id, (r) => { clearTimeout(timer); resolve(r); });
      this.ws.send(encode({ ...msg, id }));
    });
  }
  /** req, again while rate_limited (20 messages/s per connection); fails on another error unless allowed. */
  async must(msg, allow = []) {
    for (;;) {
      const r = await this.req(msg);
      if (r.m.t === 'error' && r.m.code === 'rate_limited') { await sleep(60); continue; }
      if (r.m.t === 'error' && !allow.includes(r.m.code)) throw new Error(`${msg.t}: ${r.m.code} ${r.m.msg}`);
      return r;
    }
  }
  close() { this.ws.terminate(); }
}

const code = () => Array.from({ length: 6 }, () => '23456789ABCDEFGHJKMNPQRSTUVWXYZ'[Math.floor(Math.random() * 31)]).join('');
const room = code();
const conns = [];
const fac = await Conn.open(room);
conns.push(fac);
await fac.must({ t: 'create', room, name: 'F'.repeat(40), title: 'T'.repeat(120), deck: DECK, lang: 'nl', tz_offset: 60, opts: { mode: 'deck' } });
const writers = [];
for (let i = 0; i < WRITERS; i++) {
  const w = await Conn.open(room);
  await w.must({ t: 'join', room, name: `Schrijver ${String(i).padStart(2, '0')} `.padEnd(40, 'w'), role: 'player' });
  writers.push(w);
  conns.push(w);
}
let absentToken = '';
for (let i = 0; i < ABSENT; i++) {
  const a = await Conn.open(room);
  const r = await a.must({ t: 'join', room, name: `Deelnemer ${String(i).padStart(2, '0')} `.padEnd(40, 'd'), role: 'player' });
  absentToken = r.m.token;
  a.close();
}

// One round, notes until full, the last card on the table.
await fac.must({ t: 'start' });
let full = false;
let notes = 0;
for (let card = 0; card < CARDS; card++) {
  await fac.must({ t: 'draw' });
  if (!full) {
    await Promise.all(writers.map(async (w, k) => {
      for (let n = k; n < NOTES_PER_CARD && !full; n += WRITERS) {
        const head = `c${card} n${n} `;
        const r = await w.must({ t: 'note', text: head + 'x'.repeat(NOTE_BYTES - head.length) }, ['bad_request']);
        if (r.m.t === 'error') full = true;
        else notes++;
      }
    }));
  }
  if (card < CARDS - 1) await fac.must({ t: 'next' });
}

async function timed(msg) {
  const c = await Conn.open(room);
  const cpu0 = cpuNs();
  const t0 = performance.now();
  const r = await c.must(msg);
  const cpu1 = cpuNs();
  if (r.m.t !== 'welcome') throw new Error(`${msg.t}: no welcome`);
  return { c, ms: r.at - t0, bytes: r.bytes, cpu_us: (cpu1 - cpu0) / 1000 };
}

const joins = [];
for (let i = 0; i < JOINERS; i++) {
  const j = await timed({ t: 'join', room, name: `Laatkomer ${String(i).padStart(2, '0')} `.padEnd(40, 'l'), role: 'player' });
  conns.push(j.c);
  joins.push(j);
}
const resumes = [];
for (let i = 0; i < RESUMES; i++) {
  const r = await timed({ t: 'resume', room, token: absentToken });
  r.c.close();
  resumes.push(r);
}
for (const c of conns) c.close();

const stat = (xs, f) => {
  const v = xs.map(f).sort((a, b) => a - b);
  return { p50: v[Math.floor(v.length / 2)], max: v[v.length - 1], mean: v.reduce((a, b) => a + b, 0) / v.length };
};
const out = {
  members: 100, notes, note_bytes: NOTE_BYTES, joins: joins.length, resumes: resumes.length,
  join_welcome_bytes: stat(joins, (x) => x.bytes).max, resume_welcome_bytes: stat(resumes, (x) => x.bytes).p50,
  join_ms: stat(joins, (x) => x.ms), resume_ms: stat(resumes, (x) => x.ms),
  join_server_us: PID ? stat(joins, (x) => x.cpu_us) : null, resume_server_us: PID ? stat(resumes, (x) => x.cpu_us) : null,
};
if (JSON_OUT) console.log(JSON.stringify(out));
else console.log(out);
