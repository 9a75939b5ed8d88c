// Whose turn, on real phones against the real server: the turn line scrolls into view when the turn comes to a phone
// read further down, a skipped phone is told so, the window picker sits under the hand during a round, phones and
// console count the participants as the projector does, and the console's timer sits next to "Stemmen tonen".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite, leave, shooter, PHONE, LAPTOP, PROJECTOR, STEP_MS } from './people.mjs';

const suite = browserSuite();
const shoot = shooter('turn');
const SKIPPED = 'De begeleider heeft je beurt overgeslagen.';

/** Whether the element lies wholly inside the page's viewport. */
function inView(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
  }, selector);
}

test('the turn scrolls into view, a skipped phone is told, one head count everywhere, the timer beside the reveal', { timeout: 120_000 }, async () => {
  const fac = await suite.person(LAPTOP);
  const room = await suite.createSession(fac.page, { name: 'Fien', title: 'Beurten' });
  const screen = await suite.person(PROJECTOR);
  await suite.openScreen(screen.page, room);
  const phones = [];
  for (const name of ['Anouk', 'Bram']) {
    const p = await suite.person(PHONE);
    p.name = name;
    await suite.join(p.page, room, name);
    phones.push(p);
  }

  // One head count: two participants, whatever the facilitator and the screen add to the room.
  await screen.page.locator('.lobby-count', { hasText: '2 doen mee' }).waitFor({ timeout: STEP_MS });
  await phones[0].page.locator('.people-box summary', { hasText: 'Deelnemers (2)' }).waitFor({ timeout: STEP_MS });
  await fac.page.locator('#people-h', { hasText: 'Deelnemers (2)' }).waitFor({ timeout: STEP_MS });

  await fac.page.getByRole('button', { name: 'Ronde starten' }).click();
  await Promise.any(phones.map((p) => p.page.locator('.turn-me').waitFor({ timeout: STEP_MS })));
  const first = (await phones[0].page.locator('.turn-me').count()) > 0 ? phones[0] : phones[1];
  const second = first === phones[0] ? phones[1] : phones[0];

  // During the round the window picker comes after the hand, so the turn and the cards come first.
  await second.page.locator('.hand').waitFor({ timeout: STEP_MS });
  const order = await second.page.evaluate(() => {
    const hand = document.querySelector('.hand');
    const picker = document.querySelector('.my-window');
    return picker ? Boolean(hand.compareDocumentPosition(picker) & Node.DOCUMENT_POSITION_FOLLOWING) : null;
  });
  assert.equal(order, true, 'the window picker follows the hand');

  // The second reads further down when the facilitator skips the first: the turn comes to them, in view.
  await second.page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
  await second.page.waitForFunction(() => document.querySelector('.turn').getBoundingClientRect().bottom < 0, null, { timeout: STEP_MS });
  await fac.page.getByRole('button', { name: /^Beurt overslaan/ }).click();
  await first.page.getByText(SKIPPED).waitFor({ timeout: STEP_MS });
  await shoot(first.page, 'skipped-phone');
  await second.page.locator('.turn-me').waitFor({ timeout: STEP_MS });
  await second.page.waitForFunction(() => {
    const r = document.querySelector('.turn-me')?.getBoundingClientRect();
    return Boolean(r) && r.top >= 0 && r.bottom <= innerHeight;
  }, null, { timeout: STEP_MS });
  await shoot(second.page, 'my-turn-phone');
  // The notice is brief: it goes by itself.
  await first.page.getByText(SKIPPED).waitFor({ state: 'detached', timeout: STEP_MS });

  // A card on the table: the console's timer sits in the control bar, in view next to "Stemmen tonen".
  await second.page.getByRole('button', { name: /^Op tafel leggen: / }).first().click();
  const reveal = fac.page.getByRole('button', { name: /^Stemmen tonen/ });
  await reveal.waitFor({ timeout: STEP_MS });
  await fac.page.locator('.controls').getByRole('button', { name: '3 min' }).click();
  await fac.page.locator('.controls [role=timer]').waitFor({ timeout: STEP_MS });
  assert.ok(await inView(fac.page, '.controls [role=timer]'), 'the countdown is in view');
  assert.ok(await inView(fac.page, '.controls .primary'), '"Stemmen tonen" is in view');
  await shoot(fac.page, 'console-timer-laptop');
  await leave(fac, screen, ...phones);
});
