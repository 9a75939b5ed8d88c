// A phone asleep holds the auto-reveal (SPEC.md §3), in chromium: a real player page hidden and shown again.
// Hiding does what a phone's OS does to a page it puts to sleep: the page is frozen (no script runs) and its
// connection dies (a TCP relay between page and server cuts it and refuses new ones until the page is shown).
// The server runs with a short hold (--away-hold-seconds) so the test does not take minutes; it asserts the rule.
import { test, afterEach } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import { Member } from '../integration/members.mjs';
import { browserSuite, shooter, PHONE, LAPTOP, STEP_MS } from './people.mjs';

/* The vote asks the default deck's one question. */
const VOTE_QUESTION = JSON.parse(readFileSync(new URL('../../decks/verrijkte-leeromgevingen.json', import.meta.url), 'utf8')).question.nl;
const HOLD_S = 20;
/** The server's grace before a dropped device is offline (ROOMS_GRACE_MS), plus the hold, plus a margin. */
const REVEAL_WITHIN_MS = (10 + HOLD_S + 20) * 1000;

const suite = browserSuite({ server: { args: ['--away-hold-seconds', String(HOLD_S)] } });
const shoot = shooter('presenter');
/* What a test opened (pages, sockets, the relay), closed even when it fails: an open socket would keep the run alive. */
const closers = [];
afterEach(async () => {
  while (closers.length) await closers.pop()().catch(() => {});
});

/** A TCP relay to the server that can drop every connection and refuse new ones, like a phone asleep. */
function relay(port) {
  const open = new Set();
  let asleep = false;
  const srv = createServer((c) => {
    if (asleep) return c.destroy();
    const s = connect(port, '127.0.0.1');
    open.add(c);
    open.add(s);
    c.pipe(s);
    s.pipe(c);
    const done = () => { c.destroy(); s.destroy(); open.delete(c); open.delete(s); };
    c.on('error', done).on('close', done);
    s.on('error', done).on('close', done);
  });
  return new Promise((ok) => srv.listen(0, '127.0.0.1', () => ok({
    url: `http://127.0.0.1:${srv.address().port}`,
    sleep() { asleep = true; for (const s of open) s.destroy(); },
    wake() { asleep = false; },
    close: () => new Promise((r) => { for (const s of open) s.destroy(); srv.close(r); }),
  }))).then((net) => { closers.push(net.close); return net; });
}

/** Hides a page the way a phone does: frozen, its connection gone. */
async function hide(page, net) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
  net.sleep();
  return async () => {
    net.wake();
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
  };
}

/** A facilitator (laptop page), Anna and Bram (sockets), Dewi (a phone page through the relay); a card on the table. */
async function session(net) {
  const { page: fac, context: facContext } = await suite.person(LAPTOP);
  closers.push(() => facContext.close());
  const room = await suite.createSession(fac, { name: 'Fien', rules: (page) => page.getByLabel('Kaarten per persoon').selectOption('1') });
  const socks = [];
  for (const name of ['Anna', 'Bram']) {
    const m = await Member.connect(suite.server, room);
    closers.push(() => m.close());
    await m.must({ t: 'join', room, name, role: 'player' });
    socks.push(m);
  }
  const { page: dewi, context: dewiContext } = await suite.person(PHONE);
  closers.push(() => dewiContext.close());
  await suite.join(dewi, room, 'Dewi', { url: net.url });
  await fac.getByRole('button', { name: 'Ronde starten' }).click();
  // Whoever has the turn plays; Dewi's page plays with a button.
  await fac.locator('.next-hint', { hasText: 'legt nu een kaart op tafel' }).waitFor({ timeout: STEP_MS });
  const hint = await fac.locator('.next-hint').textContent();
  if (hint.startsWith('Dewi')) {
    await dewi.getByRole('button', { name: /^Op tafel leggen: / }).first().click();
  } else {
    const m = socks.find((s) => hint.startsWith(s.you.name));
    while (!m.seen('dealt').length) await m.take();
    await m.must({ t: 'play', card: m.seen('dealt').pop().cards[0] });
  }
  await dewi.getByRole('heading', { name: VOTE_QUESTION }).waitFor({ timeout: STEP_MS });
  return { fac, dewi, socks };
}

test('a phone page hidden for less than the hold holds the auto-reveal; shown again, its vote counts', { timeout: 180_000 }, async () => {
  const net = await relay(suite.server.port);
  const { fac, dewi, socks } = await session(net);
  const show = await hide(dewi, net);
  for (const m of socks) await m.must({ t: 'vote', value: 4 });
  // The server marks Dewi away (after its grace); the console names who it waits for.
  await fac.locator('.away-line', { hasText: /Dewi \(weg \d:\d\d\)/ }).waitFor({ timeout: STEP_MS * 2 });
  // It names the hold this server runs with (the welcome's away_hold), not a fixed 2 minutes.
  assert.match(await fac.locator('.away-line').innerText(), new RegExp(`na ${HOLD_S} seconden afwezigheid`));
  assert.equal(await fac.getByRole('heading', { name: 'Uitslag' }).count(), 0, 'not revealed while Dewi is away within the hold');
  await shoot(fac, 'console-away-laptop');
  await show();
  // Back: the page reconnects by itself and the console stops waiting for Dewi.
  await fac.locator('.away-line').waitFor({ state: 'detached', timeout: STEP_MS * 2 });
  await dewi.getByRole('button', { name: /^2/ }).click({ timeout: STEP_MS * 2 });
  await fac.getByRole('heading', { name: 'Uitslag' }).waitFor({ timeout: STEP_MS });
  await fac.getByText(/3 stemmen/).first().waitFor();
  for (const m of socks) await m.close();
  await fac.context().close();
  await dewi.context().close();
  await net.close();
});

test('a phone page hidden for longer than the hold does not hold the auto-reveal for ever', { timeout: 180_000 }, async () => {
  const net = await relay(suite.server.port);
  const { fac, dewi, socks } = await session(net);
  const show = await hide(dewi, net);
  for (const m of socks) await m.must({ t: 'vote', value: 4 });
  await fac.locator('.away-line').waitFor({ timeout: STEP_MS * 2 });
  const away = Date.now();
  await fac.getByRole('heading', { name: 'Uitslag' }).waitFor({ timeout: REVEAL_WITHIN_MS });
  const held = Date.now() - away;
  // The console saw Dewi away a moment after the server decided it: allow a second for that.
  assert.ok(held >= HOLD_S * 1000 - 1000, `revealed ${held} ms after Dewi went away; the hold is ${HOLD_S} s`);
  await fac.getByText(/2 stemmen/).first().waitFor();
  await show();
  await dewi.getByRole('heading', { name: 'Uitslag' }).waitFor({ timeout: STEP_MS * 2 });
  for (const m of socks) await m.close();
  await fac.context().close();
  await dewi.context().close();
  await net.close();
});
