import { AxeBuilder } from '@axe-core/playwright';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { tempDir } from '../../collab-server/test/helpers.js';
import { launch, screenshot } from '../browser.js';
import { freePort, startHubProcess } from '../hub.js';
import { createRoom, joinRoom } from '../room.js';

/** axe-core's serious and critical violations on the page (WCAG 2.x A and AA rules), as readable lines. */
async function violations(page: Page, what: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${what}: ${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`));
}

/** The id of the room panel that holds the focused element. */
function focusedPanel(page: Page): Promise<string | null> {
  return page.evaluate(() => ['room-header', 'room-sidebar', 'room-editor', 'room-terminals', 'room-call'].find((id) => document.getElementById(id)?.contains(document.activeElement)) ?? null);
}

describe('accessibility', () => {
  it('A11Y1 home, join and room (editor, terminal, call) have no serious or critical axe violations in dark and light themes; panels and the shortcut sheet work by keyboard', async () => {
    const port = await freePort();
    const hub = await startHubProcess(tempDir(), { PORT: String(port), MEDIA_WORKERS: '1' });
    const base = `http://localhost:${hub.port}`;
    const browser = await launch({ fakeMedia: true });
    const open = async (colorScheme: 'dark' | 'light'): Promise<Page> => (await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme, permissions: ['camera', 'microphone'] })).newPage();
    const found: string[] = [];

    // Home, in both themes (the system's preference is followed; the choice is remembered).
    const host = await open('dark');
    await host.goto(base + '/');
    found.push(...(await violations(host, 'home dark')));
    await host.getByTestId('theme-select').selectOption('light');
    expect(await host.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    found.push(...(await violations(host, 'home light')));
    await host.reload();
    expect(await host.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await screenshot(host, 'a11y-home-light');
    await host.getByTestId('theme-select').selectOption('system');

    // The room: a file in the editor, a terminal, the call.
    const roomUrl = await createRoom(host, base, 'Accessible', 'Hana');
    await host.getByTestId('new-file-button').click();
    await host.getByTestId('new-file-input').fill('main.py');
    await host.getByTestId('new-file-input').press('Enter');
    await host.locator('[data-testid=editor] .cm-content').waitFor();
    await host.locator('[data-testid=editor] .cm-content').click();
    await host.keyboard.type('print("hello")');
    await host.getByTestId('terminal-new').click();
    await host.getByTestId('terminal-pane').first().locator('.xterm-rows').waitFor();
    found.push(...(await violations(host, 'room editor+terminal')));
    await host.getByTestId('call-open').click();
    await host.getByTestId('call-join').waitFor();
    found.push(...(await violations(host, 'call pre-join')));
    await host.getByTestId('call-join').click();
    await expect.poll(() => host.getByTestId('call-mode').getAttribute('data-status'), { timeout: 20_000 }).toBe('connected');
    found.push(...(await violations(host, 'call')));

    // Keyboard: F6 walks the panels, Alt+number jumps, `?` opens the sheet, Escape closes it.
    await host.locator('[data-testid=editor] .cm-content').click();
    expect(await focusedPanel(host)).toBe('room-editor');
    await host.keyboard.press('F6');
    expect(await focusedPanel(host)).toBe('room-terminals');
    await host.keyboard.press('F6');
    expect(await focusedPanel(host)).toBe('room-call');
    await host.keyboard.press('F6');
    expect(await focusedPanel(host)).toBe('room-header');
    await host.keyboard.press('Shift+F6');
    expect(await focusedPanel(host)).toBe('room-call');
    await host.keyboard.press('Alt+2');
    expect(await focusedPanel(host)).toBe('room-sidebar');
    await host.keyboard.press('?');
    await host.getByTestId('shortcut-sheet').waitFor();
    found.push(...(await violations(host, 'shortcut sheet')));
    await screenshot(host, 'a11y-shortcuts');
    await host.keyboard.press('Escape');
    await expect.poll(() => host.getByTestId('shortcut-sheet').count()).toBe(0);
    // `?` typed in the editor is text, not a shortcut.
    await host.locator('[data-testid=editor] .cm-content').click();
    await host.keyboard.press('End');
    await host.keyboard.type('?');
    expect(await host.getByTestId('shortcut-sheet').count()).toBe(0);

    // The join form, for a guest in a light-themed system.
    const guest = await open('light');
    await guest.goto(roomUrl);
    await guest.getByTestId('join-form').waitFor();
    found.push(...(await violations(guest, 'join light')));
    await joinRoom(guest, roomUrl, 'Minho');
    await guest.locator('[data-testid=file-item][data-path="main.py"]').click();
    await guest.locator('[data-testid=editor] .cm-content').waitFor();
    found.push(...(await violations(guest, 'room light')));
    await screenshot(guest, 'a11y-room-light');

    expect(found).toEqual([]);
  });
});
