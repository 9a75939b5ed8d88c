// rawws.mjs - WebSocket by hand over a TCP socket, so a test can send broken, partial and hostile frames.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { PROTOCOL, REPLY_TIMEOUT_MS } from '../harness.mjs';

export const OP_CONT = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;

/**
 * One client frame. Options: fin (default true), rsv (the three bits, 0..7),
 * mask (default true: clients must mask), declared (a payload length to
 * announce other than the real one).
 */
export function wsFrame(opcode, payload = Buffer.alloc(0), { fin = true, rsv = 0, mask = true, declared } = {}) {
  const body = Buffer.from(payload);
  const len = declared ?? body.length;
  const head = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127);
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(...b);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), body]);
  const key = randomBytes(4);
  const masked = Buffer.from(body);
  for (let i = 0; i < masked.length; i++) masked[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** The HTTP request that asks for a verrijk.v1 WebSocket on room. */
export function upgradeRequest(port, room) {
  return `GET /ws?room=${room} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
    + `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n`
    + `Sec-WebSocket-Protocol: ${PROTOCOL}\r\n\r\n`;
}

/**
 * Parses unmasked server frames from buf. Returns { frames: [{ opcode,
 * fin, payload }], rest } where rest is an incomplete tail.
 */
export function parseFrames(buf) {
  const frames = [];
  let pos = 0;
  for (;;) {
    if (buf.length - pos < 2) break;
    const b0 = buf[pos];
    const b1 = buf[pos + 1];
    let len = b1 & 0x7f;
    let hdr = 2;
    if (len === 126) {
      if (buf.length - pos < 4) break;
      len = buf.readUInt16BE(pos + 2);
      hdr = 4;
    } else if (len === 127) {
      if (buf.length - pos < 10) break;
      len = Number(buf.readBigUInt64BE(pos + 2));
      hdr = 10;
    }
    if (b1 & 0x80) hdr += 4; // a server never masks; tolerate it in the count
    if (buf.length - pos < hdr + len) break;
    frames.push({ opcode: b0 & 0x0f, fin: !!(b0 & 0x80), payload: buf.subarray(pos + hdr, pos + hdr + len) });
    pos += hdr + len;
  }
  return { frames, rest: buf.subarray(pos) };
}

/**
 * A raw connection after a successful upgrade. It reads the server's
 * frames as they come (`frames`); `closed` resolves when the TCP socket is
 * gone, with { closeCode (from the server's close frame, or null), by:
 * 'server'|'client' }.
 */
export class RawWs {
  constructor(sock, rest) {
    this.sock = sock;
    this.frames = [];
    this.buf = Buffer.from(rest);
    this.closeCode = null;
    this.destroyedByUs = false;
    this.closed = new Promise((resolve) => {
      sock.on('close', () => resolve({ closeCode: this.closeCode, by: this.destroyedByUs ? 'client' : 'server' }));
    });
    sock.on('error', () => { /* surfaces as close */ });
    sock.on('data', (d) => this.onData(d));
    this.onData(Buffer.alloc(0));
  }

  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    const { frames, rest } = parseFrames(this.buf);
    this.buf = Buffer.from(rest);
    for (const f of frames) {
      if (f.opcode === OP_CLOSE && this.closeCode === null) {
        this.closeCode = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
        // Answer as a client should (RFC 6455 §5.5.1), so the server need not wait for us.
        if (!this.sock.destroyed) this.sock.end(wsFrame(OP_CLOSE, f.payload.subarray(0, 2)));
      }
      this.frames.push(f);
    }
  }

  /** Writes bytes; resolves when the kernel took them (or the socket is gone). */
  write(bytes) {
    return new Promise((resolve) => {
      if (this.sock.destroyed || this.sock.writableEnded) { resolve(false); return; }
      this.sock.write(bytes, () => resolve(true));
    });
  }

  destroy() {
    this.destroyedByUs = true;
    this.sock.destroy();
  }

  /** Sends a TCP RST instead of a FIN. */
  reset() {
    this.destroyedByUs = true;
    this.sock.resetAndDestroy();
  }
}

/** Connects and upgrades by hand; rejects unless the answer is 101 within the reply timeout. */
export function rawUpgrade(server, room) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(server.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no upgrade answer')); }, REPLY_TIMEOUT_MS);
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      sock.off('data', onData);
      const head = buf.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) {
        sock.destroy();
        reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        return;
      }
      resolve(new RawWs(sock, buf.subarray(end + 4)));
    };
    sock.on('data', onData);
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.on('connect', () => sock.write(upgradeRequest(server.port, room)));
  });
}

/** A plain TCP connection to the server (nothing sent); resolves once connected. */
export function tcpConnect(server) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(server.port, '127.0.0.1');
    sock.on('connect', () => resolve(sock));
    sock.on('error', reject);
  });
}
