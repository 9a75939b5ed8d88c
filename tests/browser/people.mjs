// The people of a browser test and what every test does the same way: the real server and one chromium per test
// file, a browser context per person (a phone, a laptop, the projector), creating a session, joining it, opening the
// big screen, an axe scan, screenshots. One place for these, so a changed form or label is changed once.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, artifactsDir, testsDir } from './server.mjs';

export const PHONE = { width: 390, height: 844 };
export const LAPTOP = { width: 1280, height: 800 };
export const PROJECTOR = { width: 1920, height: 1080 };
/** How long one step may take on a busy machine (2 cores shared by several builds and browsers). */
export const STEP_MS = 15_000;
/** Where the screenshots the docs show live; VERRIJK_SCREENS=1 writes them there. */
export const DOCS_SCREENS = join(testsDir, '..', 'docs', 'screens');
/** What the lobby says to a player until the round starts. */
export const LOBBY_WAIT = 'Wacht tot de begeleider de ronde start.';

/**
 * Starts the real server (`server`: startServer's options) and chromium before the file's tests, and stops both
 * after them: the server must exit 0 without a sanitizer report. `ready(suite)` runs once both are up (a file's own
 * `before` hook may run before this one's). Returns the suite; its `server` and `browser` are set from then on.
 */
export function browserSuite({ server: serverOptions, ready } = {}) {
  const suite = {
    server: null,
    browser: null,
    /** A person with a browser context of their own: see person(). */
    person: (viewport, options) => person(suite.browser, viewport, options),
    /** The facilitator fills in the create form on the home page and creates the session; resolves to its code. */
    async createSession(page, { name = 'Fenna', title, rules, open = true } = {}) {
      if (open) await page.goto(`${suite.server.url}/#/`);
      await page.getByLabel('Jouw naam').fill(name);
      if (title !== undefined) await page.getByLabel('Titel van de sessie (mag leeg)').fill(title);
      // The create form's options (the round's rules), chosen by the test.
      if (rules) await rules(page);
      await page.getByRole('button', { name: 'Sessie aanmaken' }).click();
      const code = (await page.locator('.big-code').textContent({ timeout: STEP_MS })).trim();
      assert.match(code, /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
      return code;
    },
    /**
     * A phone joins the room by its link under a name; waits for the lobby unless `lobby` is false (a join that is
     * refused). `url`: another way to the server (a relay).
     */
    async join(page, code, name, { lobby = true, url = suite.server.url } = {}) {
      await page.goto(`${url}/#/room/${code}`);
      await page.getByRole('heading', { name: `Meedoen met sessie ${code}` }).waitFor({ timeout: STEP_MS });
      await page.getByLabel('Jouw naam').fill(name);
      await page.getByRole('button', { name: 'Meedoen', exact: true }).click();
      if (lobby) await page.getByText(LOBBY_WAIT).waitFor({ timeout: STEP_MS });
    },
    /** The big screen opens the room and shows its code in the lobby (as 3 + 3 characters). */
    async openScreen(page, code) {
      await page.goto(`${suite.server.url}/#/screen/${code}`);
      await page.locator('.lobby-code', { hasText: `${code.slice(0, 3)} ${code.slice(3)}` }).waitFor({ timeout: STEP_MS });
    },
  };
  before(async () => {
    mkdirSync(artifactsDir, { recursive: true });
    suite.server = await startServer(serverOptions);
    suite.browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
    if (ready) await ready(suite);
  });
  after(async () => {
    await suite.browser?.close();
    if (suite.server) {
      const { code } = await suite.server.stop();
      assert.equal(code, 0, `server exit code, stderr:\n${suite.server.stderr()}`);
      assert.doesNotMatch(suite.server.stderr(), /Sanitizer|runtime error/);
    }
  });
  return suite;
}

/**
 * One person: a browser context of their own (Dutch unless told otherwise) and a page whose errors are collected.
 * options: browser context options (bypassCSP for an axe scan, acceptDownloads, timezoneId, ...), and
 *   setup(context): runs before the page opens (routes, stored tokens); its result is `extra`;
 *   consoleErrors: console.error lines count as errors too;
 *   timeout: the page's default timeout for every step.
 * Resolves to { context, page, errors, extra }.
 */
export async function person(browser, viewport, { setup, consoleErrors = false, timeout, ...contextOptions } = {}) {
  const context = await browser.newContext({ viewport, locale: 'nl-NL', ...contextOptions });
  const extra = setup ? await setup(context) : undefined;
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (consoleErrors) page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  if (timeout) page.setDefaultTimeout(timeout);
  return { context, page, errors, extra };
}

/** The end of a test for these people: no page threw, and their contexts close. */
export async function leave(...people) {
  for (const p of people) assert.deepEqual(p.errors, []);
  for (const p of people) await p.context.close();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core scan: no serious or critical violations (the person's context needs bypassCSP to run it). */
export async function axe(page, label) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await globalThis.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`), [], `axe on ${label}`);
}

/**
 * A screenshot function for one test file: `shoot(target, name, { docs, fullPage })` saves a page (or a locator)
 * as tests/artifacts/PREFIX-NAME.png, and with `docs` also as docs/screens/NAME.png when VERRIJK_SCREENS is set.
 */
export function shooter(prefix, defaults = {}) {
  return async (target, name, options = {}) => {
    const { docs, fullPage } = { ...defaults, ...options };
    const shot = fullPage ? { fullPage } : {};
    await target.screenshot({ ...shot, path: join(artifactsDir, `${prefix ? `${prefix}-` : ''}${name}.png`) });
    if (docs && process.env.VERRIJK_SCREENS) {
      mkdirSync(DOCS_SCREENS, { recursive: true });
      await target.screenshot({ ...shot, path: join(DOCS_SCREENS, `${name}.png`) });
    }
  };
}
