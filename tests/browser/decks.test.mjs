// Own card sets in the browser against the real server: build a set in the editor, store it, play it; read it back from CSV with a bad row; print a set to PDF and read every card back; hostile deck text stays text.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir } from './server.mjs';
import { browserSuite, leave, DOCS_SCREENS, PHONE, LAPTOP as DESKTOP, PROJECTOR, STEP_MS } from './people.mjs';

// VERRIJK_SCREENS=1 writes the screenshots docs/screens/ shows; otherwise they go to the artifacts.
const SCREENS = process.env.VERRIJK_SCREENS ? DOCS_SCREENS : join(artifactsDir, 'decks-screens');

/** The set the editor builds: 3 categories, 10 cards. */
const CATEGORIES = [
  { nl: 'Samen leren', en: 'Learning together', color: '#1f5f8b' },
  { nl: 'De praktijk', en: 'Practice', color: '#2e7d32' },
  { nl: 'Ons team', en: 'Our team', color: '#6a1b9a' },
];
const CARDS = Array.from({ length: 10 }, (_, i) => ({
  cat: i % 3,
  nl: `Kaart ${i + 1}: ${['Buurtpartners', 'Stageplekken', 'Feedback', 'Eigenaarschap', 'Werkplaats', 'Gastlessen', 'Projectweken', 'Ouders', 'Onderzoek', 'Afsluiting'][i]}`,
  en: `Card ${i + 1}`,
  qnl: `Waar zien wij dit nu al bij ons, en wat houdt ons tegen (${i + 1})?`,
  qen: `Where do we see this already, and what holds us back (${i + 1})?`,
}));

const suite = browserSuite();
before(() => mkdirSync(SCREENS, { recursive: true }));
const person = (viewport) => suite.person(viewport, { acceptDownloads: true, timeout: STEP_MS });
/** The deck-mode rule on the create form: the facilitator draws every card. */
const drawsCards = (page) => page.getByLabel('De begeleider trekt steeds een kaart van de stapel').first().check();

const field = (page, path) => page.locator(`[data-field="${path}"]`);

test('a set of 3 categories and 10 cards made in the editor is stored, shows the server\'s message at the field it names, and plays: a card on the table by its printed number, a vote', async () => {
  const ed = await person(DESKTOP);
  await ed.page.goto(`${suite.server.url}/#/editor`);
  await field(ed.page, 'title.nl').fill('Onze eigen set');
  await field(ed.page, 'title.en').fill('Our own set');
  // Three categories; a light colour is flagged before anything is sent.
  await ed.page.getByRole('button', { name: 'Categorie toevoegen' }).click();
  await ed.page.getByRole('button', { name: 'Categorie toevoegen' }).click();
  for (const [i, c] of CATEGORIES.entries()) {
    await field(ed.page, `categories[${i}].title.nl`).fill(c.nl);
    await field(ed.page, `categories[${i}].title.en`).fill(c.en);
    await field(ed.page, `categories[${i}].color`).fill('#ffd54f');
    await ed.page.getByText(/Te licht voor witte tekst/).first().waitFor();
    await field(ed.page, `categories[${i}].color`).fill(c.color);
  }
  assert.equal(await ed.page.getByText(/Te licht voor witte tekst/).count(), 0);
  for (let i = 1; i < CARDS.length; i++) await ed.page.getByRole('button', { name: 'Kaart toevoegen' }).click();
  for (const [i, c] of CARDS.entries()) {
    await field(ed.page, `cards[${i}].category`).selectOption({ label: CATEGORIES[c.cat].nl });
    await field(ed.page, `cards[${i}].title.nl`).fill(c.nl);
    await field(ed.page, `cards[${i}].title.en`).fill(c.en);
    await field(ed.page, `cards[${i}].prompt.nl`).fill(c.qnl);
    // The last card's English question is left empty: the server names that field.
    if (i < CARDS.length - 1) await field(ed.page, `cards[${i}].prompt.en`).fill(c.qen);
  }
  // The live preview follows the card being edited, as a phone and as the big screen show it.
  await field(ed.page, 'cards[2].title.nl').click();
  await ed.page.locator('.preview-phone .card-title', { hasText: CARDS[2].nl }).waitFor();
  await ed.page.locator('.preview-screen .card-title', { hasText: CARDS[2].nl }).waitFor();
  await ed.page.locator('.editor-side').screenshot({ path: join(SCREENS, 'editor-preview.png') });

  await ed.page.getByRole('button', { name: 'Opslaan op de server' }).click();
  const message = ed.page.locator('label', { has: field(ed.page, 'cards[9].prompt.en') }).locator('.field-error');
  await message.waitFor();
  // The server's message in the editor's language, not the checker's English phrase.
  assert.equal((await message.textContent()).trim(), 'Vul hier iets in.');
  assert.equal(await field(ed.page, 'cards[9].prompt.en').getAttribute('aria-invalid'), 'true');
  await ed.page.screenshot({ path: join(artifactsDir, 'editor-field-error.png') });

  await field(ed.page, 'cards[9].prompt.en').fill(CARDS[9].qen);
  await ed.page.getByRole('button', { name: 'Opslaan op de server' }).click();
  const saved = ed.page.locator('.ed-saved');
  await saved.waitFor();
  const hash = /code ([0-9a-f]{16})/.exec(await saved.textContent())[1];
  await ed.page.locator('#ed-cats').scrollIntoViewIfNeeded();
  await ed.page.evaluate(() => document.getElementById('ed-cats').scrollIntoView());
  await ed.page.screenshot({ path: join(SCREENS, 'editor.png') });
  await ed.page.setViewportSize(PHONE);
  await ed.page.evaluate(() => document.getElementById('ed-cards').scrollIntoView());
  await ed.page.screenshot({ path: join(artifactsDir, 'editor-phone.png') });
  await ed.page.setViewportSize(PROJECTOR);
  await ed.page.evaluate(() => scrollTo(0, 0));
  await ed.page.screenshot({ path: join(artifactsDir, 'editor-projector.png') });
  const stored = await (await fetch(`${suite.server.url}/api/decks/${hash}`)).json();
  assert.equal(stored.categories.length, 3);
  assert.equal(stored.cards.length, 10);
  assert.equal(stored.format, undefined, 'without v2 fields the set stays a v1 deck');

  // The unlisted link opens the create form with this set chosen.
  await ed.page.setViewportSize(DESKTOP);
  await ed.page.getByRole('link', { name: 'Sessie starten met deze set' }).click();
  const code = await suite.createSession(ed.page, {
    open: false,
    rules: async (page) => {
      assert.equal(await page.getByLabel('Kaartenset').inputValue(), hash);
      // The round's rules are asked at creation.
      await drawsCards(page);
    },
  });

  const player = await person(PHONE);
  await suite.join(player.page, code, 'Ana');
  await ed.page.locator('.person-name', { hasText: 'Ana' }).waitFor();
  await ed.page.getByRole('button', { name: 'Ronde starten' }).last().click();
  // A paper card by the number printed on it: card 7.
  await ed.page.getByLabel('Papieren kaart nr.').fill('7');
  await ed.page.getByRole('button', { name: 'Op tafel leggen', exact: true }).click();
  await player.page.locator('#table-card .card-title', { hasText: CARDS[6].nl }).waitFor();
  await player.page.getByRole('button', { name: /^4/ }).click();
  await ed.page.getByRole('heading', { name: 'Uitslag' }).waitFor();
  await leave(ed, player);
});

test('a printed card\'s link on the facilitator\'s device puts that card on the table', async () => {
  const fac = await person(PHONE);
  const code = await suite.createSession(fac.page, { rules: drawsCards });
  await fac.page.getByRole('button', { name: 'Ronde starten' }).last().click();
  // The round runs and the table is empty: the console offers a paper card by its number.
  await fac.page.getByLabel('Papieren kaart nr.').waitFor();
  // What the camera app opens: the link in the card's QR, in a new tab of the same browser.
  const deck = await (await fetch(`${suite.server.url}/api/decks/${(await (await fetch(`${suite.server.url}/api/decks`)).json())[0].hash}`)).json();
  const card = deck.cards[20];
  const scan = await fac.context.newPage();
  await scan.goto(`${suite.server.url}/#/card/${card.id}`);
  await scan.waitForURL(`**/#/room/${code}`);
  await scan.locator('#table-card .card-title', { hasText: card.title.nl }).waitFor();
  // The same card again: it has left the pile, and the page says so.
  // Before the reveal, the next card is asked twice (no silent loss of the reveal).
  await scan.getByRole('button', { name: 'Volgende kaart…' }).click();
  await scan.getByRole('button', { name: 'Toch volgende kaart, zonder uitslag' }).click();
  await scan.getByLabel('Papieren kaart nr.').waitFor();
  await scan.goto(`${suite.server.url}/#/card/${card.id}`);
  await scan.getByText('Deze kaart zit niet (meer) in de stapel').waitFor();
  await fac.context.close();
});

test('the same set read back from CSV names the one bad row and reads the others', async () => {
  const ed = await person(DESKTOP);
  // The CSV the editor writes, of the set above, with one row broken as a person might.
  await ed.page.goto(`${suite.server.url}/#/editor`);
  await field(ed.page, 'title.nl').fill('CSV-set');
  await ed.page.getByText('Inlezen en bewaren als bestand').click();
  const header = 'categorie_nl;categorie_en;kleur;titel_nl;titel_en;vraag_nl;vraag_en';
  const cells = CARDS.map((c, i) => [CATEGORIES[c.cat].nl, CATEGORIES[c.cat].en, CATEGORIES[c.cat].color, c.nl, c.en, i === 4 ? '' : c.qnl, c.qen]);
  const line = (row, sep) => row.map((s) => (s.includes(sep) || s.includes('"') ? `"${s.replace(/"/g, '""')}"` : s)).join(sep);
  const rows = cells.map((r) => line(r, ';'));
  const csv = `\ufeff${[header, ...rows].join('\r\n')}\r\n`;
  const file = join(artifactsDir, 'set-with-bad-row.csv');
  writeFileSync(file, csv);
  await ed.page.getByLabel('CSV inlezen').setInputFiles(file);
  // The header is row 1, so the fifth card is row 6.
  const problem = ed.page.locator('.csv-problems li[data-row="6"]');
  await problem.waitFor();
  assert.equal((await problem.textContent()).trim(), 'Rij 6: vraag_nl is leeg');
  assert.equal(await ed.page.locator('.csv-problems li').count(), 1);
  // One bad row is said in the singular, not as "1 rij(en)".
  assert.equal((await ed.page.locator('.csv-problems p.error').textContent()).trim(), 'Deze rij is niet ingelezen:');
  assert.equal(await ed.page.locator('.ed-list select[data-field$=".category"]').count(), 9);
  assert.equal(await field(ed.page, 'cards[4].title.nl').inputValue(), CARDS[5].nl);
  assert.equal(await field(ed.page, 'categories[2].title.nl').inputValue(), CATEGORIES[2].nl);
  await ed.page.locator('.ed-io').screenshot({ path: join(artifactsDir, 'editor-csv-problem.png') });

  // And what the editor writes, it reads back whole (a comma-separated file as well).
  const [download] = await Promise.all([ed.page.waitForEvent('download'), ed.page.getByRole('button', { name: 'CSV downloaden' }).click()]);
  const written = readFileSync(await download.path(), 'utf8');
  assert.ok(written.startsWith('\ufeffcategorie_nl;'), 'semicolons and a BOM, for Dutch Excel');
  const commas = join(artifactsDir, 'set-commas.csv');
  writeFileSync(commas, `${header.replace(/;/g, ',')}\n${cells.filter((_, i) => i !== 4).map((r) => line(r, ',')).join('\n')}\n`);
  await ed.page.getByLabel('CSV inlezen').setInputFiles(commas);
  await ed.page.getByText('Alle rijen zijn ingelezen.').waitFor();
  assert.equal(await ed.page.locator('.ed-list select[data-field$=".category"]').count(), 9);
  await leave(ed);
});

test('the default set printed to PDF holds every card\'s title, 9 to a sheet, fronts then backs', async () => {
  const p = await person(DESKTOP);
  const list = await (await fetch(`${suite.server.url}/api/decks`)).json();
  const deck = await (await fetch(`${suite.server.url}/api/decks/${list[0].hash}`)).json();
  await p.page.goto(`${suite.server.url}/#/print/${list[0].hash}`);
  await p.page.locator('.print-page[data-ready="true"]').waitFor();
  await p.page.screenshot({ path: join(artifactsDir, 'print-page.png') });
  const pdf = join(artifactsDir, 'cards.pdf');
  await p.page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))[1]);
  const sheets = Math.ceil(deck.cards.length / 9);
  assert.equal(pages, 2 * sheets, 'a page of fronts and a page of backs per 9 cards');
  const flat = (s) => s.replace(/\s+/g, ' ').trim();
  const seen = new Set();
  for (let n = 1; n <= pages; n++) {
    const raw = flat(execFileSync('pdftotext', ['-f', String(n), '-l', String(n), pdf, '-'], { encoding: 'utf8' }));
    // A title is a line (or lines, when it wraps) of its own: "Samen leren" inside another card's question is no title.
    const lines = execFileSync('pdftotext', ['-f', String(n), '-l', String(n), pdf, '-'], { encoding: 'utf8' });
    const asLine = (t) => new RegExp(`(^|\\n)\\s*${t.trim().split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+')}\\s*(\\n|$)`);
    const here = deck.cards.filter((c) => asLine(c.title.nl).test(lines));
    if (n % 2 === 1) {
      const want = Math.min(9, deck.cards.length - 9 * ((n - 1) / 2));
      assert.equal(here.length, want, `page ${n}: ${want} card titles, found ${here.map((c) => c.id).join(', ')}`);
      for (const c of here) seen.add(c.id);
    } else {
      assert.equal(here.length, 0, `page ${n} holds backs only`);
      assert.ok(deck.categories.some((c) => raw.includes(flat(c.title.nl))), `page ${n}: the backs name their category`);
    }
  }
  assert.equal(seen.size, deck.cards.length, 'every card\'s title is in the PDF');
  execFileSync('pdftoppm', ['-r', '72', '-png', '-f', '1', '-l', '2', pdf, join(SCREENS, 'print')]);
  await leave(p);
});

test('hostile text in a stored set is shown as text, never run as HTML', async () => {
  const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  const body = {
    id: 'kwaad', version: 1, title: { nl: evil, en: evil },
    scale: { min: 1, max: 2, labels: { nl: [evil, 'ja'], en: ['no', 'yes'] } },
    categories: [{ id: 'alles', title: { nl: evil, en: evil }, color: '#1f5f8b' }],
    cards: [{ id: 'een', category: 'alles', title: { nl: evil, en: evil }, prompt: { nl: evil, en: evil } }],
  };
  const r = await fetch(`${suite.server.url}/api/decks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 201);
  const { hash } = await r.json();
  const p = await person(DESKTOP);
  await p.page.goto(`${suite.server.url}/#/?deck=${hash}`);
  await p.page.locator('option', { hasText: 'onerror' }).first().waitFor({ state: 'attached' });
  assert.equal((await p.page.getByLabel('Kaartenset').locator('option:checked').textContent()).startsWith(evil), true);
  await p.page.goto(`${suite.server.url}/#/print/${hash}`);
  await p.page.locator('.pcard-title', { hasText: evil }).waitFor();
  await p.page.locator('.pcard-back-cat', { hasText: evil }).waitFor();
  await p.page.goto(`${suite.server.url}/#/editor?from=${hash}`);
  await p.page.locator('.preview-phone .card-title', { hasText: evil }).waitFor();
  assert.equal(await field(p.page, 'cards[0].prompt.nl').inputValue(), evil);
  // Nothing ran, nothing became an element.
  assert.equal(await p.page.evaluate(() => window.__xss), undefined);
  for (const route of [`#/?deck=${hash}`, `#/print/${hash}`]) {
    await p.page.goto(`${suite.server.url}/${route}`);
    await p.page.waitForLoadState('networkidle');
    assert.equal(await p.page.evaluate(() => window.__xss), undefined, route);
    assert.equal(await p.page.locator('img[src="x"], script:not([src])').count(), 0, route);
  }
  await p.context.close();
});
