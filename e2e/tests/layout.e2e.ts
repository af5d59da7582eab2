import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { tempDir } from '../../collab-server/test/helpers.js';
import { launch, screenshot } from '../browser.js';
import { freePort, startHubProcess } from '../hub.js';
import { createRoom, joinRoom as joinAs } from '../room.js';

const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const TABLET: BrowserContextOptions = { viewport: { width: 820, height: 1180 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 } };

/** The visible rows of the first shown terminal, trimmed. */
async function rows(pane: Locator): Promise<string[]> {
  return pane.locator('.xterm-rows').evaluate((el) => Array.from(el.children).map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trim()));
}

describe('phone, tablet and desktop layouts', () => {
  it('LAYOUT1 a watcher on a phone reads the class terminal (scrolling, not reflowed) and sees the call; a driver on a tablet uses the on-screen keys; splits are remembered', async () => {
    const port = await freePort();
    const hub = await startHubProcess(tempDir(), { PORT: String(port), MEDIA_WORKERS: '1' });
    const base = `http://localhost:${hub.port}`;
    const browser = await launch({ fakeMedia: true });
    const open = async (opts: BrowserContextOptions): Promise<Page> => (await browser.newContext({ ...opts, permissions: ['camera', 'microphone'] })).newPage();
    const tag = randomBytes(3).toString('hex');

    // The teacher (desktop) opens a class, joins the call, starts a terminal and prints a rule as wide as it.
    const teacher = await open(DESKTOP);
    const roomUrl = await createRoom(teacher, base, 'Class', 'Teacher');
    await teacher.getByTestId('call-open').click();
    await teacher.getByTestId('call-join').click();
    await expect.poll(() => teacher.getByTestId('call-mode').getAttribute('data-status'), { timeout: 20_000 }).toBe('connected');
    await teacher.getByTestId('call-open').click(); // hide the dock; the call goes on
    await teacher.getByTestId('terminal-new').click();
    const teacherPane = teacher.getByTestId('terminal-pane').first();
    await teacherPane.locator('.xterm-rows').waitFor();
    await teacherPane.locator('.xterm-screen').click();
    // A rule as wide as the teacher's terminal, less one column.
    await teacher.keyboard.type(`echo class-${tag}-$((6*7)) ; printf '%.0s=' $(seq 2 $(tput cols)); echo`);
    await teacher.keyboard.press('Enter');
    await expect.poll(async () => (await rows(teacherPane)).includes(`class-${tag}-42`), { timeout: 10_000 }).toBe(true);
    const rule = (await rows(teacherPane)).find((r) => /^=+$/.test(r))!;
    expect(rule.length).toBeGreaterThan(55); // wider than a phone shows at a readable size

    // A student on a phone (in Korean) joins as a watcher: one column with tabs.
    const student = await open({ ...PHONE, locale: 'ko-KR' });
    await joinAs(student, roomUrl, 'Student', true);
    for (const view of ['editor', 'terminal', 'call', 'people', 'review']) await student.getByTestId(`view-${view}`).waitFor();
    await student.getByTestId('view-terminal').click();
    const studentPane = student.getByTestId('terminal-pane').first();
    await expect.poll(async () => (await rows(studentPane)).includes(`class-${tag}-42`), { timeout: 10_000 }).toBe(true);
    // Readable: the text is at least 12px and the teacher's full-width rule is one row on the phone
    // too (the grid is the drivers'; the phone scrolls sideways instead of reflowing).
    const fontPx = await studentPane.locator('.xterm-rows').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(fontPx).toBeGreaterThanOrEqual(12);
    expect((await rows(studentPane)).filter((r) => /^=+$/.test(r))).toEqual([rule]);
    const scroll = await studentPane.locator('.term-viewport').evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
    expect(scroll.scrollWidth).toBeGreaterThan(scroll.clientWidth);
    // Watchers get no on-screen keys; larger text is one tap away and remembered.
    expect(await student.getByTestId('terminal-keys').count()).toBe(0);
    await student.getByTestId('terminal-font-larger').tap();
    await expect.poll(() => studentPane.locator('.xterm-rows').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBe(fontPx + 1);
    await screenshot(student, 'layout-phone-terminal');

    // The call tab: the student joins to watch and sees the teacher's video.
    await student.getByTestId('view-call').tap();
    await student.getByTestId('call-join').tap();
    await expect.poll(() => student.getByTestId('call-mode').getAttribute('data-status'), { timeout: 20_000 }).toBe('connected');
    const teacherTile = student.locator('[data-testid=call-tile][data-name=Teacher]');
    await teacherTile.waitFor({ timeout: 20_000 });
    await expect.poll(() => teacherTile.locator('video').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 20_000 }).toBeGreaterThan(0);
    await screenshot(student, 'layout-phone-call');
    // Back on the terminal, whoever speaks is pinned small over it, and announced politely.
    await student.getByTestId('view-terminal').tap();
    await expect.poll(() => student.getByTestId('speaker-overlay').textContent(), { timeout: 30_000 }).toBe('Teacher');
    expect(await student.getByTestId('speaker-announcement').getAttribute('aria-live')).toBe('polite');
    await screenshot(student, 'layout-phone-speaker');
    await student.getByTestId('view-people').tap();
    await expect.poll(() => student.getByTestId('presence-item').count()).toBe(2);
    await screenshot(student, 'layout-phone-people');

    // An editor on a tablet drives their own terminal with the on-screen keys.
    const ta = await open(TABLET);
    await joinAs(ta, roomUrl, 'Assistant', false);
    await ta.getByTestId('terminal-new').tap();
    await expect.poll(() => ta.getByTestId('terminal-tab').count(), { timeout: 10_000 }).toBe(2);
    const taPane = ta.getByTestId('terminal-pane').first();
    await taPane.locator('.xterm-rows').waitFor();
    await ta.getByTestId('terminal-keys').waitFor();
    await taPane.locator('.xterm-screen').tap();
    await ta.keyboard.type('sleep 300');
    await ta.keyboard.press('Enter');
    // Ctrl (latched) then "c": an interrupt, so the shell takes the next command at once.
    await ta.getByTestId('terminal-key-ctrl').tap();
    expect(await ta.getByTestId('terminal-key-ctrl').getAttribute('aria-pressed')).toBe('true');
    await ta.keyboard.type('c');
    expect(await ta.getByTestId('terminal-key-ctrl').getAttribute('aria-pressed')).toBe('false');
    await ta.keyboard.type(`echo ta-${tag}-$((40+2))`);
    await ta.keyboard.press('Enter');
    await expect.poll(async () => (await rows(taPane)).filter((r) => r === `ta-${tag}-42`).length, { timeout: 10_000 }).toBe(1);
    // Arrow up recalls that command; Enter runs it again.
    await ta.getByTestId('terminal-key-up').tap();
    await ta.keyboard.press('Enter');
    await expect.poll(async () => (await rows(taPane)).filter((r) => r === `ta-${tag}-42`).length, { timeout: 10_000 }).toBe(2);
    await screenshot(ta, 'layout-tablet');

    // Desktop: the editor | terminals divider, moved with the keyboard, is remembered after a reload.
    const divider = teacher.locator('.work-split > [role=separator]');
    const before = Number(await divider.getAttribute('aria-valuenow'));
    await divider.focus();
    await teacher.keyboard.press('ArrowLeft');
    await teacher.keyboard.press('ArrowLeft');
    await expect.poll(async () => Number(await divider.getAttribute('aria-valuenow'))).toBe(before - 10);
    await teacher.reload();
    await expect.poll(async () => Number(await teacher.locator('.work-split > [role=separator]').getAttribute('aria-valuenow'))).toBe(before - 10);
    await teacher.getByTestId('terminal-pane').first().locator('.xterm-rows').waitFor();
    await screenshot(teacher, 'layout-desktop');
  });
});
