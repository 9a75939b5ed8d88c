// pipeline.test.mjs - HTTP/1.1 pipelining over raw TCP: several requests sent in one write get
// complete, correct answers in order; a request the server will not answer on this connection is
// announced by `Connection: close` on the answer before it, and the connection then closes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, INDEX_HTML } from './harness.mjs';

const APP_JS = 'console.log("pipelined");\n';
// Larger than a socket buffer takes at once: lws must write out what it holds before it closes.
const BIG_JS = `/* ${'x'.repeat(3 << 20)} */\n`;
const BOUND_MS = 5000;

let server;
before(async () => { server = await startServer({ files: { 'app.js': APP_JS, 'big.js': BIG_JS } }); });
after(async () => { await server?.stop(); });

/**
 * Parses every whole response at the start of buf (HTTP/1.1 with
 * Content-Length; a 304 has no body; another response without it runs to the end of the stream).
 * Returns { responses, rest } or throws on bytes that are not a response.
 */
function parseResponses(buf, ended) {
  const responses = [];
  let off = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', off);
    if (end < 0) break;
    const head = buf.subarray(off, end).toString('latin1');
    const [statusLine, ...lines] = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!m) throw new Error(`not a status line: ${JSON.stringify(statusLine)} at offset ${off}`);
    const headers = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      const name = l.slice(0, i).trim().toLowerCase();
      if (name in headers) throw new Error(`header ${name} twice in one response: ${head}`);
      headers[name] = l.slice(i + 1).trim();
    }
    const bodyStart = end + 4;
    let bodyEnd;
    const status = Number(m[1]);
    if (status === 304 || status === 204) {
      bodyEnd = bodyStart; // never a body (RFC 9112 6.3)
    } else if ('content-length' in headers) {
      bodyEnd = bodyStart + Number(headers['content-length']);
      if (bodyEnd > buf.length) break;
    } else if (ended) {
      bodyEnd = buf.length;
    } else {
      break;
    }
    responses.push({ status, headers, body: buf.subarray(bodyStart, bodyEnd).toString('utf8') });
    off = bodyEnd;
  }
  return { responses, rest: buf.subarray(off) };
}

/**
 * Sends the raw requests in one write and reads until `want` responses are whole and,
 * when the last one announced `Connection: close`, the server has closed; bounded by BOUND_MS.
 * Resolves { responses, rest, closed }.
 */
function pipelined(paths, want) {
  return pipelinedRaw(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`), want);
}

function pipelinedRaw(requests, want) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(server.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let closed = false;
    let settled = false;
    const finish = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) { reject(err); return; }
      try { resolve({ ...parseResponses(buf, closed), closed }); } catch (e) { reject(e); }
    };
    const check = () => {
      let parsed;
      try { parsed = parseResponses(buf, closed); } catch (e) { finish(e); return; }
      const last = parsed.responses[parsed.responses.length - 1];
      const closing = last && /close/i.test(last.headers.connection ?? '');
      if (closed || (parsed.responses.length >= want && !closing)) finish();
    };
    const timer = setTimeout(() => {
      finish(new Error(`no complete answer within ${BOUND_MS} ms; got ${JSON.stringify(buf.toString('latin1'))}`));
    }, BOUND_MS);
    sock.on('connect', () => sock.write(requests.join('')));
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); check(); });
    sock.on('error', () => { closed = true; check(); });
    sock.on('close', () => { closed = true; check(); });
  });
}

/**
 * Sends each raw request on one connection only after the answer to the one before has come
 * whole (keep-alive without pipelining); bounded by BOUND_MS. Resolves the answers that came.
 */
function sequential(requests) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(server.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let sent = 0;
    let settled = false;
    const finish = (err, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err); else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${BOUND_MS} ms; got ${JSON.stringify(buf.toString('latin1'))}`)), BOUND_MS);
    const check = (closed) => {
      let parsed;
      try { parsed = parseResponses(buf, closed); } catch (e) { finish(e); return; }
      if (parsed.responses.length === requests.length || closed) { finish(null, parsed.responses); return; }
      if (parsed.responses.length === sent) sock.write(requests[sent++]);
    };
    sock.on('connect', () => sock.write(requests[sent++]));
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); check(false); });
    sock.on('error', () => check(true));
    sock.on('close', () => check(true));
  });
}

/** What a GET of each path must answer, whole. */
async function expected(path) {
  const r = await fetch(`${server.url}${path}`);
  return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
}

/**
 * The rule: the answers that came are the answers to the first requests, in order, each
 * complete; every request gets its answer unless an earlier answer said `Connection: close`
 * (after which the connection closes, and the client sends the rest again).
 */
async function checkPipeline(paths) {
  const want = await Promise.all(paths.map(expected));
  const got = await pipelined(paths, paths.length);
  assert.ok(got.responses.length >= 1, `no answer to ${paths}`);
  assert.equal(got.rest.length, 0, `bytes after the answers: ${JSON.stringify(got.rest.toString('latin1'))}`);
  got.responses.forEach((r, i) => {
    assert.equal(r.status, want[i].status, `status of answer ${i + 1} (${paths[i]})`);
    assert.equal(r.headers['content-type'], want[i].type, `type of answer ${i + 1} (${paths[i]})`);
    assert.equal(r.body, want[i].body, `body of answer ${i + 1} (${paths[i]})`);
  });
  if (got.responses.length < paths.length) {
    const last = got.responses[got.responses.length - 1];
    assert.match(last.headers.connection ?? '', /close/i, 'an answer that is the last on its connection says Connection: close');
    assert.ok(got.closed, 'the server closes after an answer that says Connection: close');
  }
  return got;
}

test('two pipelined GETs of a route: both whole, in order (or the first says Connection: close)', async () => {
  await checkPipeline(['/healthz', '/healthz']);
});

test('/api/decks then /healthz pipelined: each answer has its own headers and body', async () => {
  const got = await checkPipeline(['/api/decks', '/healthz']);
  assert.match(got.responses[0].headers['content-type'], /json/);
});

test('a static file then a route pipelined: no 403, the route answers as itself', async () => {
  await checkPipeline(['/app.js', '/healthz']);
});

test('a route then a static file, and two static files, pipelined', async () => {
  await checkPipeline(['/healthz', '/app.js']);
  await checkPipeline(['/app.js', '/']);
});

test('three pipelined requests mixing files and routes', async () => {
  await checkPipeline(['/', '/api/decks', '/app.js']);
});

test('after pipelined requests the server still answers new connections', async () => {
  await Promise.all([0, 1, 2, 3].map(() => checkPipeline(['/healthz', '/app.js', '/api/decks'])));
  const r = await fetch(`${server.url}/`);
  assert.equal(await r.text(), INDEX_HTML);
});

test('large answers, a file and a deck, pipelined with a route: whole, in order', async () => {
  const decks = await (await fetch(`${server.url}/api/decks`)).json();
  const got = await checkPipeline([`/api/decks/${decks[0].hash}`, '/big.js', '/healthz']);
  assert.equal(got.responses[0].status, 200);
  got.responses.slice(1).forEach((r) => assert.notEqual(r.status, 403));
  const alone = await pipelined(['/big.js'], 1);
  assert.equal(alone.responses[0].body, BIG_JS);
});

test('one request alone: a whole answer that says Connection: close, then the server closes', async () => {
  for (const path of ['/healthz', '/app.js', '/api/decks']) {
    const got = await pipelined([path], 1);
    assert.equal(got.responses.length, 1, path);
    assert.equal(got.rest.length, 0, path);
    assert.equal(got.responses[0].body, (await expected(path)).body, path);
    assert.match(got.responses[0].headers.connection ?? '', /close/i, path);
    assert.ok(got.closed, `${path}: closed after the answer`);
  }
});

/** The ETag of a static file, for a revalidation that lws answers 304 itself. */
async function etagOf(path) {
  const r = await fetch(`${server.url}${path}`);
  await r.arrayBuffer();
  const etag = r.headers.get('etag');
  assert.ok(etag, `${path} has an etag`);
  return etag;
}

test('pipelined behind an answer lws writes itself (a 304, a missing file): never a wrong answer', async () => {
  const etag = await etagOf('/app.js');
  for (const first of [{ path: '/no-such-file.js', status: 404 }, { path: '/app.js', headers: `If-None-Match: ${etag}\r\n`, status: 304 }]) {
    const got = await pipelinedRaw([`GET ${first.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${first.headers ?? ''}\r\n`,
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'], 2);
    assert.equal(got.rest.length, 0, `bytes after the answers: ${JSON.stringify(got.rest.toString('latin1'))}`);
    assert.equal(got.responses[0].status, first.status);
    if (got.responses.length === 1) assert.ok(got.closed, 'closed instead of answering the pipelined request');
    else assert.deepEqual([got.responses[1].status, got.responses[1].body], [200, 'ok']);
  }
});

test('keep-alive after a 304 (which lws writes itself) still works: the next request, sent later, is answered', async () => {
  const etag = await etagOf('/app.js');
  const got = await sequential([`GET /app.js HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: ${etag}\r\n\r\n`,
    'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n']);
  assert.equal(got.length, 2, `answers: ${JSON.stringify(got)}`);
  assert.equal(got[0].status, 304);
  assert.deepEqual([got[1].status, got[1].body], [200, 'ok']);
});
