// Format 2 and window play in the browser against the real server: the anchor with the scale on a phone, the
// follow-up questions on the console only, the empty chair, and the votes per window on the big screen after a reveal.
// Saves the screenshots docs/screens/ shows (VERRIJK_SCREENS=1 writes them there; otherwise into the artifacts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { testsDir } from './server.mjs';
import { browserSuite, leave, shooter, PHONE, LAPTOP, PROJECTOR, STEP_MS } from './people.mjs';
import { Member } from '../integration/members.mjs';

// The tests' own format 2 decks, with windows.
const suite = browserSuite({ server: { decks: resolve(testsDir, 'decks') } });
const shoot = shooter('windows', { docs: true });

test('a story card shows its anchor on the phone, follow-ups only on the console, and the votes per window after the reveal', { timeout: 120_000 }, async () => {
  const fac = await suite.person(LAPTOP);
  const code = await suite.createSession(fac.page, {
    title: 'Vier vensters',
    rules: async (page) => {
      await page.getByText('Spelregels').click();
      await page.getByLabel('De begeleider trekt steeds een kaart van de stapel').check();
    },
  });

  const screen = await suite.person(PROJECTOR);
  await suite.openScreen(screen.page, code);

  // Three players join on phones and choose the window they speak from.
  const players = [];
  for (const [name, window] of [['Ana', 'Burger'], ['Bo', 'Burger'], ['Cas', 'Organisatie']]) {
    const p = await suite.person(PHONE);
    await suite.join(p.page, code, name);
    await p.page.getByLabel('Ik spreek vanuit het venster').selectOption({ label: window });
    await p.page.locator('.person-name', { hasText: name }).locator('.tag-window', { hasText: window }).waitFor({ timeout: STEP_MS });
    players.push(p);
  }
  // What a window means is one tap away in the lobby.
  await players[0].page.getByRole('group').or(players[0].page.locator('.window-list')).first().waitFor();
  await players[0].page.locator('.window-item', { hasText: 'Bestuur en beleid' }).locator('summary').click();
  await players[0].page.getByText('Je kijkt als bestuurder of beleidsmaker').waitFor();
  await fac.page.locator('.person-name', { hasText: 'Cas' }).locator('.tag-window', { hasText: 'Organisatie' }).waitFor({ timeout: STEP_MS });

  // Only story cards this round: the one story card, with an anchor and two follow-ups.
  await fac.page.getByText('Spelregels wijzigen').click();
  await fac.page.getByRole('checkbox', { name: 'Verhaal' }).check();
  await fac.page.getByRole('button', { name: 'Ronde starten' }).click();
  await fac.page.getByRole('button', { name: 'Kaart trekken' }).click();
  await fac.page.locator('#table-card .card-title', { hasText: 'Een moment van samen leren' }).waitFor({ timeout: STEP_MS });

  // The console: follow-ups, and the empty chair for a window nobody holds.
  await fac.page.getByRole('heading', { name: 'Doorvragen' }).waitFor();
  await fac.page.getByText('Bij een hoge score: wat is een kleine eerste stap, en wie zet die?').waitFor();
  await fac.page.getByLabel('Venster voor de lege stoel').selectOption({ label: 'Bestuur en beleid' });
  await fac.page.locator('.chair', { hasText: 'Bestuur en beleid' }).waitFor({ timeout: STEP_MS });
  await shoot(fac.page, 'console-followups');

  // The phone: the deck's question above the scale, the card's anchor with it, the category's explainer behind (i).
  const ana = players[0].page;
  await ana.locator('#table-card .card-title', { hasText: 'Een moment van samen leren' }).waitFor({ timeout: STEP_MS });
  await ana.getByRole('heading', { name: 'Hoeveel valt hier bij ons nog te winnen?' }).waitFor();
  await ana.locator('.voting .anchor-low', { hasText: '1 = dat gebeurt vaak' }).waitFor();
  await ana.locator('.voting .anchor-high', { hasText: '5 = dat gebeurt bijna nooit' }).waitFor();
  await ana.locator('.chair', { hasText: 'Bestuur en beleid' }).waitFor();
  assert.equal(await ana.locator('.followups').count(), 0, 'no follow-ups on a phone');
  assert.equal(await ana.getByText('Wat maakte dat moment mogelijk?').count(), 0, 'no follow-up text on a phone');
  await ana.getByRole('group', { name: 'Hoeveel valt hier bij ons nog te winnen?' }).waitFor();
  await ana.locator('#table-card summary[aria-label="Wat betekent Samen werken?"]').click();
  await ana.getByText('Studenten, professionals, bewoners en organisaties werken en leren samen').waitFor();
  await shoot(ana, 'card-anchor-phone', { fullPage: true });
  await ana.locator('#table-card summary[aria-label="Wat betekent Samen werken?"]').click();
  // The big screen shows the anchor too, and never the follow-ups.
  await screen.page.locator('.scale-guide .anchor-low', { hasText: '1 = dat gebeurt vaak' }).waitFor({ timeout: STEP_MS });
  assert.equal(await screen.page.locator('.followups').count(), 0, 'no follow-ups on the screen');

  // Everyone votes: the reveal shows the overall figure and the figures per window.
  for (const [i, v] of [[0, 5], [1, 4], [2, 2]]) await players[i].page.getByRole('button', { name: new RegExp(`^${v}`) }).click();
  const figures = screen.page.locator('.window-figures');
  await figures.waitFor({ timeout: STEP_MS });
  // On the projector one cell per window under the reveal (the overall figure is the big mean above it).
  const rows = await figures.locator('.wf-cell').allInnerTexts();
  assert.equal(rows.length, 2, rows.join(' | '));
  assert.match(rows[0], /Burger\s+4,5\s+2 stemmen/);
  assert.match(rows[1], /Organisatie\s+2,0\s+1 stem/);
  assert.match(await screen.page.locator('.reveal-mean').textContent(), /^3,7$/);
  await shoot(screen.page, 'reveal-windows-screen');
  await players[0].page.locator('.window-figures').waitFor({ timeout: STEP_MS });
  await shoot(players[0].page, 'reveal-phone', { fullPage: true, docs: false });
  await leave(fac, screen, ...players);
});

test('the create form offers a format 2 deck\'s card kinds, audience and bookends, and the room starts with them', { timeout: 120_000 }, async () => {
  const fac = await suite.person(PHONE);
  const chosen = 'Welke kaarten: onderwerp, verhaal, voor het team, met opening en afsluiter';
  const code = await suite.createSession(fac.page, {
    rules: async (page) => {
      await page.getByLabel('De begeleider trekt steeds een kaart van de stapel').check();
      // Folded under one line that says what the round takes.
      const choice = page.locator('details.card-choice');
      await choice.locator('summary', { hasText: 'Welke kaarten: alle soorten, voor elk publiek' }).click({ timeout: STEP_MS });
      await choice.getByRole('checkbox', { name: 'Onderwerp' }).check();
      await choice.getByRole('checkbox', { name: 'Verhaal' }).check();
      await choice.getByLabel('Voor wie?').selectOption({ label: 'Voor het team' });
      await choice.getByRole('checkbox', { name: 'Begin met een openingskaart en eindig met een afsluiter' }).check();
      await choice.locator('summary', { hasText: chosen }).waitFor();
      await shoot(page, 'create-options-phone', { fullPage: true, docs: false });
    },
  });
  // The console's lobby says the same, and the room holds it (what a device that joins is told).
  await fac.page.locator('.opts-summary', { hasText: chosen }).waitFor({ timeout: STEP_MS });
  const look = await Member.connect(suite.server, code);
  const w = await look.must({ t: 'join', room: code, name: 'Kijker', role: 'screen' });
  assert.deepEqual(w.state.opts.kinds, ['topic', 'story']);
  assert.equal(w.state.opts.audience, 'team');
  assert.equal(w.state.opts.bookends, true);
  await look.close();
  await leave(fac);
});

test('the facilitator chooses their own window in the console, and it shows next to their name', { timeout: 120_000 }, async () => {
  const fac = await suite.person(LAPTOP);
  const code = await suite.createSession(fac.page, {
    rules: (page) => page.getByLabel('De begeleider speelt zelf ook mee (krijgt kaarten en stemt)').check(),
  });
  await fac.page.getByLabel('Ik spreek vanuit het venster').selectOption({ label: 'Bestuur en beleid' });
  await fac.page.locator('.person-name', { hasText: 'Fenna' }).locator('.tag-window', { hasText: 'Bestuur en beleid' }).waitFor({ timeout: STEP_MS });
  await shoot(fac.page, 'console-own-window-laptop', { docs: false });
  // The room holds it: a device that joins sees the facilitator's window.
  const look = await Member.connect(suite.server, code);
  const w = await look.must({ t: 'join', room: code, name: 'Kijker', role: 'screen' });
  assert.equal(w.state.players.find((p) => p.role === 'facilitator').window, 'bestuur');
  await look.close();
  await leave(fac);
});
