// load.mjs - what --sync costs, end to end: events/s and intent-to-ok latency of the real server over real sockets.
//
// Not a test: a measurement to run by hand (tests/bench/README.md). For each
// --sync mode it starts the real binary on 127.0.0.1 with a fresh data
// directory, opens ROOMS rooms with a facilitator and three players each,
// starts a round and puts a card on the table, then for SECONDS keeps
// SENDERS members per room busy: each sends its next intent (a vote, which
// it changes every time; two of the three players vote, so the card is never
// revealed) when the previous one was answered, paced to stay under the
// per-connection rate limit. Every intent is one event in the log, fanned
// out to the room's four members. It prints, per mode, intents (= logged
// events) per second, events delivered per second, and p50/p99/max latency
// from sending an intent to its ok, the server's CPU time per event (robust
// to other load on the machine), and the 1-minute load average (when it
// exceeds the cores, latency measures the machine, not the server). The
// server is stopped by its PID.
//
// Usage (from tests/): node bench/load.mjs [--rooms N] [--seconds S] [--modes always,batch,none] [--pace-ms MS]
//   VERRIJK_BIN picks the binary (default ../build/server/verrijk).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { startServer, connect } from '../integration/harness.mjs';

/** The server's CPU time so far (user + system), in ms, from /proc. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const ROOMS = Number(opt('rooms', 100));
const SECONDS = Number(opt('seconds', 5));
const MODES = opt('modes', 'always,batch,none').split(',');
// 20 intents/s per connection is the server's sustained rate limit.
const PACE_MS = Number(opt('pace-ms', 60));
const SENDERS = 2;
const DECK = 'verrijkte-leeromgevingen';
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const SETUP_BATCH = 20;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function code(i) {
  let s = '';
  let n = i + 31 * 31 * 31;
  for (let k = 0; k < 6; k++) { s += ALPHABET[n % ALPHABET.length]; n = Math.floor(n / ALPHABET.length); }
  return s;
}

/** One connection with request ids: answers resolve by id, events are counted. */
class Conn {
  constructor(client) {
    this.c = client;
    this.id = 1;
    this.waiting = new Map();
    this.events = 0;
    this.last = null;
    client.next = undefined; // every message goes through on()
    client.ws.removeAllListeners('message');
    client.ws.on('message', (data) => this.on(data));
  }

  on(data) {
    for (const m of this.c.decode(data)) {
      if (m.t === 'ev') { this.events++; this.last = m; continue; }
      if (m.id !== undefined && this.waiting.has(m.id)) {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        w(m);
      }
    }
  }

  req(obj) {
    const id = this.id++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.c.send({ ...obj, id });
    });
  }

  async must(obj) {
    const m = await this.req(obj);
    if (m.t === 'error') throw new Error(`${obj.t}: ${m.code} ${m.msg}`);
    return m;
  }
}

async function openRoom(server, i, decodeMulti) {
  const room = code(i);
  const mk = async () => {
    const cl = await connect(server, room);
    cl.decode = decodeMulti;
    return new Conn(cl);
  };
  const fac = await mk();
  await fac.must({ t: 'create', room, name: 'Fien', title: 'bench', deck: DECK, lang: 'nl', tz_offset: 0, opts: { mode: 'deck' } });
  const players = [];
  for (const name of ['Anna', 'Bram', 'Chris']) {
    const p = await mk();
    await p.must({ t: 'join', room, name, role: 'player' });
    players.push(p);
  }
  await fac.must({ t: 'start' });
  await fac.must({ t: 'draw' });
  return { fac, players };
}

function pct(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function runMode(mode, decodeMulti) {
  const server = await startServer({ args: ['--sync', mode] });
  const rooms = [];
  try {
    for (let i = 0; i < ROOMS; i += SETUP_BATCH) {
      const batch = [];
      for (let k = i; k < Math.min(ROOMS, i + SETUP_BATCH); k++) batch.push(openRoom(server, k, decodeMulti));
      rooms.push(...(await Promise.all(batch)));
    }
    const lat = [];
    let oks = 0;
    let busy = 0;
    let stop = false;
    const delivered0 = rooms.reduce((n, r) => n + r.fac.events + r.players.reduce((a, p) => a + p.events, 0), 0);
    const sender = async (conn, k) => {
      await sleep(Math.random() * PACE_MS);
      let v = 1 + k;
      while (!stop) {
        const t0 = process.hrtime.bigint();
        const m = await conn.req({ t: 'vote', value: 1 + (v++ % 5) });
        const dt = Number(process.hrtime.bigint() - t0) / 1e6;
        if (m.t === 'ok') { oks++; lat.push(dt); } else if (m.code === 'server_busy' || m.code === 'rate_limited') busy++;
        else throw new Error(`vote: ${m.code} ${m.msg}`);
        if (dt < PACE_MS) await sleep(PACE_MS - dt);
      }
    };
    const cpu0 = cpuMs(server.proc.pid);
    const t0 = Date.now();
    const all = [];
    for (const r of rooms) for (let k = 0; k < SENDERS; k++) all.push(sender(r.players[k], k));
    await sleep(SECONDS * 1000);
    stop = true;
    await Promise.all(all);
    const secs = (Date.now() - t0) / 1000;
    const cpu = cpuMs(server.proc.pid) - cpu0;
    const delivered = rooms.reduce((n, r) => n + r.fac.events + r.players.reduce((a, p) => a + p.events, 0), 0) - delivered0;
    lat.sort((a, b) => a - b);
    const row = {
      mode,
      rooms: ROOMS,
      connections: ROOMS * 4,
      'events/s': Math.round(oks / secs),
      'delivered/s': Math.round(delivered / secs),
      'p50 ms': pct(lat, 50).toFixed(2),
      'p99 ms': pct(lat, 99).toFixed(2),
      'max ms': lat.length ? lat[lat.length - 1].toFixed(2) : 'NaN',
      refused: busy,
      'server CPU µs/event': oks ? Math.round((cpu * 1000) / oks) : NaN,
      load: os.loadavg()[0].toFixed(1),
    };
    for (const r of rooms) for (const c of [r.fac, ...r.players]) c.c.ws.close();
    await sleep(200);
    return row;
  } finally {
    await server.stop();
  }
}

const { decodeMulti } = await import('@msgpack/msgpack');
const rows = [];
for (const mode of MODES) rows.push(await runMode(mode, decodeMulti));
console.table(rows);
