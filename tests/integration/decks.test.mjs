// decks.test.mjs - POST /api/decks: people store their own card sets; hostile or oversized sets are refused and nothing is stored; a stored set plays by its hash.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, runBinary, REPLY_TIMEOUT_MS } from './harness.mjs';
import { Member, member, roomCode } from './members.mjs';

const UPLOAD_MAX = 512 * 1024; // DECK_STORE_UPLOAD_MAX
const SUITE_TIMEOUT_MS = 120000;

/** A valid deck of n cards in one category (the test vector of decks/README.md when n = 1). */
function deck(n = 1, over = {}) {
  const cards = [];
  for (let i = 0; i < n; i++) {
    cards.push({ id: i ? `kaart-${i}` : 'een', category: 'alles', title: { nl: i ? `Kaart ${i}` : 'Een', en: i ? `Card ${i}` : 'One' },
      prompt: { nl: 'Wat zien wij hier?', en: 'What do we see here?' } });
  }
  return {
    id: 'mini', version: 1, title: { nl: 'Mini', en: 'Mini' },
    scale: { min: 1, max: 2, labels: { nl: ['nee', 'ja'], en: ['no', 'yes'] } },
    categories: [{ id: 'alles', title: { nl: 'Alles', en: 'Everything' }, color: '#1f5f8b' }],
    cards, ...over,
  };
}

async function post(server, body, { type = 'application/json', headers = {}, ip } = {}) {
  const h = { 'content-type': type, ...headers };
  if (ip) h['x-real-ip'] = ip;
  const r = await fetch(`${server.url}/api/decks`, {
    method: 'POST', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(REPLY_TIMEOUT_MS),
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* a plain-text refusal */ }
  return { status: r.status, json, text, headers: r.headers };
}

async function storedFiles(server) {
  try {
    return await readdir(path.join(server.data, 'decks'));
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
}

describe('POST /api/decks refuses', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });

  const refusals = [
    ['malformed JSON, naming line and column', '{"id": "mini", "version": 1,', 422, /invalid JSON/, undefined],
    ['a deck missing a field, naming the field', deck(1, { title: undefined }), 422, /missing/, 'title'],
    ['an unknown field', { ...deck(), promt: 'x' }, 422, /unknown field/, 'promt'],
    ['a script tag as an id', deck(1, { id: '<script>alert(1)</script>' }), 422, /a-z, 0-9/, 'id'],
    ['a script tag as a color', deck(1, { categories: [{ id: 'alles', title: { nl: 'A', en: 'A' }, color: '"><script>' }] }), 422, /#rrggbb/, 'categories[0].color'],
    ['a control character in a text', deck(1, { title: { nl: 'Mini\u0007', en: 'Mini' } }), 422, /control character/, 'title.nl'],
    ['a huge array of cards (501)', deck(501), 422, /1\.\.500 cards/, 'cards'],
    ['a huge array in an unknown key', { ...deck(), extra: new Array(50000).fill(0) }, 422, /unknown field/, 'extra'],
    ['deep nesting', `{"id":"mini","x":${'['.repeat(5000)}${']'.repeat(5000)}}`, 422, /invalid JSON/, undefined],
    ['duplicate keys', '{"id":"mini","id":"maxi"}', 422, /duplicate/, undefined],
    ['a non-object', '[1,2,3]', 422, /a deck is an object/, undefined],
  ];
  for (const [what, body, status, msg, field] of refusals) {
    it(`${what} with a clear error, and stores nothing`, async () => {
      const r = await post(server, body);
      assert.equal(r.status, status, r.text);
      assert.ok(r.json, `a JSON body: ${r.text}`);
      assert.match(r.json.error, msg);
      assert.equal(r.json.field, field);
      assert.deepEqual(await storedFiles(server), []);
    });
  }

  it('a body over the size limit with 413, unread', async () => {
    const big = JSON.stringify(deck(1, { title: { nl: 'x'.repeat(UPLOAD_MAX), en: 'x' } }));
    const r = await post(server, big);
    assert.equal(r.status, 413);
    assert.deepEqual(await storedFiles(server), []);
  });

  it('another content type with 415 (a cross-site form cannot send JSON without asking first)', async () => {
    const r = await post(server, deck(), { type: 'text/plain' });
    assert.equal(r.status, 415);
    const f = await post(server, 'a=b', { type: 'application/x-www-form-urlencoded' });
    assert.equal(f.status, 415);
    assert.deepEqual(await storedFiles(server), []);
  });

  it('another method with 405, and a POST elsewhere with 405', async () => {
    const put = await fetch(`${server.url}/api/decks`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');
    const del = await fetch(`${server.url}/api/decks/31ee8fdf1146bd52`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    const other = await fetch(`${server.url}/api/rooms/ABCDEF/log`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(other.status, 405);
    assert.deepEqual(await storedFiles(server), []);
  });
});

describe('a stored deck', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;
  const data = { dir: null };
  before(async () => {
    data.dir = await mkdtemp(path.join(os.tmpdir(), 'verrijk-decks-'));
    server = await startServer({ args: ['--data', data.dir] });
  });
  after(async () => {
    await server.stop();
    await rm(data.dir, { recursive: true, force: true });
  });

  it('is stored content-addressed (the hash of decks/README.md), unlisted, and a session created by its hash plays a card and takes a vote', async () => {
    const up = await post(server, deck());
    assert.equal(up.status, 201, up.text);
    assert.deepEqual(up.json, { hash: '31ee8fdf1146bd52', id: 'mini', version: 1, listed: false });
    // Key order and whitespace make no difference: the same hash, nothing new.
    const again = await post(server, JSON.stringify(deck(), null, 2));
    assert.equal(again.json.hash, up.json.hash);
    assert.deepEqual(await readdir(path.join(data.dir, 'decks')), ['31ee8fdf1146bd52.json']);

    const got = await fetch(`${server.url}/api/decks/${up.json.hash}`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/json');
    assert.equal((await got.json()).cards[0].id, 'een');
    const list = await (await fetch(`${server.url}/api/decks`)).json();
    assert.ok(!list.some((d) => d.hash === up.json.hash), 'an uploaded deck is not listed without the operator flag');

    const room = roomCode();
    const fac = await Member.connect(server, room);
    const p = await Member.connect(server, room);
    try {
      // Its id does not name it: an upload never shadows an offered deck's id.
      await fac.refused({ t: 'create', room, name: 'Fien', deck: 'mini' }, 'bad_request');
      const w = await fac.must({ t: 'create', room, name: 'Fien', deck: up.json.hash, opts: { mode: 'deck' } });
      assert.equal(w.state.deck.hash, up.json.hash);
      await p.must({ t: 'join', room, name: 'Anna' });
      await fac.must({ t: 'start' });
      await fac.must({ t: 'draw', card: 'een' });
      await p.until(fac.lastSeq());
      assert.equal(p.seen('played')[0].card, 'een');
      await p.refused({ t: 'vote', value: 3 }, 'bad_vote'); // the stored deck's scale is 1..2
      await p.must({ t: 'vote', value: 2 });
      await p.until(fac.lastSeq() + 1);
      assert.equal(p.seen('revealed').length, 1, 'the only vote reveals the card');
    } finally {
      await fac.close();
      await p.close();
    }
  });

  it('survives a restart, and --list-uploaded-decks lists it', async () => {
    await server.stop();
    server = await startServer({ args: ['--data', data.dir, '--list-uploaded-decks', '31ee8fdf1146bd52'] });
    const got = await fetch(`${server.url}/api/decks/31ee8fdf1146bd52`);
    assert.equal(got.status, 200);
    const list = await (await fetch(`${server.url}/api/decks`)).json();
    const mine = list.find((d) => d.hash === '31ee8fdf1146bd52');
    assert.ok(mine, 'listed by the operator');
    assert.equal(mine.stored, true);
    assert.ok(list.some((d) => d.id === 'verrijkte-leeromgevingen' && !d.stored), 'the offered decks stay');
  });
});

describe('the write budget', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;
  before(async () => { server = await startServer({ args: ['--trust-proxy', '127.0.0.1', '--max-creates-per-hour', '2'] }); });
  after(async () => { await server.stop(); });

  it('an upload spends what a new room spends; past it 429 with Retry-After, and nothing stored', async () => {
    const ip = '198.51.100.90';
    assert.equal((await post(server, deck(1), { ip })).status, 201);
    assert.equal((await post(server, deck(2), { ip })).status, 201);
    const r = await post(server, deck(3), { ip });
    assert.equal(r.status, 429);
    assert.match(r.headers.get('retry-after'), /^[1-9][0-9]*$/);
    assert.equal((await storedFiles(server)).length, 2);
    // Another address has its own budget.
    assert.equal((await post(server, deck(3), { ip: '198.51.100.91' })).status, 201);
    // A room created over the socket draws on the same budget.
    const room = roomCode();
    const fac = await member(server, room, { ip });
    try {
      const m = await fac.req({ t: 'create', room, name: 'Fien', deck: 'verrijkte-leeromgevingen' });
      assert.equal(m.t, 'error');
      assert.equal(m.code, 'rate_limited');
    } finally {
      await fac.close();
    }
  });
});

describe('the operator flags', () => {
  it('refuse a malformed --list-uploaded-decks and --max-stored-decks', async () => {
    for (const args of [['--list-uploaded-decks', 'nope'], ['--list-uploaded-decks', '31ee8fdf1146bd52,'], ['--max-stored-decks', '0']]) {
      const r = await runBinary([...args, '--port', '1']);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});

describe('--max-stored-decks', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('past the bound, an upload gets 507 and nothing is stored', async () => {
    const server = await startServer({ args: ['--max-stored-decks', '1'] });
    try {
      assert.equal((await post(server, deck(1))).status, 201);
      assert.equal((await post(server, deck(1))).status, 201, 'the same deck again is no new one');
      const r = await post(server, deck(2));
      assert.equal(r.status, 507);
      assert.match(r.json.error, /no more decks/);
      assert.equal((await storedFiles(server)).length, 1);
    } finally {
      await server.stop();
    }
  });
});
