// Browser tests of every screen against a scripted room (fakeroom.mjs): flows, layout at 320 px, axe scan, screenshots.
// The real server serves the built client; the WebSocket and /api answers are scripted until the rooms layer exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '@msgpack/msgpack';
import {
  ROOM, HASH, TOKEN, C1, C2, FAC, ANA, BO, CAS, LAN_URL, deck, stats, makeView, summary, fakeRoom, routeApi, withToken,
} from './fakeroom.mjs';
import { browserSuite, axe, shooter, PHONE, LAPTOP as DESKTOP, PROJECTOR } from './people.mjs';

const suite = browserSuite();
// bypassCSP only lets the test inject axe-core; the page itself runs under the server's CSP rules otherwise.
const newPage = (viewport, setup) => suite.person(viewport, { bypassCSP: true, consoleErrors: true, setup });
const shoot = shooter('', { fullPage: true });

/** No horizontal scrolling at the current width. */
async function noOverflow(page, label) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${label}: page is ${scroll}px wide in a ${client}px window`);
}

async function at320(page, label) {
  await page.setViewportSize({ width: 320, height: 700 });
  await noOverflow(page, `${label} at 320 px`);
}

test('home: join by code explains confusable characters and goes to the name prompt', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await newPage(PHONE, (c) => routeApi(c));
  await page.goto(`${suite.server.url}/#/`);
  await page.getByRole('heading', { name: 'Meedoen', exact: true }).waitFor();
  await page.getByRole('option', { name: /Verrijkte leeromgevingen/ }).waitFor({ state: 'attached' });
  await shoot(page, 'home-phone');
  await axe(page, 'home');
  await at320(page, 'home');
  await page.setViewportSize(PHONE);
  const code = page.getByLabel('Sessiecode (6 tekens)');
  await code.fill('k7m0qx');
  await page.getByText(/Codes bevatten nooit 0/).waitFor();
  await code.fill('k7m 4qx');
  await page.getByRole('button', { name: 'Meedoen', exact: true }).click();
  await page.waitForURL(new RegExp(`#/room/${ROOM}$`));
  await page.getByRole('heading', { name: `Meedoen met sessie ${ROOM}` }).waitFor();
  await at320(page, 'name prompt');
  await shoot(page, 'join-prompt-320');
  assert.deepEqual(errors, []);
  await context.close();
});

test('home at desktop size, in English after switching', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(DESKTOP, (c) => routeApi(c));
  await page.goto(`${suite.server.url}/#/`);
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { name: 'Create a new session' }).waitFor();
  await shoot(page, 'home-desktop-en');
  await axe(page, 'home (en)');
  await context.close();
});

test('create: sends create with the chosen options and lands in the facilitator view', { timeout: 60_000 }, async () => {
  let room;
  const { context, page, errors } = await newPage(DESKTOP, async (c) => {
    await routeApi(c);
    room = await fakeRoom(c, { view: makeView('lobby', FAC), you: { player: FAC, name: 'Fenna de Vries', role: 'facilitator' } });
  });
  await page.goto(`${suite.server.url}/#/`);
  await page.getByLabel('Jouw naam').fill('Fenna de Vries');
  await page.getByLabel('Titel van de sessie (mag leeg)').fill('Teamdag');
  await page.getByLabel(/Anoniem stemmen/).check();
  await page.getByRole('button', { name: 'Sessie aanmaken' }).click();
  await page.getByRole('heading', { name: 'Deelnemers laten meedoen' }).waitFor();
  const create = room.sent.find((m) => m.t === 'create');
  assert.match(create.room, /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
  assert.equal(create.name, 'Fenna de Vries');
  assert.equal(create.deck, deck.id);
  assert.equal(create.opts.anonymous, true);
  assert.equal(typeof create.tz_offset, 'number');
  await page.locator('.qr svg').waitFor();
  await shoot(page, 'facilitator-lobby-desktop');
  await axe(page, 'facilitator lobby');
  assert.deepEqual(errors, []);
  await context.close();
});

test('player: plays a card on their turn, votes, changes the vote, adds a note', { timeout: 60_000 }, async () => {
  let room;
  const { context, page, errors } = await newPage(PHONE, async (c) => {
    await routeApi(c);
    await withToken(c);
    room = await fakeRoom(c, {
      view: makeView('playing', ANA), you: { player: ANA, name: 'Ana', role: 'player' },
      onIntent: (m) => {
        if (m.t === 'play') return [{ e: 'played', player: ANA, card: m.card }];
        if (m.t === 'vote') return [{ e: 'voted', player: ANA, value: m.value }];
        if (m.t === 'note') return [{ e: 'noted', note: 9, player: ANA, card: C1, text: m.text }];
        return 'bad_request';
      },
    });
  });
  await page.goto(`${suite.server.url}/#/room/${ROOM}`);
  await page.getByText('Jij bent aan de beurt').waitFor();
  assert.deepEqual(room.sent[0], { t: 'resume', room: ROOM, token: TOKEN, id: 1 });
  await shoot(page, 'player-turn-phone');
  await axe(page, 'player turn');
  await page.getByRole('button', { name: /^Op tafel leggen: / }).first().click();
  await page.getByRole('heading', { name: deck.question.nl }).waitFor();
  assert.equal(room.sent.find((m) => m.t === 'play').card, C1);
  await page.getByRole('button', { name: /^4/ }).click();
  await page.getByText(/Jouw keuze: 4/).waitFor();
  await page.getByRole('button', { name: /^2/ }).click();
  await page.getByText(/Jouw keuze: 2/).waitFor();
  assert.equal(await page.getByRole('button', { name: /^2/ }).getAttribute('aria-pressed'), 'true');
  // Keyboard only: Tab reaches the vote buttons and Enter votes.
  await page.locator('body').focus();
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.classList.contains('vote') && document.activeElement.textContent.startsWith('3'));
  }
  assert.ok(reached, 'vote button 3 reachable with Tab');
  await page.keyboard.press('Enter');
  await page.getByText(/Jouw keuze: 3/).waitFor();
  await page.getByLabel('Notitie toevoegen').fill('Wie vertegenwoordigt de buurt?');
  await page.getByRole('button', { name: 'Toevoegen' }).click();
  await page.locator('.note-text', { hasText: 'Wie vertegenwoordigt de buurt?' }).waitFor();
  await shoot(page, 'player-voted-phone');
  await axe(page, 'player voted');
  await at320(page, 'player voting');
  await shoot(page, 'player-voted-320');
  assert.deepEqual(errors, []);
  await context.close();
});

test('player: the revealed distribution shows who voted what, and a server error is shown in words', { timeout: 60_000 }, async () => {
  const table = { card: C2, by: BO, stage: 'revealed', my_vote: 5, revealed: { votes: [[ANA, 5], [BO, 4], [CAS, 5]], stats: stats([5, 4, 5]) } };
  const { context, page } = await newPage(PHONE, async (c) => {
    await routeApi(c);
    await withToken(c);
    await fakeRoom(c, {
      view: makeView('playing', ANA, { table, timer: Date.now() + 150_000 }), you: { player: ANA, name: 'Ana', role: 'player' },
      onIntent: () => 'wrong_phase',
    });
  });
  await page.goto(`${suite.server.url}/#/room/${ROOM}`);
  await page.getByRole('heading', { name: 'Uitslag' }).waitFor();
  await page.getByText('Ana, Cas').waitFor();
  await page.getByRole('timer').waitFor();
  await shoot(page, 'player-revealed-phone');
  await axe(page, 'player revealed');
  await page.getByLabel('Notitie toevoegen').fill('te laat');
  await page.getByRole('button', { name: 'Toevoegen' }).click();
  await page.getByRole('alert').filter({ hasText: 'Dat kan nu niet.' }).waitFor();
  await context.close();
});

test('facilitator: reveals, votes for a seated person, hides a note, kicks with a lock hint', { timeout: 60_000 }, async () => {
  let room;
  const table = { card: C1, by: ANA, stage: 'discuss', notes: [], seated_votes: [] };
  const view = makeView('playing', FAC, { table, players: makeView('playing', FAC).players.map((p) => (p.player === ANA ? { ...p, voted: true } : p)) });
  const { context, page, errors } = await newPage(DESKTOP, async (c) => {
    await routeApi(c);
    await withToken(c);
    room = await fakeRoom(c, {
      view, you: { player: FAC, name: 'Fenna de Vries', role: 'facilitator' },
      onIntent: (m) => {
        if (m.t === 'vote') return [{ e: 'voted', player: m.for, value: m.value }];
        if (m.t === 'reveal') return [{ e: 'revealed', card: C1, votes: [[ANA, 4], [CAS, 2]], stats: stats([4, 2]) }];
        if (m.t === 'hide') return [{ e: 'hidden', note: m.note }];
        if (m.t === 'kick') return [{ e: 'left', player: m.player, why: 'kicked' }];
        return [];
      },
    });
  });
  await page.goto(`${suite.server.url}/#/room/${ROOM}`);
  await page.getByRole('heading', { name: 'Stem voor Cas' }).waitFor();
  room.push([{ e: 'noted', note: 4, player: ANA, card: C1, text: 'Iets persoonlijks' }]);
  await page.locator('.note-text', { hasText: 'Iets persoonlijks' }).waitFor();
  // Opened on 127.0.0.1: the join link is the address phones can reach, not localhost.
  await page.locator('.join-panel a', { hasText: `${LAN_URL}#/room/${ROOM}` }).waitFor();
  await shoot(page, 'facilitator-playing-desktop');
  await axe(page, 'facilitator playing');
  await page.getByRole('group', { name: 'Stem voor Cas' }).getByRole('button', { name: /^2/ }).click();
  await page.locator('.vote-for', { hasText: 'Gestemd' }).waitFor();
  assert.equal(await page.getByRole('group', { name: 'Stem voor Cas' }).getByRole('button', { name: /^2/ }).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(room.sent.find((m) => m.t === 'vote'), { t: 'vote', value: 2, for: CAS, id: room.sent.find((m) => m.t === 'vote').id });
  await page.getByRole('button', { name: 'Verbergen: Iets persoonlijks' }).click();
  await page.getByText('(notitie verborgen)').waitFor();
  await page.getByRole('button', { name: 'Stemmen tonen' }).click();
  await page.getByRole('heading', { name: 'Uitslag' }).waitFor();
  let dialog = '';
  page.once('dialog', (d) => { dialog = d.message(); d.accept(); });
  await page.getByRole('button', { name: 'Verwijderen: Bo Jansen' }).click();
  await page.getByRole('button', { name: 'Verwijderen: Bo Jansen' }).waitFor({ state: 'detached' });
  assert.match(dialog, /op slot/);
  await shoot(page, 'facilitator-revealed-desktop');
  await page.setViewportSize(PHONE);
  await shoot(page, 'facilitator-revealed-phone');
  await at320(page, 'facilitator');
  assert.deepEqual(errors, []);
  await context.close();
});

test('big screen: joins as a screen, shows the code and QR in the lobby, then the table card', { timeout: 60_000 }, async () => {
  let room;
  const { context, page, errors } = await newPage(PROJECTOR, async (c) => {
    await routeApi(c);
    room = await fakeRoom(c, { view: makeView('lobby', 5), you: { player: 5, name: 'Scherm', role: 'screen' } });
  });
  await page.goto(`${suite.server.url}/#/screen/${ROOM}`);
  await page.locator('.lobby-code', { hasText: `${ROOM.slice(0, 3)} ${ROOM.slice(3)}` }).waitFor();
  await page.locator('.qr svg').first().waitFor();
  await page.locator('.lobby-host', { hasText: new URL(LAN_URL).host }).waitFor();
  assert.deepEqual(room.sent[0], { t: 'join', room: ROOM, name: 'Scherm', role: 'screen', id: 1 });
  await shoot(page, 'screen-lobby-1920');
  await axe(page, 'screen lobby');
  room.push([
    { e: 'round', round: 1, order: [ANA, BO], pile: deck.cards.length, opts: makeView('lobby', 5).opts },
    { e: 'dealt', counts: [[ANA, 3], [BO, 3]] },
    { e: 'turn', player: ANA },
    { e: 'played', player: ANA, card: C2 },
    { e: 'voted', player: ANA },
    { e: 'timer', ends_at: Date.now() + 180_000 },
  ]);
  await page.locator('.card-big').waitFor();
  await shoot(page, 'screen-voting-1920');
  room.push([
    { e: 'voted', player: BO },
    { e: 'revealed', card: C2, votes: [[ANA, 4], [BO, 5]], stats: stats([4, 5]) },
    { e: 'noted', note: 1, player: BO, card: C2, text: 'Stage-plekken bij de gemeente' },
  ]);
  await page.locator('.reveal-mean', { hasText: '4,5' }).waitFor();
  // The reveal fades in: scan what stays, not a frame half-way.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await shoot(page, 'screen-revealed-1920');
  await axe(page, 'screen revealed');
  await noOverflow(page, 'screen');
  assert.deepEqual(errors, []);
  await context.close();
});

test('summary: ranking, agreement, actions and download links after the round closes', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await newPage(PHONE, async (c) => {
    await routeApi(c);
    await withToken(c);
    await fakeRoom(c, { view: makeView('closed', ANA, { summary: summary() }), you: { player: ANA, name: 'Ana', role: 'player' } });
  });
  await page.goto(`${suite.server.url}/#/room/${ROOM}`);
  await page.locator('#summary-h').waitFor();
  // The deck arrives by its own request: wait for the titles, not just the heading (under load the ranking renders first).
  const titles = summary().cards.map((c) => deck.cards.find((d) => d.id === c.card).title.nl);
  await page.locator('.ranking .card[aria-busy]').first().waitFor({ state: 'detached' });
  const ranked = await page.locator('.ranking .card-title').allTextContents();
  assert.deepEqual(ranked, titles);
  await page.getByText('tegengesteld').waitFor();
  const md = await page.getByRole('link', { name: 'Markdown' }).getAttribute('href');
  assert.equal(md, `/api/rooms/${ROOM}/summary.md?key=${summary().replay_key}&round=1`);
  await shoot(page, 'summary-phone');
  await axe(page, 'summary');
  await at320(page, 'summary');
  await page.setViewportSize(DESKTOP);
  await shoot(page, 'summary-desktop');
  // Printed on A4 (794 px at 96 dpi): no controls, nothing cut off at the side.
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: 794, height: 1123 });
  assert.equal(await page.getByRole('link', { name: 'Markdown' }).isVisible(), false);
  await noOverflow(page, 'summary printed');
  await shoot(page, 'summary-print-a4');
  assert.deepEqual(errors, []);
  await context.close();
});

test('summary: while the card set loads the ranking shows a placeholder, never card ids, then the titles', { timeout: 60_000 }, async () => {
  let release;
  const held = new Promise((r) => { release = r; });
  let asked;
  const deckAsked = new Promise((r) => { asked = r; });
  const { context, page, errors } = await newPage(PHONE, async (c) => {
    // The deck answer waits until the test has looked at the page without it.
    await routeApi(c, { '/api/decks/[0-9a-f]+$': async (r) => { asked(); await held; await r.fulfill({ json: deck }); } });
    await withToken(c);
    await fakeRoom(c, { view: makeView('closed', ANA, { summary: summary() }), you: { player: ANA, name: 'Ana', role: 'player' } });
  });
  await page.goto(`${suite.server.url}/#/room/${ROOM}`);
  await page.locator('#summary-h').waitFor();
  await deckAsked;
  const ids = new Set([...summary().cards.map((c) => c.card), ...summary().categories.map((c) => c.category)]);
  const loading = await page.locator('.ranking .card-title').allTextContents();
  assert.deepEqual(loading, summary().cards.map(() => 'Laden…'));
  const topics = await page.locator('.cat-table tbody th').allTextContents();
  assert.ok(topics.length > 0 && topics.every((x) => !ids.has(x)), `topics while loading: ${topics}`);
  assert.equal(await page.locator('.ranking .card[aria-busy="true"]').count(), summary().cards.length);
  release();
  await page.locator('.ranking .card[aria-busy]').first().waitFor({ state: 'detached' });
  const ranked = await page.locator('.ranking .card-title').allTextContents();
  assert.deepEqual(ranked, summary().cards.map((c) => deck.cards.find((d) => d.id === c.card).title.nl));
  assert.deepEqual(errors, []);
  await context.close();
});

test('connection: reconnects and resumes after a drop; after 4001 it explains and stays closed', { timeout: 60_000 }, async () => {
  let room;
  const { context, page } = await newPage(PHONE, async (c) => {
    await routeApi(c);
    await withToken(c);
    room = await fakeRoom(c, { view: makeView('lobby', ANA), you: { player: ANA, name: 'Ana', role: 'player' } });
  });
  await page.goto(`${suite.server.url}/#/room/${ROOM}`);
  await page.getByText('Wacht tot de begeleider de ronde start.').waitFor();
  await room.sockets[0].close({ code: 1011, reason: 'test drop' });
  await page.getByTestId('conn-state').filter({ hasText: 'Verbonden' }).waitFor({ timeout: 10_000 });
  assert.equal(room.sockets.length, 2);
  assert.equal(room.sent.filter((m) => m.t === 'resume').length, 2);
  await room.sockets[1].close({ code: 4001, reason: 'kicked' });
  await page.getByText('De begeleider heeft je uit deze sessie gehaald').waitFor();
  await shoot(page, 'ended-kicked-phone');
  await page.waitForTimeout(1500);
  assert.equal(room.sockets.length, 2, 'no reconnect after 4001');
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), `verrijk.token.${ROOM}`), null);
  await context.close();
});

test('connection: a server that closes every resume (1008) gets a message and a retry button, not endless quick retries', { timeout: 60_000 }, async () => {
  let room;
  const { context, page } = await newPage(PHONE, async (c) => {
    await routeApi(c);
    await withToken(c);
    room = await fakeRoom(c, { view: makeView('lobby', ANA), you: { player: ANA, name: 'Ana', role: 'player' } });
    room.refuseResume = { code: 1008, reason: 'slow reader' };
  });
  await page.goto(`${suite.server.url}/#/room/${ROOM}`);
  const notice = page.getByTestId('conn-notice');
  await notice.getByText('Opnieuw verbinden met de sessie lukt steeds niet').waitFor({ timeout: 20_000 });
  await shoot(page, 'conn-notice-phone');
  const tries = room.sockets.length;
  assert.ok(tries >= 3 && tries <= 4, `${tries} connections before the notice: the count is not reset by each open`);
  // The button tries at once; this time the server serves the resume.
  room.refuseResume = null;
  await notice.getByRole('button', { name: 'Nu opnieuw proberen' }).click();
  await page.getByText('Wacht tot de begeleider de ronde start.').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('conn-notice').count(), 0);
  assert.ok(room.sockets.length > tries);
  await context.close();
});

test('replay: steps through a closed session\'s log with the same reducer', { timeout: 60_000 }, async () => {
  const key = summary().replay_key;
  const opts = makeView('lobby', 0).opts;
  const events = [
    { e: 'created', room: ROOM, title: 'Teamdag', lang: 'nl', tz_offset: 60, opts, deck: { id: deck.id, version: 1, hash: HASH }, by: FAC },
    { e: 'joined', player: FAC, name: 'Fenna', role: 'facilitator', seated: false },
    { e: 'joined', player: ANA, name: 'Ana', role: 'player', seated: false },
    { e: 'joined', player: BO, name: 'Bo', role: 'player', seated: false },
    { e: 'round', round: 1, order: [ANA, BO], pile: deck.cards.length, opts },
    { e: 'dealt', hands: [[ANA, [C1, C2]], [BO, ['x', 'y']]] },
    { e: 'turn', player: ANA },
    { e: 'played', player: ANA, card: C1 },
    { e: 'voted', player: ANA },
    { e: 'voted', player: BO },
    { e: 'revealed', card: C1, votes: [[ANA, 4], [BO, 5]], stats: stats([4, 5]) },
    { e: 'noted', note: 1, player: BO, card: C1, text: 'Zichtbaar in de replay' },
    { e: 'done', card: C1 },
    { e: 'closed', round: 1, summary: { ...summary(), cards: [{ card: C1, by: ANA, stats: stats([4, 5]), agreement: 'consensus', notes: [{ note: 1, player: BO, text: 'Zichtbaar in de replay' }] }] } },
  ].map((e, i) => ({ seq: i + 1, at: 1764324000000 + i * 1000, ...e }));
  const { context, page, errors } = await newPage(DESKTOP, (c) => routeApi(c, {
    [`/api/rooms/${ROOM}/log\\?key=${key}$`]: (r) => r.fulfill({ body: Buffer.from(encode(events)), contentType: 'application/msgpack' }),
  }));
  await page.goto(`${suite.server.url}/#/replay/${ROOM}?key=${key}`);
  // The cover: title, date and ranking; then the story by chapters (the start, the card, the close).
  await page.getByRole('navigation', { name: 'Hoofdstukken' }).waitFor();
  await page.locator('#summary-h').waitFor();
  const chapters = page.getByRole('navigation', { name: 'Hoofdstukken' }).getByRole('button');
  assert.equal(await chapters.count(), 4);
  await chapters.nth(2).click();
  await page.getByText(`Stap 3 van 6`).first().waitFor();
  await page.locator('.story-step.current', { hasText: 'Ana speelt' }).waitFor();
  await page.getByRole('button', { name: 'Stap vooruit' }).click();
  await page.locator('.story-step.current', { hasText: '2 stemmen — gemiddeld 4,5 — eensgezind' }).waitFor();
  await page.getByRole('heading', { name: 'Uitslag' }).waitFor();
  await shoot(page, 'replay-revealed-desktop');
  await axe(page, 'replay');
  await page.getByRole('button', { name: 'Stap vooruit' }).click();
  await page.locator('.note-text', { hasText: 'Zichtbaar in de replay' }).waitFor();
  await chapters.last().click();
  await page.locator('#summary-h').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
