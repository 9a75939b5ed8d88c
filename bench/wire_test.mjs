// bench/wire_test.mjs: checks verrijk-bench's WebSocket client on the wire paths the real server rarely takes.
//
// usage: node bench/wire_test.mjs [BENCH_BINARY]   (default build/bench/verrijk-bench)
// A scripted server on 127.0.0.1 answers `create`/`join` with welcomes sent as
// fragments with a ping between them, 16- and 64-bit lengths, and several
// maps in one frame, and refuses the first room code as taken; then it checks that the bench ran `connect` to the end,
// answered the ping with a matching pong, masked every frame and closed with
// a close frame. Node >= 20, no dependencies.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = process.argv[2] || path.join(ROOT, 'build/bench/verrijk-bench');
const TIMEOUT_MS = 20000;

// ---- a minimal MessagePack encoder/decoder (maps, arrays, str, uint, nil, bool) ----
function enc(v) {
  if (v === null) return Buffer.from([0xc0]);
  if (v === true || v === false) return Buffer.from([v ? 0xc3 : 0xc2]);
  if (typeof v === 'number') {
    if (v < 128) return Buffer.from([v]);
    const b = Buffer.alloc(5); b[0] = 0xce; b.writeUInt32BE(v, 1); return b;
  }
  if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    if (s.length < 32) return Buffer.concat([Buffer.from([0xa0 | s.length]), s]);
    const h = Buffer.alloc(3); h[0] = 0xda; h.writeUInt16BE(s.length, 1); return Buffer.concat([h, s]);
  }
  if (Array.isArray(v)) return Buffer.concat([Buffer.from([0x90 | v.length]), ...v.map(enc)]);
  const keys = Object.keys(v);
  return Buffer.concat([Buffer.from([0x80 | keys.length]), ...keys.flatMap((k) => [enc(k), enc(v[k])])]);
}
function dec(b, o = { i: 0 }) {
  const t = b[o.i++];
  if (t <= 0x7f) return t;
  if ((t & 0xf0) === 0x80 || t === 0xde) {
    let n = t & 0x0f; if (t === 0xde) { n = b.readUInt16BE(o.i); o.i += 2; }
    const m = {}; for (let k = 0; k < n; k++) { const key = dec(b, o); m[key] = dec(b, o); } return m;
  }
  if ((t & 0xf0) === 0x90) { const a = []; for (let k = 0; k < (t & 0x0f); k++) a.push(dec(b, o)); return a; }
  if ((t & 0xe0) === 0xa0 || t === 0xd9) {
    let n = t & 0x1f; if (t === 0xd9) n = b[o.i++];
    const s = b.toString('utf8', o.i, o.i + n); o.i += n; return s;
  }
  if (t === 0xc0) return null;
  if (t === 0xc2 || t === 0xc3) return t === 0xc3;
  if (t === 0xcc) return b[o.i++];
  if (t === 0xcd) { const v = b.readUInt16BE(o.i); o.i += 2; return v; }
  if (t === 0xce) { const v = b.readUInt32BE(o.i); o.i += 4; return v; }
  if (t === 0xcf) { const v = Number(b.readBigUInt64BE(o.i)); o.i += 8; return v; }
  if (t === 0xd0) return b.readInt8(o.i++);
  if (t >= 0xe0) return t - 256;
  throw new Error(`unexpected MessagePack byte 0x${t.toString(16)}`);
}

// ---- server frames ----
function frame(op, payload, fin = true, lenForm = 'min') {
  let h;
  if (lenForm === '64' || payload.length > 65535) {
    h = Buffer.alloc(10); h[1] = 127; h.writeBigUInt64BE(BigInt(payload.length), 2);
  } else if (lenForm === '16' || payload.length >= 126) {
    h = Buffer.alloc(4); h[1] = 126; h.writeUInt16BE(payload.length, 2);
  } else {
    h = Buffer.alloc(2); h[1] = payload.length;
  }
  h[0] = (fin ? 0x80 : 0) | op;
  return Buffer.concat([h, payload]);
}

const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
let welcomes = 0, pongsOk = 0, pingsSent = 0, closesSeen = 0, unmasked = 0, clientMsgs = 0;
let takenCode = null, retriedCode = null; // the first create is answered room_taken

function view(seq) {
  return { room: 'X', phase: 'lobby', players: [], hand: [], seq, pad: 'p'.repeat(300) };
}

const server = net.createServer((sock) => {
  let buf = Buffer.alloc(0), upgraded = false, player = 0, urlRoom = null;
  sock.on('error', () => {});
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    if (!upgraded) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      buf = buf.subarray(end + 4);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1];
      check(/^GET \/ws\?room=[2-9A-HJKMNP-Z]{6} HTTP\/1\.1/.test(head), `request line: ${head.split('\r\n')[0]}`);
      urlRoom = /room=(\w+)/.exec(head)?.[1];
      check(/sec-websocket-protocol:\s*verrijk\.v1/i.test(head), 'subprotocol offered');
      const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: verrijk.v1\r\n\r\n`);
      upgraded = true;
    }
    while (buf.length >= 2) {
      const masked = buf[1] & 0x80;
      let len = buf[1] & 0x7f, h = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); h = 4; }
      if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); h = 10; }
      if (masked) h += 4;
      if (buf.length < h + len) return;
      if (!masked) unmasked++;
      const mask = buf.subarray(h - 4, h);
      const p = Buffer.from(buf.subarray(h, h + len));
      if (masked) for (let i = 0; i < p.length; i++) p[i] ^= mask[i & 3];
      const op = buf[0] & 0x0f;
      buf = buf.subarray(h + len);
      if (op === 0xa) { if (p.toString() === 'are you there') pongsOk++; continue; }
      if (op === 0x8) { closesSeen++; sock.end(); continue; }
      if (op !== 0x2) { failures.push(`client opcode ${op}`); continue; }
      clientMsgs++;
      const m = dec(p);
      check(m.room === urlRoom, `${m.t} room ${m.room} differs from the URL's ${urlRoom}`);
      if (m.t === 'create' && takenCode === null) {
        takenCode = m.room;
        sock.write(frame(0x2, enc({ t: 'error', id: m.id, code: 'room_taken', msg: 'taken' })));
        continue;
      }
      if (m.t === 'create' && m.room === takenCode) failures.push('the taken code was proposed again');
      if (m.t === 'create' && retriedCode === null) retriedCode = m.room;
      if (m.t === 'create') {
        player = 1;
        // A welcome in three fragments with a ping between them, a 16-bit and a 64-bit length.
        const w = enc({ t: 'welcome', id: m.id, you: { player, name: m.name, role: 'facilitator' },
          token: 'f'.repeat(32), state: view(2) });
        const a = Math.floor(w.length / 3), b2 = Math.floor((2 * w.length) / 3);
        sock.write(Buffer.concat([
          frame(0x2, w.subarray(0, a), false, '16'),
          frame(0x9, Buffer.from('are you there')),
          frame(0x0, w.subarray(a, b2), false, '64'),
        ]));
        pingsSent++;
        // The last fragment arrives split over two writes, a byte at a time at first.
        const last = frame(0x0, w.subarray(b2), true);
        sock.write(last.subarray(0, 1));
        setTimeout(() => { sock.write(last.subarray(1)); welcomes++; }, 20);
      } else if (m.t === 'join') {
        player = 2;
        // Several maps back to back in one frame: an event, the welcome, then a pong.
        const maps = Buffer.concat([
          enc({ t: 'ev', seq: 3, at: 1, e: 'presence', player: 1, online: true }),
          enc({ t: 'welcome', id: m.id, you: { player, name: m.name, role: 'player' }, token: 'e'.repeat(32), state: view(3) }),
          enc({ t: 'pong' }),
        ]);
        sock.write(frame(0x2, maps));
        welcomes++;
      } else {
        failures.push(`unexpected intent ${m.t}`);
      }
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const bench = spawn(BENCH, ['connect', '--url', `ws://127.0.0.1:${port}`, '--rooms', '3', '--members', '2',
    '--hold', '1', '--json', '--timeout', '15'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  bench.stdout.on('data', (d) => { out += d; });
  bench.stderr.on('data', (d) => { err += d; });
  const timer = setTimeout(() => { bench.kill('SIGKILL'); }, TIMEOUT_MS);
  bench.on('exit', (code) => {
    clearTimeout(timer);
    setTimeout(() => {
      server.close();
      check(code === 0, `bench exit status ${code}: ${err}`);
      let r = {};
      try { r = JSON.parse(out); } catch { failures.push(`bench output is not JSON: ${out}`); }
      check(r.established === 6, `established ${r.established}`);
      check(r.protocol_violations === 0, `protocol_violations ${r.protocol_violations}`);
      check(r.seq_gaps === 0, `seq_gaps ${r.seq_gaps}`);
      check(welcomes === 6 && clientMsgs === 7, `welcomes ${welcomes}, client messages ${clientMsgs}`);
      check(takenCode !== null && retriedCode !== null, 'room_taken was answered and another code tried');
      check(pongsOk === pingsSent && pingsSent === 3, `pongs ${pongsOk} of ${pingsSent} pings`);
      check(unmasked === 0, `${unmasked} unmasked client frames`);
      check(closesSeen === 6, `close frames ${closesSeen} of 6`);
      check(r.errors?.room_taken === 1, `errors ${JSON.stringify(r.errors)}`);
      if (failures.length) {
        console.error(`wire_test: FAILED\n  ${failures.join('\n  ')}`);
        process.exit(1);
      }
      console.log('wire_test: ok (room_taken retried with a new code, fragments, ping/pong, 16/64-bit lengths, split frames, several maps per frame, masking, close)');
    }, 200);
  });
});
