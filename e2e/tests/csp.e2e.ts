import { describe, expect, it } from 'vitest';
import { tempDir } from '../../collab-server/test/helpers.js';
import { launch, person } from '../browser.js';
import { freePort, startHubProcess } from '../hub.js';

/** Records every CSP violation the page reports in `window.__violations`. */
const TRACK_VIOLATIONS = `(() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push(e.effectiveDirective + ' ' + e.blockedURI);
  });
})();`;

describe('content security policy in the browser', () => {
  it('SEC13 the web app works under the hub CSP: room, editor, terminal and sockets, with no violation reported', async () => {
    const port = await freePort();
    await startHubProcess(tempDir(), { PORT: String(port) });
    const browser = await launch();
    const alice = await person(browser);
    await alice.context.addInitScript(TRACK_VIOLATIONS);
    const page = alice.page;
    const response = await page.goto(`http://localhost:${port}/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    await page.getByTestId('room-name-input').fill('CSP');
    await page.getByTestId('display-name-input').fill('Alice');
    await page.getByTestId('create-room-submit').click();
    await page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
    await page.getByTestId('new-file-button').click();
    await page.getByTestId('new-file-input').fill('main.ts');
    await page.getByTestId('new-file-input').press('Enter');
    await page.locator('[data-testid=editor] .cm-content').click();
    await page.keyboard.type('const ok = true;');
    await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');

    await page.getByTestId('terminal-new').click();
    await page.locator('[data-testid=terminal-pane] .xterm-screen').click();
    await page.keyboard.type('echo csp$((40+2))');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('[data-testid=terminal-pane] .xterm-rows').textContent(), { timeout: 10_000 })
      .toContain('csp42');

    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
  });
});
