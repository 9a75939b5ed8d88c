// Browser test: the built client served by the real server shows a ping round trip over the WebSocket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite, leave, shooter, PHONE, LAPTOP } from './people.mjs';

const suite = browserSuite();
const shoot = shooter('ping', { fullPage: true });

for (const [label, viewport] of [['phone', PHONE], ['desktop', LAPTOP]]) {
  test(`ping round trip shows on the server check page (${label})`, { timeout: 30_000 }, async () => {
    const p = await suite.person(viewport);
    await p.page.goto(`${suite.server.url}/#/ping`);
    await p.page.getByTestId('conn').filter({ hasText: /open|verbonden|connected/i }).waitFor({ timeout: 10_000 });
    const rtt = p.page.getByTestId('rtt');
    await rtt.filter({ hasText: /\d+(\.\d+)? ms/ }).waitFor({ timeout: 10_000 });
    const first = await rtt.textContent();
    assert.match(first, /^\d+(\.\d+)? ms$/);
    // A second ping must be answered on the same socket.
    await p.page.getByRole('button', { name: /ping/i }).click();
    await rtt.filter({ hasText: /\d+(\.\d+)? ms/ }).waitFor({ timeout: 10_000 });
    await shoot(p.page, label);
    await leave(p);
  });
}
