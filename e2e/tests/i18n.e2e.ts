import { describe, expect, it } from 'vitest';
import type { CDPSession } from 'playwright-core';
import { tempDir } from '../../collab-server/test/helpers.js';
import { launch, screenshot } from '../browser.js';
import { freePort, startHubProcess } from '../hub.js';
import { editorText, joinRoom } from '../room.js';

/**
 * Types Korean the way a Hangul IME does: each syllable is composed jamo by jamo
 * (Input.imeSetComposition: compositionstart/update, the marked text changing in place) and
 * then committed (Input.insertText: compositionend with the final syllable).
 */
async function composeKorean(cdp: CDPSession, syllables: ReadonlyArray<readonly string[]>): Promise<void> {
  for (const steps of syllables) {
    for (const text of steps) await cdp.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length });
    await cdp.send('Input.insertText', { text: steps[steps.length - 1]! });
  }
}

/** 한국어 입력: 한 = ㅎ 하 한, 국 = ㄱ 구 국, 어 = ㅇ 어, then a space, 입 = ㅇ 이 입, 력 = ㄹ 려 력. */
const HANGUL = [['ㅎ', '하', '한'], ['ㄱ', '구', '국'], ['ㅇ', '어'], [' '], ['ㅇ', '이', '입'], ['ㄹ', '려', '력']] as const;

describe('languages in the browser', () => {
  it('I18N-E2E1 a Korean browser gets Korean, the choice of language is remembered, and Hangul composed with an IME reaches the editor, the other person and the terminal exactly once', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    await startHubProcess(dataDir, { PORT: String(port) });
    const base = `http://localhost:${port}`;
    const browser = await launch();

    // A browser that prefers Korean sees the app in Korean.
    const aliceCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ko-KR' });
    const alice = await aliceCtx.newPage();
    await alice.goto(base + '/');
    await expect.poll(() => alice.getByTestId('create-room-submit').textContent()).toBe('방 만들기');
    expect(await alice.evaluate(() => document.documentElement.lang)).toBe('ko');
    await screenshot(alice, 'i18n-home-ko');

    // Switching to English is remembered across a reload; switching back gives Korean again.
    await alice.getByTestId('language-select').selectOption('en');
    await expect.poll(() => alice.getByTestId('create-room-submit').textContent()).toBe('Create room');
    await alice.reload();
    await expect.poll(() => alice.getByTestId('create-room-submit').textContent()).toBe('Create room');
    await alice.getByTestId('language-select').selectOption('ko');
    await expect.poll(() => alice.getByTestId('create-room-submit').textContent()).toBe('방 만들기');

    await alice.getByTestId('room-name-input').fill('한글 수업');
    await alice.getByTestId('display-name-input').fill('앨리스');
    await alice.getByTestId('create-room-submit').click();
    await alice.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
    const roomUrl = alice.url();
    await alice.getByTestId('new-file-button').click();
    await alice.getByTestId('new-file-input').fill('notes.md');
    await alice.getByTestId('new-file-input').press('Enter');
    await alice.locator('[data-testid=editor] .cm-content').waitFor();

    // Bob (an English browser) joins and opens the same file.
    const bobCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const bob = await bobCtx.newPage();
    await joinRoom(bob, roomUrl, 'Bob');
    await bob.locator('[data-testid=file-item][data-path="notes.md"]').click();
    await bob.locator('[data-testid=editor] .cm-content').waitFor();
    expect(await bob.getByTestId('role-badge').textContent()).toBe('Editor');

    // Alice composes Hangul in the editor.
    const cdp = await aliceCtx.newCDPSession(alice);
    await alice.locator('[data-testid=editor] .cm-content').click();
    await alice.keyboard.type('# ');
    await composeKorean(cdp, HANGUL);
    await alice.keyboard.type('!');
    const expected = '# 한국어 입력!';
    await expect.poll(() => editorText(alice), { timeout: 10_000 }).toBe(expected);
    await expect.poll(() => editorText(bob), { timeout: 10_000 }).toBe(expected);
    // Still exactly once after the composition has settled and the server has acknowledged it.
    await expect.poll(() => alice.getByTestId('sync-status').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
    expect(await editorText(alice)).toBe(expected);
    expect(await editorText(bob)).toBe(expected);
    await screenshot(alice, 'i18n-room-ko');

    // And in the terminal: `echo` a composed word; the shell prints it once, intact.
    await alice.getByTestId('terminal-new').click();
    const pane = alice.getByTestId('terminal-pane').first();
    await pane.locator('.xterm-rows').waitFor();
    const rows = () => pane.locator('.xterm-rows').evaluate((el) => Array.from(el.children).map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trim()));
    // Type once the shell shows its prompt (keys sent while it starts may be dropped by readline's start-up).
    await expect.poll(async () => (await rows()).some((r) => /[$#]$/.test(r)), { timeout: 10_000 }).toBe(true);
    await pane.locator('.xterm-screen').click();
    await alice.keyboard.type('echo ');
    await composeKorean(cdp, [['ㅎ', '하', '한'], ['ㄱ', '그', '글']]);
    await alice.keyboard.type('-ok');
    await alice.keyboard.press('Enter');
    await expect.poll(async () => (await rows()).includes('한글-ok'), { timeout: 10_000 }).toBe(true);
    expect((await rows()).filter((r) => r.includes('한글')).length).toBe(2); // the command line and its output, nothing doubled
  });
});
