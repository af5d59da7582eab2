import { describe, expect, it } from 'vitest';
import { tempDir } from '../../collab-server/test/helpers.js';
import { launch, person, screenshot } from '../browser.js';
import { editorText, joinRoom, openFile } from '../room.js';
import { freePort, startHubProcess } from '../hub.js';

describe('co-editing in the browser', () => {
  it('E2E1 two people co-edit with named cursors, a viewer cannot type, text survives a hub restart', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    let hub = await startHubProcess(dataDir, { PORT: String(port) });
    const base = `http://localhost:${port}`;
    const browser = await launch();

    // Alice creates a room and a file.
    const alice = await person(browser);
    await alice.page.goto(base + '/');
    await alice.page.getByTestId('room-name-input').fill('Review');
    await alice.page.getByTestId('display-name-input').fill('Alice');
    await alice.page.getByTestId('create-room-submit').click();
    await alice.page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
    const roomUrl = alice.page.url();
    await alice.page.getByTestId('new-file-button').click();
    await alice.page.getByTestId('new-file-input').fill('main.ts');
    await alice.page.getByTestId('new-file-input').press('Enter');
    await openFile(alice.page, 'main.ts');

    // Bob joins by link and opens the same file.
    const bob = await person(browser);
    await joinRoom(bob.page, roomUrl, 'Bob');
    await openFile(bob.page, 'main.ts');

    await alice.page.locator('[data-testid=editor] .cm-content').click();
    await alice.page.keyboard.type('const alice = 1;');
    await expect.poll(() => editorText(bob.page), { timeout: 10_000 }).toContain('const alice = 1;');
    await bob.page.locator('[data-testid=editor] .cm-content').click();
    await bob.page.keyboard.press('End');
    await bob.page.keyboard.press('Enter');
    await bob.page.keyboard.type('const bob = 2;');
    await expect.poll(() => editorText(alice.page), { timeout: 10_000 }).toBe('const alice = 1;\nconst bob = 2;');
    await expect.poll(() => editorText(bob.page)).toBe('const alice = 1;\nconst bob = 2;');

    // Each sees the other's cursor, labelled with their name.
    await expect.poll(() => alice.page.locator('.cm-ySelectionInfo').allTextContents(), { timeout: 10_000 }).toContain('Bob');
    await expect.poll(() => bob.page.locator('.cm-ySelectionInfo').allTextContents(), { timeout: 10_000 }).toContain('Alice');
    await expect.poll(() => alice.page.getByTestId('sync-status').getAttribute('data-state')).toBe('saved');
    await screenshot(alice.page, 'coediting-alice');

    // Carol joins as a viewer: the editor takes no input, and the server would refuse it anyway.
    const carol = await person(browser);
    await joinRoom(carol.page, roomUrl, 'Carol', true);
    await expect(carol.page.getByTestId('role-badge').textContent()).resolves.toMatch(/viewer/i);
    await openFile(carol.page, 'main.ts');
    await expect.poll(() => editorText(carol.page)).toBe('const alice = 1;\nconst bob = 2;');
    await carol.page.locator('[data-testid=editor] .cm-content').click();
    await carol.page.keyboard.type('VIEWER');
    await new Promise((r) => setTimeout(r, 500));
    expect(await editorText(carol.page)).toBe('const alice = 1;\nconst bob = 2;');
    expect(await editorText(alice.page)).toBe('const alice = 1;\nconst bob = 2;');
    expect(await carol.page.getByTestId('new-file-button').count()).toBe(0);
    await screenshot(carol.page, 'coediting-viewer');

    // The hub restarts on the same port and data: the text is there, and open pages reconnect.
    hub.child.kill('SIGTERM');
    expect((await hub.exited).code).toBe(0);
    await expect.poll(() => alice.page.getByTestId('connection-status').getAttribute('data-state'), { timeout: 10_000 }).not.toBe('connected');
    hub = await startHubProcess(dataDir, { PORT: String(port) });
    await expect.poll(() => alice.page.getByTestId('connection-status').getAttribute('data-state'), { timeout: 20_000 }).toBe('connected');
    const dave = await person(browser);
    await joinRoom(dave.page, roomUrl, 'Dave');
    await openFile(dave.page, 'main.ts');
    await expect.poll(() => editorText(dave.page), { timeout: 10_000 }).toBe('const alice = 1;\nconst bob = 2;');
    // Alice keeps editing after the reconnect and Dave sees it.
    await alice.page.locator('[data-testid=editor] .cm-content').click();
    await alice.page.keyboard.press('Control+End');
    await alice.page.keyboard.type(' // after restart');
    await expect.poll(() => editorText(dave.page), { timeout: 10_000 }).toBe('const alice = 1;\nconst bob = 2; // after restart');
  });
});
