// End to end against the real server: a facilitator, three players and a big screen play a whole round in the browser.
// Needs the server's rooms layer and HTTP API (SPEC.md §3–§8); a server without them fails these tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { encode, decodeMulti } from '@msgpack/msgpack';
import { browserSuite, axe, leave, shooter, LOBBY_WAIT, PHONE, LAPTOP as DESKTOP, PROJECTOR, STEP_MS } from './people.mjs';

/* The vote asks the default deck's one question (format 2). */
const VOTE_QUESTION = JSON.parse(readFileSync(new URL('../../decks/verrijkte-leeromgevingen.json', import.meta.url), 'utf8')).question.nl;

// A server that cannot host a whole session fails every test here with what it lacks.
const suite = browserSuite({
  ready: async ({ server }) => assert.equal(await probe(server.url), null, 'the server cannot host a session'),
});
// Every person here may be scanned with axe (which needs bypassCSP to be injected).
const person = (viewport) => suite.person(viewport, { bypassCSP: true });
const shoot = shooter('session', { fullPage: true });

/** Says what the server still lacks for a whole session, or null when it has it all. */
async function probe(url) {
  const decks = await fetch(`${url}/api/decks`).catch(() => null);
  if (!decks || !decks.ok) return `GET /api/decks answers ${decks ? decks.status : 'nothing'}`;
  const list = await decks.json();
  if (!Array.isArray(list) || list.length === 0) return 'GET /api/decks lists no deck';
  const code = 'PRQBE2';
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?room=${code}`, 'verrijk.v1');
  const answer = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ t: 'timeout' }), 5000);
    ws.on('open', () => ws.send(encode({ t: 'create', id: 1, room: code, name: 'Probe', deck: list[0].id, lang: 'nl' })));
    ws.on('message', (data) => {
      for (const m of decodeMulti(data)) if (m.id === 1) { clearTimeout(timer); resolve(m); }
    });
    ws.on('error', () => resolve({ t: 'error', code: 'no connection' }));
  });
  ws.close();
  if (answer.t !== 'welcome') return `create answers ${answer.t} ${answer.code ?? ''}`.trim();
  const deck = await fetch(`${url}/api/decks/${answer.state.deck.hash}`).catch(() => null);
  if (!deck || !deck.ok) return `GET /api/decks/HASH answers ${deck ? deck.status : 'nothing'}`;
  return null;
}

test('a facilitator, three players and a big screen play a whole round; reload keeps hand and vote; replay steps through it', { timeout: 180_000 }, async (t) => {
  // The facilitator creates the session.
  const fac = await person(DESKTOP);
  const code = await suite.createSession(fac.page, { title: 'Teamdag' });
  await shoot(fac.page, 'facilitator-lobby');
  await axe(fac.page, 'facilitator lobby');

  // The big screen and three players join; one of them types the code in lower case with a space.
  const screen = await person(PROJECTOR);
  await suite.openScreen(screen.page, code);
  const players = [];
  for (const name of ['Ana', 'Bo', 'Cas']) {
    const p = await person(PHONE);
    p.name = name;
    await p.page.goto(`${suite.server.url}/#/`);
    await p.page.getByLabel('Sessiecode (6 tekens)').fill(`${code.slice(0, 3).toLowerCase()} ${code.slice(3)}`);
    await p.page.getByRole('button', { name: 'Meedoen', exact: true }).click();
    // The home page has a 'Jouw naam' of its own (the create form): fill the room's only once it shows.
    await p.page.getByRole('heading', { name: `Meedoen met sessie ${code}` }).waitFor({ timeout: STEP_MS });
    await p.page.getByLabel('Jouw naam').fill(name);
    await p.page.getByRole('button', { name: 'Meedoen', exact: true }).click();
    await p.page.getByText(LOBBY_WAIT).waitFor({ timeout: STEP_MS });
    players.push(p);
  }
  await fac.page.locator('.person-name', { hasText: 'Cas' }).waitFor();
  await shoot(screen.page, 'screen-lobby');
  await axe(players[0].page, 'player lobby');

  await fac.page.getByRole('button', { name: 'Ronde starten' }).last().click();
  await fac.page.locator('#table-card, .table-empty').first().waitFor({ timeout: STEP_MS });

  // Three cards: the player whose turn it is plays, everyone votes, auto reveal, a note, next.
  const plan = [[5, 4, 5], [2, 3, 2], [4, 4, 3]];
  const titles = [];
  for (let c = 0; c < plan.length; c++) {
    let turn = null;
    for (let tries = 0; tries < 50 && !turn; tries++) {
      for (const p of players) if (await p.page.getByText('Jij bent aan de beurt').isVisible()) turn = p;
      if (!turn) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(turn, `someone has the turn for card ${c + 1}`);
    await turn.page.getByRole('button', { name: /^Op tafel leggen: / }).first().click();
    const title = (await fac.page.locator('#table-card .card-title').textContent({ timeout: STEP_MS })).trim();
    titles.push(title);
    for (let i = 0; i < players.length; i++) {
      const p = players[i];
      await p.page.locator('#table-card .card-title', { hasText: title }).waitFor({ timeout: STEP_MS });
      if (c === 1 && i === 0) {
        // A player's phone reloads mid-round: it comes back as the same player, with hand and vote.
        await p.page.getByRole('button', { name: new RegExp(`^${plan[c][i]}`) }).click();
        await p.page.getByText(new RegExp(`Jouw keuze: ${plan[c][i]}`)).waitFor();
        const handBefore = await p.page.locator('.hand .card-title').allTextContents();
        await p.page.reload();
        await p.page.getByText(new RegExp(`Jouw keuze: ${plan[c][i]}`)).waitFor({ timeout: STEP_MS });
        assert.deepEqual(await p.page.locator('.hand .card-title').allTextContents(), handBefore);
        await shoot(p.page, 'player-after-reload');
        continue;
      }
      if (c === 0 && i === 2) await shoot(screen.page, 'screen-voting');
      await p.page.getByRole('button', { name: new RegExp(`^${plan[c][i]}`) }).click();
    }
    for (const p of [fac, ...players]) await p.page.getByRole('heading', { name: 'Uitslag' }).waitFor({ timeout: STEP_MS });
    await screen.page.locator('.reveal-mean').waitFor({ timeout: STEP_MS });
    // Nobody chose a window (the deck has them): no figures per window anywhere, not even an empty table.
    for (const p of [fac, screen, ...players]) assert.equal(await p.page.locator('.window-figures').count(), 0, 'no figures per window');
    if (c === 0) {
      await players[1].page.getByLabel('Notitie toevoegen').fill('Stage-plekken bij de gemeente');
      await players[1].page.getByRole('button', { name: 'Toevoegen' }).click();
      await fac.page.locator('.note-text', { hasText: 'Stage-plekken bij de gemeente' }).waitFor({ timeout: STEP_MS });
      await shoot(screen.page, 'screen-revealed');
      await shoot(players[0].page, 'player-revealed');
      await shoot(fac.page, 'facilitator-revealed');
      await screen.page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
      await axe(screen.page, 'screen revealed');
    }
    await fac.page.getByRole('button', { name: 'Volgende kaart' }).click();
    await fac.page.locator('.table-empty').waitFor({ timeout: STEP_MS });
  }

  // The facilitator closes the round with a text and actions; everyone sees the summary.
  await fac.page.getByText('Ronde afsluiten').click();
  await fac.page.getByLabel('Samenvatting voor iedereen').fill('Goed gesprek');
  await fac.page.getByLabel('Afspraken (één per regel)').fill('Plan maken\nTerugkomen');
  await fac.page.getByRole('button', { name: 'Afsluiten en samenvatting delen' }).click();
  const expected = [titles[0], titles[2], titles[1]]; // means 4.67, 3.67, 2.33
  for (const p of [fac, ...players]) {
    await p.page.locator('#summary-h').waitFor({ timeout: STEP_MS });
    assert.equal(await p.page.locator('.window-figures').count(), 0, 'no figures per window in the summary');
    assert.deepEqual((await p.page.locator('.ranking .card-title').allTextContents()).map((s) => s.trim()), expected);
  }
  // The big screen shows the summary a page at a time: the words first, then the ranking.
  await screen.page.getByRole('heading', { name: 'Samenvatting ronde 1' }).waitFor({ timeout: STEP_MS });
  await screen.page.getByText('Goed gesprek').waitFor();
  await fac.page.getByRole('button', { name: /^Volgende pagina/ }).click();
  await screen.page.locator('.closing-row').first().waitFor({ timeout: STEP_MS });
  assert.deepEqual((await screen.page.locator('.closing-row .board-title').allTextContents()).map((s) => s.trim()), expected);
  await shoot(players[0].page, 'summary-phone');
  await shoot(fac.page, 'summary-desktop');
  await axe(players[0].page, 'summary');
  const md = await fac.page.getByRole('link', { name: 'Markdown' }).getAttribute('href');
  const mdText = await (await fetch(`${suite.server.url}${md}`)).text();
  assert.match(mdText, /Goed gesprek/);

  // The replay steps through the finished session.
  await fac.page.getByRole('link', { name: 'Terugkijken' }).click();
  await fac.page.getByRole('navigation', { name: 'Hoofdstukken' }).waitFor({ timeout: STEP_MS });
  await fac.page.getByRole('button', { name: 'Stap vooruit' }).click();
  await fac.page.getByText(/Stap 1 van \d+/).first().waitFor();
  await fac.page.getByRole('button', { name: 'Stap vooruit' }).click();
  await fac.page.getByText(/Stap 2 van \d+/).first().waitFor();
  await fac.page.getByRole('navigation', { name: 'Hoofdstukken' }).getByRole('button').last().click();
  await fac.page.locator('#summary-h').waitFor();
  await shoot(fac.page, 'replay');
  await axe(fac.page, 'replay');

  await leave(fac, screen, ...players);
});

test('a second device takes over a player (4002), a locked room refuses a newcomer in words, a kicked player is told (4001)', { timeout: 120_000 }, async (t) => {
  const fac = await person(DESKTOP);
  await fac.page.goto(`${suite.server.url}/#/`);
  await fac.page.getByRole('button', { name: 'Switch to English' }).click();
  await fac.page.getByLabel('Your name').fill('Fenna');
  await fac.page.getByRole('button', { name: 'Create session' }).click();
  const code = (await fac.page.locator('.big-code').textContent({ timeout: STEP_MS })).trim();

  const phone = await person(PHONE);
  // Before joining only the browser's language is known (Dutch here); once in, the room's language (English,
  // as the facilitator's page was when creating) takes over on a device where nobody chose one.
  await suite.join(phone.page, code, 'Ana', { lobby: false });
  await phone.page.getByText('Waiting for the facilitator to start the round.').waitFor({ timeout: STEP_MS });

  // The same player continues on a laptop: the phone is told, and does not reconnect.
  const laptop = await suite.browser.newContext({ viewport: DESKTOP, storageState: await phone.context.storageState() });
  const lp = await laptop.newPage();
  await lp.goto(`${suite.server.url}/#/room/${code}`);
  await lp.getByText('Waiting for the facilitator to start the round.').waitFor({ timeout: STEP_MS });
  await phone.page.getByText('You continued this session on another device').waitFor({ timeout: STEP_MS });
  await shoot(phone.page, 'taken-over-phone');

  // Locked: a newcomer gets a sentence, not a code.
  await fac.page.getByRole('button', { name: 'Lock the session (after that nobody can join)' }).click();
  await fac.page.getByText('The session is locked: new people cannot join.').waitFor({ timeout: STEP_MS });
  const late = await person(PHONE);
  await suite.join(late.page, code, 'Bo', { lobby: false });
  await late.page.getByRole('alert').filter({ hasText: 'De begeleider heeft de sessie op slot gezet.' }).waitFor({ timeout: STEP_MS });

  // Kicked: the laptop is told and forgets the membership.
  fac.page.once('dialog', (d) => d.accept());
  await fac.page.getByRole('button', { name: 'Remove: Ana' }).click();
  await lp.getByText('The facilitator removed you from this session').waitFor({ timeout: STEP_MS });
  await shoot(lp, 'kicked-laptop');
  assert.equal(await lp.evaluate((k) => localStorage.getItem(k), `verrijk.token.${code}`), null);

  await leave(fac, phone, late);
  await laptop.close();
});

test('deck mode, anonymous votes, a seated person, hide, revote, timer, handover, close and purge through the facilitator\'s controls', { timeout: 120_000 }, async (t) => {
  const fac = await person(DESKTOP);
  const code = await suite.createSession(fac.page, {
    rules: async (page) => {
      await page.getByLabel('De begeleider trekt steeds een kaart van de stapel').check();
      await page.getByLabel(/Anoniem stemmen/).check();
    },
  });

  const ana = await person(PHONE);
  await suite.join(ana.page, code, 'Ana');

  await fac.page.getByLabel('Iemand zonder telefoon toevoegen').fill('Cas');
  await fac.page.getByRole('button', { name: 'Toevoegen' }).click();
  await fac.page.locator('.person-name', { hasText: 'Cas' }).waitFor({ timeout: STEP_MS });
  const topic = deckTopic();
  await fac.page.getByText('Spelregels wijzigen').click();
  await fac.page.getByRole('checkbox', { name: topic }).check();
  await fac.page.getByRole('button', { name: 'Ronde starten' }).click();
  await fac.page.getByRole('button', { name: 'Kaart trekken' }).click();
  await fac.page.locator('#table-card .card-cat', { hasText: topic }).waitFor({ timeout: STEP_MS });

  // The facilitator votes for the seated person first: Ana's vote then completes the card (auto reveal).
  await fac.page.getByRole('group', { name: 'Stem voor Cas' }).getByRole('button', { name: /^2/ }).click();
  await fac.page.locator('.vote-for', { hasText: 'Gestemd' }).waitFor({ timeout: STEP_MS });
  await ana.page.getByLabel('Notitie toevoegen').fill('Iets te persoonlijks');
  await ana.page.getByRole('button', { name: 'Toevoegen' }).click();
  await fac.page.getByRole('button', { name: 'Verbergen: Iets te persoonlijks' }).click();
  await ana.page.getByText('(notitie verborgen)').waitFor({ timeout: STEP_MS });
  await ana.page.getByRole('button', { name: /^4/ }).click();
  await ana.page.getByRole('heading', { name: 'Uitslag' }).waitFor({ timeout: STEP_MS });
  // Anonymous: the distribution, never who chose what.
  assert.equal(await ana.page.locator('.hist-who').count(), 0);
  assert.equal(await fac.page.locator('.hist-who').count(), 0);

  await fac.page.getByRole('button', { name: 'Opnieuw stemmen' }).click();
  await ana.page.getByRole('heading', { name: VOTE_QUESTION }).waitFor({ timeout: STEP_MS });
  await fac.page.getByRole('group', { name: 'Stem voor Cas' }).getByRole('button', { name: /^3/ }).click();
  await ana.page.getByRole('button', { name: /^5/ }).click();
  await ana.page.getByRole('heading', { name: 'Uitslag' }).waitFor({ timeout: STEP_MS });
  await ana.page.getByText('2 stemmen · gemiddeld 4').waitFor();

  await fac.page.getByRole('button', { name: '1 min' }).click();
  await ana.page.getByRole('timer').filter({ hasText: /Nog [01]:\d\d/ }).waitFor({ timeout: STEP_MS });
  await fac.page.getByRole('button', { name: 'Volgende kaart' }).click();
  await fac.page.getByRole('button', { name: 'Kaart trekken' }).waitFor({ timeout: STEP_MS });

  // Ana takes over facilitation, closes the round and deletes the session.
  fac.page.once('dialog', (d) => d.accept());
  await fac.page.locator('.person', { hasText: 'Ana' }).getByRole('button', { name: 'Begeleiding overdragen' }).click();
  await ana.page.getByRole('heading', { name: 'Deelnemers laten meedoen' }).waitFor({ timeout: STEP_MS });
  await fac.page.getByText('Sessie verlaten').waitFor({ timeout: STEP_MS });
  await ana.page.setViewportSize(DESKTOP);
  await ana.page.getByText('Ronde afsluiten').click();
  await ana.page.getByRole('button', { name: 'Afsluiten en samenvatting delen' }).click();
  await fac.page.locator('#summary-h').waitFor({ timeout: STEP_MS });
  assert.equal(await fac.page.locator('.ranking .rank-item').count(), 1);
  await fac.page.getByText('(notitie verborgen)').waitFor();
  ana.page.once('dialog', (d) => d.accept());
  await ana.page.getByRole('button', { name: 'Sessie definitief verwijderen' }).click();
  await fac.page.getByText('De begeleider heeft je uit deze sessie gehaald, of de sessie is verwijderd.').waitFor({ timeout: STEP_MS });
  await shoot(fac.page, 'purged');

  await leave(fac, ana);
});

/** The title of the default deck's first topic, in Dutch. */
function deckTopic() {
  const deck = JSON.parse(readFileSync(new URL('../../decks/verrijkte-leeromgevingen.json', import.meta.url), 'utf8'));
  return deck.categories[0].title.nl;
}
