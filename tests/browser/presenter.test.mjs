// The big screen as a presenter, against the real server: a laptop console, a projector and 20 phones (3 real pages,
// the rest scripted sockets); type sizes at 1920×1080, nothing cut off with 20 and with 98 names, the reveal on the
// screen, and next-before-reveal never in one click. Screenshots of every state go to tests/artifacts/presenter-*
// (VERRIJK_SCREENS=1 also writes them to docs/screens/, the pictures the README links).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Member, DECK, roomCode } from '../integration/members.mjs';
import { browserSuite, leave, shooter, PHONE, LAPTOP, PROJECTOR, STEP_MS } from './people.mjs';

/** The sizes the issue asks for at 1080p, in CSS px. */
const BODY_MIN_PX = 28;
const TITLE_MIN_PX = 56;
const MEAN_MIN_PX = 120;
const NAMES = ['Dewi', 'Eva', 'Fatima', 'Gijs', 'Hanna', 'Ilse', 'Jeroen', 'Karim', 'Lotte', 'Mehmet', 'Noor', 'Oscar', 'Priya',
  'Quinten', 'Rosa', 'Sven', 'Tamara'];

const suite = browserSuite();
const shoot = shooter('presenter', { docs: true });

/** The computed font size in px of every element matching selector (at least one must exist). */
async function sizes(page, selector) {
  await page.locator(selector).first().waitFor({ timeout: STEP_MS });
  return page.$$eval(selector, (els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
}

async function atLeast(page, selector, px) {
  const got = await sizes(page, selector);
  for (const s of got) assert.ok(s >= px, `${selector}: ${s}px, want at least ${px}px`);
}

/** Nothing on the stage is cut off: the stage does not scroll, and every element of text lies inside it. */
async function fits(page, label) {
  const bad = await page.evaluate(() => {
    const stage = document.querySelector('.stage');
    const box = stage.getBoundingClientRect();
    const out = [];
    if (stage.scrollHeight > stage.clientHeight + 1 || stage.scrollWidth > stage.clientWidth + 1) out.push(`stage scrolls ${stage.scrollWidth}×${stage.scrollHeight}`);
    for (const el of stage.querySelectorAll('p, li, h1, h2, h3, span, .qr')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      // What nobody sees (the text of a closed (i) explainer) cannot be cut off.
      if (!el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) continue;
      if (r.bottom > box.bottom + 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.left < box.left - 1) {
        out.push(`${el.className || el.tagName} "${el.textContent.slice(0, 30)}" at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`);
      }
    }
    return out;
  });
  assert.deepEqual(bad, [], `${label}: cut off`);
  await apart(page, label);
}

/**
 * The reveal's blocks never overlap: each block's extent is the union of its own box and every visible box inside
 * it (so text that spills out of a squeezed block counts), and no two extents may share more than a pixel.
 */
async function apart(page, label) {
  const bad = await page.evaluate(() => {
    const blocks = [...document.querySelectorAll('.reveal-card, .reveal-before, .reveal-chart, .reveal-result, .stage-reveal > .window-figures')];
    const seen = (el) => el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true });
    const extent = (block) => {
      let { left, top, right, bottom } = block.getBoundingClientRect();
      for (const el of block.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if ((r.width === 0 && r.height === 0) || !seen(el)) continue;
        left = Math.min(left, r.left); top = Math.min(top, r.top); right = Math.max(right, r.right); bottom = Math.max(bottom, r.bottom);
      }
      return { left, top, right, bottom };
    };
    const boxes = blocks.filter(seen).map((b) => ({ name: b.className, ...extent(b) }));
    const out = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) out.push(`${a.name} overlaps ${b.name} by ${Math.round(w)}×${Math.round(h)}`);
      }
    }
    return out;
  });
  assert.deepEqual(bad, [], `${label}: blocks overlap`);
}

/** Scripted phones: join as players. */
async function phones(room, names) {
  const out = [];
  for (const name of names) {
    const m = await Member.connect(suite.server, room);
    await m.must({ t: 'join', room, name, role: 'player' });
    out.push(m);
  }
  return out;
}

test('a 20-phone session on the projector: readable sizes, nothing cut off, the reveal on screen, no next-before-reveal in one click', { timeout: 240_000 }, async () => {
  const fac = await suite.person(LAPTOP);
  const room = await suite.createSession(fac.page, { name: 'Fien', title: 'Studiedag' });
  // The console opens at its top, the start button in the first screen (the home page was scrolled down to its create button).
  const start = await fac.page.getByRole('button', { name: 'Ronde starten' }).boundingBox();
  assert.ok(start.y >= 0 && start.y + start.height <= LAPTOP.height, `the start button at y ${start.y}, the screen is ${LAPTOP.height} high`);
  await shoot(fac.page, 'console-lobby-laptop');

  const screen = await suite.person(PROJECTOR);
  await suite.openScreen(screen.page, room);

  const pages = [];
  for (const name of ['Anna', 'Bram', 'Chris']) {
    const p = await suite.person(PHONE);
    p.name = name;
    if (name === 'Anna') {
      // The phone's way in, as a person sees it before pressing Meedoen.
      await p.page.goto(`${suite.server.url}/#/room/${room}`);
      await p.page.getByLabel('Jouw naam').fill(name);
      await shoot(p.page, 'join-phone');
    }
    await suite.join(p.page, room, name);
    pages.push(p);
  }
  const socks = await phones(room, NAMES);
  // Eight speak from a window, so the reveal has its figures per window (a row of its own under the reveal).
  const WINDOWS = ['burger', 'organisatie', 'professional', 'bestuur-beleid'];
  for (let i = 0; i < 8; i++) await socks[i].must({ t: 'window', window: WINDOWS[i % 4] });

  // Lobby: 20 participants; the facilitator and the screen are not counted.
  await screen.page.locator('.lobby-count', { hasText: '20 doen mee' }).waitFor({ timeout: STEP_MS });
  assert.equal(await screen.page.locator('.wall-name').count(), 20);
  await atLeast(screen.page, '.lobby-count, .wall-name, .lobby-host', BODY_MIN_PX);
  await atLeast(screen.page, '.lobby-code', MEAN_MIN_PX);
  await fits(screen.page, 'lobby with 20');
  await shoot(screen.page, 'lobby-1080');
  await pages[0].page.locator('.person-name', { hasText: 'Tamara' }).waitFor({ timeout: STEP_MS });
  await shoot(pages[0].page, 'lobby-phone');

  // Whose turn: a banner on the screen.
  await fac.page.getByRole('button', { name: 'Ronde starten' }).click();
  const banner = screen.page.locator('.stage-banner', { hasText: 'is aan de beurt' });
  await banner.waitFor({ timeout: STEP_MS });
  await atLeast(screen.page, '.stage-banner', BODY_MIN_PX);
  await fits(screen.page, 'whose turn');
  await shoot(screen.page, 'turn-1080');
  const who = (await banner.textContent()).replace(' is aan de beurt', '').trim();
  const real = pages.find((p) => p.name === who);
  // The phone whose turn it is (the first to join, a real page, unless the order says otherwise): its hand.
  const turnPhone = real ?? pages[0];
  await turnPhone.page.locator('.hand-cards li').first().waitFor({ timeout: STEP_MS });
  await shoot(turnPhone.page, 'turn-phone', { fullPage: true });
  if (real) {
    await real.page.getByRole('button', { name: /^Op tafel leggen: / }).first().click();
  } else {
    const m = socks[NAMES.indexOf(who)];
    await m.until(socks[0].lastSeq());
    const hand = m.seen('dealt').flatMap((e) => e.cards ?? []);
    await m.must({ t: 'play', card: hand[0] });
  }

  // Voting: the card, the question, the scale and the tokens, large enough; ten of twenty vote.
  await screen.page.locator('.stage-voting .card-title').waitFor({ timeout: STEP_MS });
  for (let i = 0; i < 10; i++) await socks[i].must({ t: 'vote', value: 1 + (i % 5) });
  await screen.page.locator('.tokens-count', { hasText: '10 van 20 gestemd' }).waitFor({ timeout: STEP_MS });
  await fac.page.keyboard.press('t'); // T starts the timer
  await screen.page.getByRole('timer').waitFor({ timeout: STEP_MS });
  await atLeast(screen.page, '.stage .card-title', TITLE_MIN_PX);
  await atLeast(screen.page, '.card-prompt, .voting-question, .tokens-count, .token, .stage .timer', BODY_MIN_PX);
  await fits(screen.page, 'voting with 20');
  await shoot(screen.page, 'voting-1080');
  await shoot(fac.page, 'console-voting-laptop');
  await shoot(pages[0].page, 'voting-phone');

  // Next before the reveal: one click only asks; the card stays on the table, unrevealed.
  const next = fac.page.getByRole('button', { name: 'Volgende kaart…' });
  const reveal = fac.page.getByRole('button', { name: /^Stemmen tonen/ });
  assert.notEqual(await next.getAttribute('class'), await reveal.getAttribute('class'), 'next and reveal look alike');
  await next.click();
  await fac.page.getByRole('alertdialog').waitFor({ timeout: STEP_MS });
  await shoot(fac.page, 'console-confirm-next-laptop');
  assert.equal(await screen.page.locator('.stage-voting .card-title').count(), 1, 'the card is still being voted on');
  assert.equal(await screen.page.locator('.reveal-mean').count(), 0, 'nothing revealed');
  await fac.page.getByRole('button', { name: 'Eerst stemmen tonen' }).click();

  // The reveal on the screen: the mean, large, and the agreement in words.
  const mean = screen.page.locator('.reveal-mean');
  await mean.waitFor({ timeout: STEP_MS });
  assert.match(await mean.textContent(), /^\d,\d$/);
  assert.match(await screen.page.locator('.reveal-agree').textContent(), /eensgezind|verdeeld|tegengesteld/);
  await atLeast(screen.page, '.reveal-mean', MEAN_MIN_PX);
  await atLeast(screen.page, '.reveal-title', TITLE_MIN_PX);
  await atLeast(screen.page, '.chart-count, .chart-value, .chart-label, .reveal-agree, .reveal-count', BODY_MIN_PX);
  await atLeast(screen.page, '.window-figures figcaption, .wf-name, .wf-mean, .wf-n', BODY_MIN_PX);
  // The names under the bars: each whole on one line (an ellipsis if it must), never broken inside a word.
  await atLeast(screen.page, '.chart-name', BODY_MIN_PX);
  const broken = await screen.page.$$eval('.chart-name', (els) => els
    .filter((e) => e.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(e).fontSize)).map((e) => e.textContent));
  assert.deepEqual(broken, [], 'names broken over lines');
  await screen.page.waitForFunction(() => [...document.getAnimations()].every((a) => a.playState !== 'running'), null, { timeout: STEP_MS });
  await fits(screen.page, 'reveal');
  await shoot(screen.page, 'reveal-1080');
  await shoot(fac.page, 'console-revealed-laptop');
  await shoot(pages[0].page, 'revealed-phone');

  // Revote: before → after side by side.
  await fac.page.locator('.console').focus();
  await fac.page.keyboard.press('r');
  await screen.page.locator('.stage-voting').waitFor({ timeout: STEP_MS });
  for (let i = 0; i < 10; i++) await socks[i].must({ t: 'vote', value: 3 + (i % 3) });
  await fac.page.keyboard.press(' ');
  await screen.page.locator('.reveal-before').waitFor({ timeout: STEP_MS });
  await screen.page.waitForFunction(() => [...document.getAnimations()].every((a) => a.playState !== 'running'), null, { timeout: STEP_MS });
  await fits(screen.page, 'revote');
  await shoot(screen.page, 'revote-1080');

  // Between cards: the board.
  await fac.page.keyboard.press('ArrowRight');
  await screen.page.locator('.board-row').first().waitFor({ timeout: STEP_MS });
  await fits(screen.page, 'board');
  await shoot(screen.page, 'board-1080');

  // The closing summary, a page at a time.
  await fac.page.getByText('Ronde afsluiten').click();
  await fac.page.getByLabel('Samenvatting voor iedereen').fill('We zagen veel kansen in samenwerking met de buurt.');
  await fac.page.getByLabel('Afspraken (één per regel)').fill('Anna plant een gesprek met de bibliotheek\nBram zoekt uit welke lokalen vrij zijn');
  await fac.page.getByRole('button', { name: 'Afsluiten en samenvatting delen' }).click();
  await screen.page.locator('.closing-title').waitFor({ timeout: STEP_MS });
  const title = (await sizes(screen.page, '.closing-title'))[0];
  for (const s of await sizes(screen.page, '.closing-h')) assert.ok(s < title, 'the summary\'s heading is the largest');
  await atLeast(screen.page, '.closing-text, .closing-actions li', BODY_MIN_PX);
  await fits(screen.page, 'closing words');
  await shoot(screen.page, 'closing-words-1080');
  // The facilitator turns the screen's page from the laptop (→), as the console says.
  await fac.page.locator('.pager', { hasText: 'Groot scherm: pagina 1 van 3' }).waitFor({ timeout: STEP_MS });
  await shoot(fac.page, 'console-closed-laptop');
  await fac.page.locator('body').press('ArrowRight');
  await screen.page.locator('.closing-row').first().waitFor({ timeout: STEP_MS });
  await fac.page.locator('.pager', { hasText: 'pagina 2 van 3' }).waitFor({ timeout: STEP_MS });
  await fits(screen.page, 'closing ranking');
  await shoot(screen.page, 'closing-ranking-1080');
  await pages[0].page.locator('#summary-h').waitFor({ timeout: STEP_MS });
  await shoot(pages[0].page, 'summary-phone');

  await leave(fac, screen, ...pages);
  for (const m of socks) await m.close();
});

test('98 names fit the projector: the lobby wall and the voted tokens, at 1920×1080 and at 1280×720', { timeout: 240_000 }, async () => {
  const room = roomCode();
  const fac = await Member.connect(suite.server, room);
  await fac.must({ t: 'create', room, name: 'Fien', title: 'Grote zaal', deck: DECK, lang: 'nl', tz_offset: 60, opts: { hand: 1 } });
  const screen = await suite.person(PROJECTOR);
  await screen.page.goto(`${suite.server.url}/#/screen/${room}`);
  // 100 members at most: the facilitator, the screen and 98 people.
  const names = Array.from({ length: 98 }, (_, i) => `${NAMES[i % NAMES.length]} ${String.fromCharCode(65 + Math.floor(i / NAMES.length))}.`);
  const socks = await phones(room, names);
  await screen.page.locator('.lobby-count', { hasText: '98 doen mee' }).waitFor({ timeout: STEP_MS });
  await fits(screen.page, 'lobby with 98');
  await shoot(screen.page, 'lobby-98-1080');
  await screen.page.setViewportSize({ width: 1280, height: 720 });
  await fits(screen.page, 'lobby with 98 at 720p');
  await screen.page.setViewportSize(PROJECTOR);

  await fac.must({ t: 'start' });
  const turn = fac.seen('turn').pop().player;
  const owner = socks.find((m) => m.you.player === turn);
  await owner.until(fac.lastSeq());
  await owner.must({ t: 'play', card: owner.seen('dealt').flatMap((e) => e.cards ?? [])[0] });
  for (let i = 0; i < 95; i++) await socks[i].must({ t: 'vote', value: 1 + (i % 5) });
  await screen.page.locator('.tokens-count', { hasText: '95 van 98 gestemd' }).waitFor({ timeout: STEP_MS });
  // Three left: named, so the facilitator can ask them.
  await screen.page.locator('.tokens-waiting', { hasText: names[97] }).waitFor();
  await fits(screen.page, 'voting with 98');
  await shoot(screen.page, 'voting-98-1080');
  await screen.page.setViewportSize({ width: 3840, height: 2160 });
  await fits(screen.page, 'voting with 98 at 4K');
  await atLeast(screen.page, '.stage .card-title', TITLE_MIN_PX * 2);
  await screen.context.close();
  for (const m of [fac, ...socks]) await m.close();
});
