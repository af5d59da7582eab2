import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { tempDir } from '../../collab-server/test/helpers.js';
import { launch, person, screenshot } from '../browser.js';
import { freePort, startHubProcess } from '../hub.js';
import { joinRoom as joinAs } from '../room.js';

const PHONE = { width: 390, height: 844 };

function pane(page: Page, terminalId: string): Locator {
  return page.locator(`[data-testid=terminal-pane][data-terminal-id="${terminalId}"]`);
}

/** The visible rows of a pane's xterm (DOM renderer), trailing spaces trimmed. */
async function screenLines(page: Page, terminalId: string): Promise<string[]> {
  return pane(page, terminalId)
    .locator('.xterm-rows')
    .evaluate((el) => Array.from(el.children).map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
}

/** Whether some row of the pane shows exactly `line` (output, not the command that printed it). */
async function showsLine(page: Page, terminalId: string, line: string): Promise<boolean> {
  return (await screenLines(page, terminalId)).some((l) => l.trim() === line);
}

/** Types a command into a pane's terminal and presses Enter. */
async function run(page: Page, terminalId: string, command: string): Promise<void> {
  await pane(page, terminalId).locator('.xterm-screen').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

/** Keeps every WebSocket the page opens in `window.__sockets` (so a test can cut one) and counts `resumed` answers. */
const TRACK_SOCKETS = `(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__resumed = 0;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && e.data.startsWith('{"type":"resumed"')) window.__resumed++;
      });
    }
  };
})();`;

/**
 * Closes the page's open `/pty` sockets (the app sees a dropped connection and reconnects). Only
 * sockets that carry their room in the query count: proxies route a room's sockets by it (infra/README.md).
 */
async function dropPtySocket(page: Page): Promise<number> {
  return page.evaluate(() => {
    const sockets = (window as unknown as { __sockets: WebSocket[] }).__sockets.filter((s) => {
      const url = new URL(s.url);
      return url.pathname === '/pty' && url.searchParams.get('room') === location.pathname.split('/').pop() && s.readyState === WebSocket.OPEN;
    });
    for (const s of sockets) s.close();
    return sockets.length;
  });
}

async function tabIds(page: Page): Promise<string[]> {
  return page.getByTestId('terminal-tab').evaluateAll((els) => els.map((e) => e.getAttribute('data-terminal-id') ?? ''));
}

describe('shared terminal in the browser', () => {
  it('E2E2 a host drives, three watchers see it live, control is granted and revoked, tabs and split panes work', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    await startHubProcess(dataDir, { PORT: String(port) });
    const base = `http://localhost:${port}`;
    const browser = await launch();
    const tag = randomBytes(4).toString('hex');

    // Alice (host) creates the room; the terminal panel shows the creator's empty state.
    const alice = await person(browser);
    await alice.page.goto(base + '/');
    await alice.page.getByTestId('room-name-input').fill('Teaching');
    await alice.page.getByTestId('display-name-input').fill('Alice');
    await alice.page.getByTestId('create-room-submit').click();
    await alice.page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
    const roomUrl = alice.page.url();
    await expect.poll(() => alice.page.getByTestId('terminal-panel').textContent(), { timeout: 10_000 }).toContain('No terminals yet — start one');

    // Three watchers join as viewers before any terminal exists: they wait for the host.
    const watchers = [] as Array<{ name: string; page: Page }>;
    for (const name of ['Bob', 'Carol', 'Dan']) {
      const w = await person(browser);
      await w.context.addInitScript(TRACK_SOCKETS);
      await joinAs(w.page, roomUrl, name, true);
      watchers.push({ name, page: w.page });
    }
    const [bob, carol, dan] = watchers as [(typeof watchers)[0], (typeof watchers)[0], (typeof watchers)[0]];
    await expect.poll(() => bob.page.getByTestId('terminal-panel').textContent(), { timeout: 10_000 }).toContain('Waiting for the host to start a terminal');
    expect(await bob.page.getByTestId('terminal-new').count()).toBe(0);

    // Alice starts a terminal and runs `echo hello`; every watcher sees the output.
    await alice.page.getByTestId('terminal-new').click();
    await expect.poll(() => tabIds(alice.page), { timeout: 10_000 }).toHaveLength(1);
    const [t1] = (await tabIds(alice.page)) as [string];
    await pane(alice.page, t1).locator('.xterm-rows').waitFor();
    await run(alice.page, t1, 'echo hello');
    await expect.poll(() => showsLine(alice.page, t1, 'hello'), { timeout: 10_000 }).toBe(true);
    for (const w of watchers) {
      await expect.poll(() => showsLine(w.page, t1, 'hello'), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => w.page.getByTestId('terminal-drivers').textContent()).toContain('Alice');
    }

    // Carol's connection drops and comes back: output resumes with no duplicate and no gap.
    expect(await dropPtySocket(carol.page)).toBe(1);
    await run(alice.page, t1, `echo gap-${tag}-$((5+5))`);
    await expect.poll(() => showsLine(carol.page, t1, `gap-${tag}-10`), { timeout: 15_000 }).toBe(true);
    await run(alice.page, t1, `echo after-${tag}-$((5+6))`);
    await expect.poll(() => showsLine(carol.page, t1, `after-${tag}-11`), { timeout: 10_000 }).toBe(true);
    expect(await screenLines(carol.page, t1)).toEqual(await screenLines(alice.page, t1));
    expect(await carol.page.evaluate(() => (window as unknown as { __resumed: number }).__resumed)).toBe(1);

    // A watcher's typing never reaches the shell: the marker file is not created, and they are told why.
    const refused = `/tmp/coderoom-e2e-refused-${tag}`;
    await run(bob.page, t1, `touch ${refused}`);
    await expect.poll(() => bob.page.getByTestId('terminal-toast').first().textContent(), { timeout: 5_000 }).toMatch(/watching/i);
    await new Promise((r) => setTimeout(r, 1000));
    expect(existsSync(refused)).toBe(false);
    expect((await screenLines(alice.page, t1)).join('\n')).not.toContain(refused);

    // Bob raises his hand; Alice sees it and grants control; Bob's command runs and everyone sees it.
    await bob.page.getByTestId('terminal-raise-hand').click();
    await expect.poll(() => bob.page.getByTestId('terminal-raise-hand').getAttribute('aria-pressed')).toBe('true');
    const hand = alice.page.locator('[data-testid=terminal-hand][data-name="Bob"]');
    await hand.waitFor({ timeout: 10_000 });
    await screenshot(alice.page, 'terminal-host-hand-raised');
    await hand.getByTestId('terminal-grant').click();
    await expect.poll(() => bob.page.getByTestId('terminal-drivers').textContent(), { timeout: 10_000 }).toContain('Bob');
    expect(await bob.page.getByTestId('terminal-raise-hand').count()).toBe(0);
    const granted = `/tmp/coderoom-e2e-granted-${tag}`;
    const marker = `from-watcher-${tag}-42`;
    await run(bob.page, t1, `echo from-watcher-${tag}-$((40+2)) && touch ${granted}`);
    for (const p of [alice.page, bob.page, carol.page, dan.page]) await expect.poll(() => showsLine(p, t1, marker), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => existsSync(granted), { timeout: 5_000 }).toBe(true);

    // Alice revokes it: Bob watches again.
    await alice.page.getByTestId('terminal-revoke').click();
    await expect.poll(() => bob.page.getByTestId('terminal-drivers').textContent(), { timeout: 10_000 }).not.toContain('Bob');
    await bob.page.getByTestId('terminal-raise-hand').waitFor();

    // Tabs: a second terminal opens in a new tab; a watcher switches between tabs.
    await alice.page.getByTestId('terminal-new').click();
    await expect.poll(() => tabIds(alice.page), { timeout: 10_000 }).toHaveLength(2);
    const t2 = (await tabIds(alice.page))[1]!;
    await expect.poll(() => alice.page.locator(`[data-testid=terminal-tab][data-terminal-id="${t2}"]`).getAttribute('aria-selected')).toBe('true');
    await pane(alice.page, t2).locator('.xterm-rows').waitFor();
    await run(alice.page, t2, `echo second-${tag}-$((1+1))`);
    await expect.poll(() => showsLine(alice.page, t2, `second-${tag}-2`), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => tabIds(carol.page), { timeout: 10_000 }).toHaveLength(2);
    await carol.page.locator(`[data-testid=terminal-tab][data-terminal-id="${t2}"]`).click();
    await expect.poll(() => showsLine(carol.page, t2, `second-${tag}-2`), { timeout: 10_000 }).toBe(true);
    await carol.page.locator(`[data-testid=terminal-tab][data-terminal-id="${t1}"]`).click();
    await expect.poll(() => showsLine(carol.page, t1, 'hello'), { timeout: 10_000 }).toBe(true);

    // Split panes: side by side, each showing its own terminal; then stacked.
    await alice.page.getByTestId('terminal-split-h').click();
    await expect.poll(() => alice.page.getByTestId('terminal-pane').count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => showsLine(alice.page, t1, 'hello'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => showsLine(alice.page, t2, `second-${tag}-2`), { timeout: 10_000 }).toBe(true);
    const [a, b] = [(await pane(alice.page, t1).boundingBox())!, (await pane(alice.page, t2).boundingBox())!];
    expect(Math.abs(a.y - b.y)).toBeLessThan(2);
    expect(Math.abs(a.x - b.x)).toBeGreaterThan(50);
    await dan.page.getByTestId('terminal-split-v').click();
    await expect.poll(() => dan.page.getByTestId('terminal-pane').count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => showsLine(dan.page, t2, `second-${tag}-2`), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => showsLine(dan.page, t1, 'hello'), { timeout: 10_000 }).toBe(true);
    const [c, d] = [(await pane(dan.page, t1).boundingBox())!, (await pane(dan.page, t2).boundingBox())!];
    expect(Math.abs(c.x - d.x)).toBeLessThan(2);
    expect(Math.abs(c.y - d.y)).toBeGreaterThan(50);
    // Output keeps flowing into the split panes of a watcher.
    await run(alice.page, t2, `echo split-${tag}-$((2+1))`);
    await expect.poll(() => showsLine(dan.page, t2, `split-${tag}-3`), { timeout: 10_000 }).toBe(true);
    await screenshot(alice.page, 'terminal-host-desktop');
    await screenshot(dan.page, 'terminal-watcher-split');

    // A shell that exits says so; its driver restarts it.
    await run(alice.page, t2, 'exit 3');
    await expect.poll(() => dan.page.getByTestId('terminal-exit').textContent(), { timeout: 10_000 }).toContain('exited with code 3');
    expect(await dan.page.getByTestId('terminal-restart').count()).toBe(0);
    await alice.page.getByTestId('terminal-restart').click();
    await expect.poll(() => alice.page.getByTestId('terminal-exit').count(), { timeout: 10_000 }).toBe(0);

    // Recording: Alice records the first terminal, then everyone can replay it in the app.
    await alice.page.locator(`[data-testid=terminal-tab][data-terminal-id="${t1}"]`).click();
    await alice.page.getByTestId('terminal-split-h').click(); // back to one pane
    await expect.poll(() => alice.page.getByTestId('terminal-pane').count()).toBe(1);
    await alice.page.getByTestId('terminal-record').click();
    await expect.poll(() => alice.page.getByTestId('terminal-record').getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
    await run(alice.page, t1, `echo recorded-${tag}-$((3+4))`);
    await expect.poll(() => showsLine(alice.page, t1, `recorded-${tag}-7`), { timeout: 10_000 }).toBe(true);
    await alice.page.getByTestId('terminal-record').click();
    await expect.poll(() => alice.page.getByTestId('terminal-record').getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('false');
    await carol.page.getByTestId('terminal-recordings').click();
    await carol.page.getByTestId('recording-item').first().waitFor({ timeout: 10_000 });
    await carol.page.getByTestId('recording-play').first().click();
    await carol.page.getByTestId('cast-play').click();
    await expect
      .poll(() => carol.page.locator('[data-testid=cast-player] .xterm-rows').evaluate((el) => (el.textContent ?? '').replace(/\u00a0/g, ' ')), { timeout: 15_000 })
      .toContain(`recorded-${tag}-7`);
    await screenshot(carol.page, 'terminal-replay');

    // A phone: the editor and the terminal are two tabs of the same screen.
    const eve = await person(browser, PHONE);
    await joinAs(eve.page, roomUrl, 'Eve', true);
    await eve.page.getByTestId('view-terminal').click();
    await expect.poll(() => showsLine(eve.page, t1, `recorded-${tag}-7`), { timeout: 10_000 }).toBe(true);
    await screenshot(eve.page, 'terminal-phone');
  });
});
