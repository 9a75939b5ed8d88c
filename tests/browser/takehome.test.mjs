// What people take home, in the real web client against the real server: downloads and their names, the CSV in both
// dialects, the Markdown as plain text, the summary printed to PDF, the share link, the replay by chapters, and
// "Mijn sessies" after a reload. The facilitator is the browser; two players are scripted sockets (real ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir } from './server.mjs';
import { Member } from '../integration/members.mjs';
import { browserSuite, leave, shooter, DOCS_SCREENS, PHONE, LAPTOP, PROJECTOR, STEP_MS } from './people.mjs';

const TITLE = 'Studiedag café';
const NOTE = 'Partners (aankomende) doen mee. Klaar.';
const BRAM = 'Bram van der Heijden-Oosterhuis Bakker';

const suite = browserSuite();
// Amsterdam: the room's tz_offset is 60 in December, whatever the machine's zone.
const person = (viewport) => suite.person(viewport, { timezoneId: 'Europe/Amsterdam', acceptDownloads: true });
/** A screenshot for the artifacts and, with `docs`, for docs/screens/. */
const shoot = shooter('', { fullPage: true });

/** RFC 4180 with a given separator: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text, sep) {
  assert.equal(text.charCodeAt(0), 0xfeff, 'a byte order mark first');
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  assert.equal(row.length + cell.length, 0, 'the last record ends with CRLF');
  return rows;
}

/** Takes a member's messages until pred() gives something (bounded in time), and returns it. */
async function takeUntil(member, pred, ms = STEP_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = pred();
    if (got) return got;
    assert.ok(Date.now() < deadline, 'waited too long for an event');
    await member.take(Math.max(1, deadline - Date.now())).catch(() => {});
  }
}

/** A figure as a spreadsheet set to Dutch reads it: decimal comma, no dot. */
function dutchNumber(s) {
  assert.match(s, /^\d+(,\d+)?$/, `"${s}" is a Dutch number`);
  return Number(s.replace(',', '.'));
}

test('downloads, CSV dialects, Markdown, print to PDF, share link, replay by chapters, and Mijn sessies after a reload', { timeout: 240_000 }, async () => {
  // The facilitator creates the session in the browser.
  const fac = await person(LAPTOP);
  const code = await suite.createSession(fac.page, { title: TITLE });

  // Two players on scripted sockets.
  const players = [];
  // A long name, as people have: who played a card must wrap inside the card on a phone.
  for (const name of ['Anna', BRAM]) {
    const p = await Member.connect(suite.server, code);
    await p.must({ t: 'join', room: code, name, role: 'player' });
    players.push(p);
  }
  await fac.page.locator('.person-name', { hasText: 'Bram' }).waitFor({ timeout: STEP_MS });
  await fac.page.getByRole('button', { name: 'Ronde starten' }).last().click();

  // Two cards: votes (5, 4) then (2, 4); Anna notes the first.
  const plan = [[5, 4], [2, 4]];
  const titles = [];
  for (let c = 0; c < plan.length; c++) {
    const byId = new Map(players.map((p) => [p.you.player, p]));
    // The turn after the c-th card is done: the last `turn` after the last `done`.
    const turnEv = await takeUntil(players[0], () => {
      const turns = players[0].seen('turn');
      const dones = players[0].seen('done');
      return dones.length === c && turns.length > 0 && turns.at(-1).seq > (dones.at(-1)?.seq ?? 0) ? turns.at(-1) : null;
    });
    const turn = byId.get(turnEv.player);
    assert.ok(turn, `a player has the turn for card ${c + 1}`);
    await turn.until(turnEv.seq);
    const played = players[0].seen('played').map((e) => e.card);
    const card = turn.seen('dealt')[0].cards.find((id) => !played.includes(id));
    await turn.must({ t: 'play', card });
    titles.push((await fac.page.locator('#table-card .card-title').textContent({ timeout: STEP_MS })).trim());
    for (let i = 0; i < players.length; i++) await players[i].must({ t: 'vote', value: plan[c][i] });
    await fac.page.getByRole('heading', { name: 'Uitslag' }).waitFor({ timeout: STEP_MS });
    if (c === 0) await players[0].must({ t: 'note', text: NOTE });
    if (c === 0) await fac.page.locator('.note-text', { hasText: NOTE }).waitFor({ timeout: STEP_MS });
    await fac.page.getByRole('button', { name: 'Volgende kaart' }).click();
    await fac.page.locator('.table-empty').waitFor({ timeout: STEP_MS });
  }
  await fac.page.getByText('Ronde afsluiten').click();
  await fac.page.getByLabel('Samenvatting voor iedereen').fill('Goed gesprek (echt). Tot de volgende keer.');
  await fac.page.getByLabel('Afspraken (één per regel)').fill('Plan maken\nTerugkomen');
  await fac.page.getByRole('button', { name: 'Afsluiten en samenvatting delen' }).click();
  await fac.page.getByRole('heading', { name: TITLE }).first().waitFor({ timeout: STEP_MS });
  const closed = await takeUntil(players[0], () => players[0].seen('closed')[0]);
  const ranked = [titles[0], titles[1]]; // means 4.5 and 3.0
  assert.deepEqual((await fac.page.locator('.ranking .card-title').allTextContents()).map((s) => s.trim()), ranked);
  const date = new Date(closed.at + 60 * 60_000).toISOString().slice(0, 10);
  await shoot(fac.page, 'summary-laptop', { docs: true });

  // Every download, saved under its name; the CSV in both dialects.
  const files = {};
  for (const [link, name] of [['Markdown', `${date} ${TITLE} ronde 1.md`], ['JSON', `${date} ${TITLE} ronde 1.json`],
    ['CSV (Nederlandse Excel)', `${date} ${TITLE} ronde 1.csv`], ['CSV (Engelse Excel)', `${date} ${TITLE} round 1.csv`]]) {
    const [download] = await Promise.all([fac.page.waitForEvent('download'), fac.page.getByRole('link', { name: link, exact: true }).click()]);
    assert.equal(download.suggestedFilename(), name, `the ${link} download's name`);
    files[link] = readFileSync(await download.path(), 'utf8');
  }
  const nl = parseCsv(files['CSV (Nederlandse Excel)'], ';');
  const nlCol = (k) => nl[0].indexOf(k);
  assert.equal(nl.length, 3, 'a header and a row per card');
  assert.deepEqual(nl.slice(1).map((r) => r[nlCol('titel')]), ranked);
  assert.deepEqual(nl.slice(1).map((r) => dutchNumber(r[nlCol('gemiddelde')])), [4.5, 3]);
  assert.equal(nl[1][nlCol('overeenstemming')], 'eensgezind');
  assert.match(nl[1][nlCol('notitieteksten')], /Partners \(aankomende\) doen mee\. Klaar\./);
  assert.ok(!/polarised|consensus|mixed/.test(files['CSV (Nederlandse Excel)']), 'no English word in the Dutch file');
  const en = parseCsv(files['CSV (Engelse Excel)'], ',');
  const enCol = (k) => en[0].indexOf(k);
  assert.deepEqual(en.slice(1).map((r) => Number(r[enCol('mean')])), [4.5, 3]);
  assert.match(en[1][enCol('mean')], /^4\.50$/);
  const md = files.Markdown;
  assert.ok(md.includes(NOTE), 'the note as typed');
  assert.ok(md.includes('Goed gesprek (echt). Tot de volgende keer.'));
  assert.doesNotMatch(md, /\\[().]/, 'no backslash before ( ) or . in the Markdown');
  assert.ok(md.indexOf('Goed gesprek') < md.indexOf(ranked[0]), 'the facilitator\'s words before the ranking');
  assert.equal(JSON.parse(files.JSON).title, TITLE);

  // Print to PDF: every ranked card's title is in it; its first page as a picture.
  const pdfPath = join(artifactsDir, 'summary-print.pdf');
  await fac.page.emulateMedia({ media: 'print' });
  await fac.page.pdf({ path: pdfPath, format: 'A4', printBackground: true });
  await fac.page.emulateMedia({ media: 'screen' });
  const pdfText = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  for (const title of ranked) assert.ok(pdfText.includes(title), `"${title}" is in the PDF`);
  assert.ok(pdfText.includes(TITLE));
  assert.ok(!pdfText.includes('Downloaden'), 'no downloads or share link on paper');
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdfPath, join(artifactsDir, 'summary-print')]);
  if (process.env.VERRIJK_SCREENS) copyFileSync(join(artifactsDir, 'summary-print.png'), join(DOCS_SCREENS, 'summary-print.png'));

  // The share link opens the read-only summary on a phone that was never in the room.
  const share = await fac.page.getByLabel('Link om te delen').inputValue();
  assert.match(share, new RegExp(`#/summary/${code}\\?key=[0-9a-f]{32}$`));
  await fac.page.getByText(/Iedereen die deze link heeft/).waitFor();
  const reader = await person(PHONE);
  await reader.page.goto(share);
  await reader.page.getByRole('heading', { name: TITLE }).waitFor({ timeout: STEP_MS });
  assert.deepEqual((await reader.page.locator('.ranking .card-title').allTextContents()).map((s) => s.trim()), ranked);
  await reader.page.locator('.note-text', { hasText: NOTE }).waitFor();
  await reader.page.locator('.rank-meta', { hasText: BRAM }).waitFor();
  const outside = await reader.page.locator('.rank-item .card').evaluateAll((cards) => cards.flatMap((card) => {
    const edge = card.getBoundingClientRect().right;
    return [...card.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > edge + 0.5).map((e) => e.textContent);
  }));
  assert.deepEqual(outside, [], 'nothing in a ranked card runs past its edge on a phone');
  await shoot(reader.page, 'summary-phone', { docs: true });

  // The replay as a story: the cover shows title, date and ranking; chapters step card by card.
  await fac.page.getByRole('link', { name: 'Terugkijken' }).click();
  await fac.page.getByRole('navigation', { name: 'Hoofdstukken' }).waitFor({ timeout: STEP_MS });
  await fac.page.getByRole('heading', { name: TITLE }).waitFor();
  assert.deepEqual((await fac.page.locator('.ranking .card-title').allTextContents()).map((s) => s.trim()), ranked);
  const chapters = fac.page.getByRole('navigation', { name: 'Hoofdstukken' }).getByRole('button');
  // Overview, the start, one chapter per card, the close.
  assert.equal(await chapters.count(), 2 + titles.length + 1);
  assert.ok(!(await fac.page.locator('.chapters').textContent()).includes('Bram joined'));
  await chapters.nth(2).click();
  await fac.page.locator('.story-now h2', { hasText: titles[0] }).waitFor();
  await fac.page.locator('.story-step.current', { hasText: `speelt ${titles[0]}` }).waitFor();
  await fac.page.getByRole('button', { name: 'Stap vooruit' }).click();
  await fac.page.locator('.story-step.current', { hasText: '2 stemmen — gemiddeld 4,5 — eensgezind' }).waitFor();
  await fac.page.getByRole('button', { name: 'Stap vooruit' }).click();
  await fac.page.locator('.story-step.current', { hasText: NOTE }).waitFor();
  await shoot(fac.page, 'replay-story', { docs: true });
  await chapters.nth(3).click();
  await fac.page.locator('.story-now h2', { hasText: titles[1] }).waitFor();
  await chapters.last().click();
  await fac.page.locator('.story-step.current', { hasText: 'De begeleider sluit ronde 1 af' }).waitFor();
  const stepsText = await fac.page.locator('.timeline').textContent();
  const total = Number(/Stap \d+ van (\d+)/.exec(stepsText)[1]);
  assert.ok(total < players[0].lastSeq(), `the story (${total} steps) folds joins and presence away (${players[0].lastSeq()} events)`);
  await reader.page.setViewportSize(PHONE);
  await reader.page.goto(`${suite.server.url}/#/replay/${code}?key=${closed.summary.replay_key}`);
  await reader.page.getByRole('navigation', { name: 'Hoofdstukken' }).waitFor({ timeout: STEP_MS });
  await shoot(reader.page, 'replay-phone');

  // Mijn sessies: after a reload of the home page the session is there, and opens again as the facilitator.
  await fac.page.goto(`${suite.server.url}/#/`);
  await fac.page.reload();
  const mine = fac.page.locator('.mine-item', { hasText: TITLE });
  await mine.waitFor({ timeout: STEP_MS });
  const line = await mine.textContent();
  assert.match(line, /begeleider/);
  assert.match(line, /afgesloten/);
  assert.match(line, new RegExp(code));
  await shoot(fac.page, 'home-sessions', { docs: true });
  await mine.getByRole('link', { name: /Samenvatting/ }).click();
  await fac.page.getByRole('heading', { name: TITLE }).waitFor({ timeout: STEP_MS });
  await fac.page.goto(`${suite.server.url}/#/`);
  await fac.page.locator('.mine-item', { hasText: TITLE }).getByRole('link', { name: /Openen/ }).click();
  await fac.page.getByText('Ronde afsluiten').or(fac.page.getByRole('button', { name: /Ronde starten|Nieuwe ronde/ })).first().waitFor({ timeout: STEP_MS });
  assert.equal(await fac.page.evaluate(() => location.hash), `#/room/${code}`);
  // The same settings again: the create form is filled in.
  await fac.page.goto(`${suite.server.url}/#/`);
  await fac.page.locator('.mine-item', { hasText: TITLE }).getByRole('button', { name: 'Nieuwe sessie met dezelfde instellingen' }).click();
  await fac.page.waitForFunction((want) => [...document.querySelectorAll('input')].some((i) => i.value === want), TITLE, { timeout: STEP_MS });
  assert.equal(await fac.page.getByLabel('Titel van de sessie (mag leeg)').inputValue(), TITLE);
  // Forget: one click, gone after a reload too, and the token with it.
  await fac.page.locator('.mine-item', { hasText: TITLE }).getByRole('button', { name: /Vergeten/ }).click();
  await fac.page.locator('.mine-item', { hasText: TITLE }).waitFor({ state: 'detached' });
  await fac.page.reload();
  await fac.page.getByRole('heading', { name: 'Meedoen', exact: true }).waitFor();
  assert.equal(await fac.page.locator('.mine-item').count(), 0);
  assert.equal(await fac.page.evaluate((c) => localStorage.getItem(`verrijk.token.${c}`), code), null);

  for (const p of players) await p.close();
  await leave(fac, reader);
  assert.ok(existsSync(pdfPath));
});

test('the facilitator continues on another device of their own with a one-time link, without another member', { timeout: 120_000 }, async () => {
  const first = await person(LAPTOP);
  const code = await suite.createSession(first.page);
  await first.page.getByText('Verder op een ander apparaat').click();
  await first.page.getByRole('button', { name: 'Maak een eenmalige link' }).click();
  const link = await first.page.locator('.handoff a').getAttribute('href', { timeout: STEP_MS });
  assert.match(link, new RegExp(`#/claim/${code}\\?code=[0-9a-f]{32}$`));
  await first.page.getByRole('img', { name: 'QR-code van de eenmalige link' }).waitFor();
  await shoot(first.page, 'handoff-first-device');

  // The phone opens it: it becomes the console; the laptop is told it continued elsewhere.
  const second = await person(PHONE);
  await second.page.goto(link);
  await second.page.getByRole('button', { name: 'Ronde starten' }).last().waitFor({ timeout: STEP_MS });
  assert.equal(await second.page.evaluate(() => location.hash), `#/room/${code}`);
  await first.page.getByText('Je bent op een ander apparaat verdergegaan met deze sessie').waitFor({ timeout: STEP_MS });
  // Taking the console back here is offered in one word, as Dutch writes it.
  await first.page.getByRole('button', { name: 'Hier verdergaan' }).waitFor();
  // The same link a second time opens nothing.
  const third = await person(PHONE);
  await third.page.goto(link);
  await third.page.getByRole('alert').waitFor({ timeout: STEP_MS });
  assert.match(await third.page.getByRole('alert').textContent(), /al gebruikt, verlopen/);
  await leave(first, second, third);
});

test('screens of the summary at projector size', { timeout: 60_000 }, async () => {
  // Only the summary's own layout at 1920 px (the projector's Screen view is another page): nothing overflows.
  const p = await person(PROJECTOR);
  await p.page.goto(`${suite.server.url}/#/summary/ABCDEF?key=${'0'.repeat(32)}`);
  await p.page.getByRole('alert').waitFor({ timeout: STEP_MS });
  assert.match(await p.page.getByRole('alert').textContent(), /kon niet geladen worden/);
  await p.context.close();
});
