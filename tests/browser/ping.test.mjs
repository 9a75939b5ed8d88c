// Browser test: the built client served by the real server shows a ping round trip over the WebSocket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, artifactsDir } from './server.mjs';

let server;
let browser;

before(async () => {
  mkdirSync(artifactsDir, { recursive: true });
  server = await startServer();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
});

after(async () => {
  await browser?.close();
  if (server) {
    const { code } = await server.stop();
    assert.equal(code, 0, `server exit code, stderr:\n${server.stderr()}`);
    assert.doesNotMatch(server.stderr(), /Sanitizer|runtime error/);
  }
});

for (const [label, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
  test(`ping round trip shows on the server check page (${label})`, { timeout: 30_000 }, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/#/ping`);
    await page.getByTestId('conn').filter({ hasText: /open|verbonden|connected/i }).waitFor({ timeout: 10_000 });
    const rtt = page.getByTestId('rtt');
    await rtt.filter({ hasText: /\d+(\.\d+)? ms/ }).waitFor({ timeout: 10_000 });
    const first = await rtt.textContent();
    assert.match(first, /^\d+(\.\d+)? ms$/);
    // A second ping must be answered on the same socket.
    await page.getByRole('button', { name: /ping/i }).click();
    await rtt.filter({ hasText: /\d+(\.\d+)? ms/ }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(artifactsDir, `ping-${label}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
}
