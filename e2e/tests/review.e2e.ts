import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { tempDir } from '../../collab-server/test/helpers.js';
import { launch, person, screenshot } from '../browser.js';
import { freePort, startHubProcess } from '../hub.js';
import { joinRoom } from '../room.js';

const PHONE = { width: 390, height: 844 };
const GIT_ENV = ['-c', 'user.email=test@example.invalid', '-c', 'user.name=Test', '-c', 'commit.gpgsign=false'];

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...GIT_ENV, ...args], { encoding: 'utf8' });
}

const LINES = Array.from({ length: 12 }, (_, i) => `export const v${i + 1} = ${i + 1};`);

const LONG = Array.from({ length: 240 }, (_, i) => `// line ${i + 1}`);

/** A repository whose `main` changes line 5 of values.ts (and line 150 of long.ts) since branch `base`. */
function makeRepo(root: string): string {
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'src'), { recursive: true });
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', repo]);
  writeFileSync(join(repo, 'src/values.ts'), LINES.join('\n') + '\n');
  writeFileSync(join(repo, 'README.md'), '# Values\n');
  writeFileSync(join(repo, 'src/long.ts'), LONG.join('\n') + '\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', 'values');
  git(repo, 'branch', 'base');
  writeFileSync(join(repo, 'src/values.ts'), LINES.map((l, i) => (i === 4 ? 'export const v5 = 500; // changed' : l)).join('\n') + '\n');
  writeFileSync(join(repo, 'src/long.ts'), LONG.map((l, i) => (i === 149 ? '// line 150, changed' : l)).join('\n') + '\n');
  git(repo, 'commit', '--quiet', '-am', 'change v5');
  return repo;
}

/** The live (working file) side of the diff: the right editor side by side, the only one unified. */
function liveEditor(page: Page): Locator {
  return page.locator('[data-testid=review-diff] .cm-editor').last();
}

/** The number of the first line fully visible in the editor under `root`. */
async function firstVisibleLine(page: Page, root: string): Promise<number> {
  return page.locator(root).evaluate((el) => {
    const editors = el.querySelectorAll('.cm-editor');
    const live = editors[editors.length - 1]!;
    const scroller = (el.querySelector('.cm-mergeView') ?? live.querySelector('.cm-scroller'))!;
    const top = scroller.getBoundingClientRect().top;
    for (const g of Array.from(live.querySelectorAll('.cm-lineNumbers .cm-gutterElement'))) {
      const r = g.getBoundingClientRect();
      if (r.height > 0 && r.top >= top - 1 && /^\d+$/.test(g.textContent ?? '')) return Number(g.textContent);
    }
    return -1;
  });
}

/**
 * The first visible line once CodeMirror has caught up with a scroll: it renders and measures the new
 * viewport on the next animation frames, so read until the value is past `min` and the same twice.
 */
async function settledFirstVisibleLine(page: Page, root: string, min: number): Promise<number> {
  let last = -1;
  await expect
    .poll(
      async () => {
        const now = await firstVisibleLine(page, root);
        const settled = now > min && now === last;
        last = now;
        return settled;
      },
      { timeout: 10_000, interval: 100 },
    )
    .toBe(true);
  return last;
}

/** Scrolls the editor under `root` (its live side) by `px`. */
async function scrollBy(page: Page, root: string, px: number): Promise<void> {
  await page.locator(root).evaluate((el, by) => {
    const editors = el.querySelectorAll('.cm-editor');
    const scroller = (el.querySelector('.cm-mergeView') ?? editors[editors.length - 1]!.querySelector('.cm-scroller'))!;
    scroller.scrollTop += by;
  }, px);
}

function thread(page: Page): Locator {
  return page.getByTestId('review-thread');
}

/** Opens the review against `base` and the file's diff. */
async function openReview(page: Page, base: string, path: string, phone = false, shot?: string): Promise<void> {
  await page.getByTestId(phone ? 'view-review' : 'review-toggle').click();
  await page.getByTestId('review-base-select').selectOption(base);
  const file = page.locator(`[data-testid=review-changed-file][data-path="${path}"]`);
  await expect.poll(() => file.count(), { timeout: 10_000 }).toBe(1);
  if (shot) await screenshot(page, shot);
  await file.click();
  await liveEditor(page).locator('.cm-content').waitFor();
}

describe('code review in the browser', () => {
  it('E2E-REVIEW a reviewer comments on a changed line of the diff; the author inserts lines above; the thread stays on its code for both; the reviewer resolves it', async () => {
    const root = tempDir('coderoom-review-e2e-');
    const repo = makeRepo(root);
    const port = await freePort();
    await startHubProcess(tempDir(), { PORT: String(port), WORKSPACE_GIT_LOCAL_ROOTS: root, WORKSPACE_WRITE_DEBOUNCE_MS: '100' });
    const base = `http://localhost:${port}`;
    const created = await fetch(`${base}/api/rooms/from-git`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Values review', displayName: 'Ada', source: repo }) });
    expect(created.status).toBe(201);
    const host = (await created.json()) as { room: { id: string; name: string }; token: string; sub: string; expiresAt: number };
    const roomUrl = `${base}/r/${host.room.id}`;
    const browser = await launch();

    // The author made the room from the repository (host, session as the web app stores it); the
    // reviewer joins as a viewer (reviewers comment, they do not edit code).
    const author = await person(browser);
    const session = { roomId: host.room.id, roomName: host.room.name, token: host.token, expiresAt: host.expiresAt, obtainedAt: Date.now(), role: 'host', sub: host.sub, displayName: 'Ada' };
    await author.context.addInitScript((s) => localStorage.setItem(`coderoom:session:${s.roomId}`, JSON.stringify(s)), session);
    await author.page.goto(roomUrl);
    await author.page.getByTestId('file-list').waitFor();
    const reviewer = await person(browser);
    await joinRoom(reviewer.page, roomUrl, 'Rui', true);

    // The reviewer opens the diff against the base branch: one changed file, one line changed.
    await openReview(reviewer.page, 'origin/base', 'src/values.ts', false, 'review-no-file-open');
    const changed = reviewer.page.locator('[data-testid=review-changed-file][data-path="src/values.ts"]');
    expect(await changed.getAttribute('data-added')).toBe('1');
    expect(await changed.getAttribute('data-removed')).toBe('1');
    await expect.poll(() => reviewer.page.locator('[data-testid=review-diff] .cm-changedLine').count(), { timeout: 10_000 }).toBeGreaterThan(0);

    // ...selects the changed line (line 5) and comments on it.
    await liveEditor(reviewer.page).locator('.cm-line', { hasText: 'v5 = 500' }).click();
    await expect.poll(() => reviewer.page.getByTestId('review-comment-button').textContent()).toMatch(/line 5\b/);
    await reviewer.page.getByTestId('review-comment-button').click();
    await reviewer.page.getByTestId('review-new-comment-input').fill('Why 500? The spec says 5.');
    await reviewer.page.getByTestId('review-new-comment-submit').click();
    await expect.poll(() => thread(reviewer.page).getAttribute('data-lines'), { timeout: 10_000 }).toBe('5-5');
    await expect.poll(() => liveEditor(reviewer.page).locator('.cm-review-marker').count()).toBe(1);
    expect(await reviewer.page.getByTestId('review-overview').getAttribute('data-open')).toBe('1');
    await screenshot(reviewer.page, 'review-reviewer-commented');

    // The author sees the thread in their review and inserts three lines at the top in the editor.
    await author.page.getByTestId('review-toggle').click();
    await author.page.getByTestId('review-base-select').selectOption('origin/base');
    await author.page.locator('[data-testid=review-changed-file][data-path="src/values.ts"]').click();
    await expect.poll(() => thread(author.page).getAttribute('data-lines'), { timeout: 10_000 }).toBe('5-5');
    await liveEditor(author.page).locator('.cm-line').first().click();
    await author.page.keyboard.press('Control+Home');
    await author.page.keyboard.type('// one\n// two\n// three\n');

    // The thread follows its code for both: now line 8, still the changed line.
    for (const page of [author.page, reviewer.page]) {
      await expect.poll(() => thread(page).getAttribute('data-lines'), { timeout: 10_000 }).toBe('8-8');
      expect(await thread(page).locator('.review-code').textContent()).toBe('export const v5 = 500; // changed');
    }
    const marker = liveEditor(reviewer.page).locator('.cm-review-line');
    await expect.poll(() => marker.textContent()).toBe('export const v5 = 500; // changed');

    // The author replies; the reviewer resolves; both see it resolved.
    await thread(author.page).getByTestId('review-reply-input').fill('Fixed in the next commit.');
    await thread(author.page).getByTestId('review-reply-submit').click();
    await expect.poll(() => thread(reviewer.page).getByTestId('review-comment').count(), { timeout: 10_000 }).toBe(2);
    await screenshot(author.page, 'review-author-desktop');
    await thread(reviewer.page).getByTestId('review-thread-resolve').click();
    for (const page of [author.page, reviewer.page]) {
      await expect.poll(() => thread(page).getAttribute('data-status'), { timeout: 10_000 }).toBe('resolved');
    }
    expect(await reviewer.page.getByTestId('review-overview').getAttribute('data-resolved')).toBe('1');

    // The review downloads as Markdown and JSON.
    const [md] = await Promise.all([reviewer.page.waitForEvent('download'), reviewer.page.getByTestId('review-export-md').click()]);
    expect(md.suggestedFilename()).toBe('review.md');
    expect(readFileSync(await md.path(), 'utf8')).toContain('### Line 8 · resolved\n\n```ts\nexport const v5 = 500; // changed\n```');
    const [json] = await Promise.all([reviewer.page.waitForEvent('download'), reviewer.page.getByTestId('review-export-json').click()]);
    expect(JSON.parse(readFileSync(await json.path(), 'utf8')).comments).toMatchObject([{ path: 'src/values.ts', line: 8, side: 'RIGHT' }]);

    // A thread whose code is deleted stays, marked outdated, with the code it was opened on; by keyboard this time.
    await liveEditor(reviewer.page).locator('.cm-content').focus();
    await reviewer.page.keyboard.press('Control+Home');
    await reviewer.page.keyboard.press('Control+Alt+c');
    await reviewer.page.getByTestId('review-new-comment-input').fill('Drop these comments?');
    await reviewer.page.keyboard.press('Control+Enter');
    const second = reviewer.page.locator('[data-testid=review-thread][data-status=open]');
    await expect.poll(() => second.getAttribute('data-lines'), { timeout: 10_000 }).toBe('1-1');
    await liveEditor(author.page).locator('.cm-content').focus();
    await author.page.keyboard.press('Control+Home');
    await author.page.keyboard.press('Shift+ArrowDown');
    await author.page.keyboard.press('Delete');
    await expect.poll(() => second.getAttribute('data-outdated'), { timeout: 10_000 }).toBe('true');
    expect(await second.locator('.review-quote pre').textContent()).toBe('// one');
    await screenshot(reviewer.page, 'review-outdated');
    await screenshot(reviewer.page, 'review-reviewer-resolved');

    // The author presents: the reviewer follows their view (layout, then back to the editor)
    // until they stop following.
    await author.page.getByTestId('present-toggle').click();
    await reviewer.page.getByTestId('follow-banner').waitFor({ timeout: 10_000 });
    await author.page.getByTestId('review-layout-unified').click();
    await expect.poll(() => reviewer.page.getByTestId('review-diff').getAttribute('data-layout'), { timeout: 10_000 }).toBe('unified');
    // ...to another file, and where they scroll, in the diff and in the editor.
    await author.page.locator('[data-testid=review-changed-file][data-path="src/long.ts"]').click();
    await expect.poll(() => reviewer.page.locator('[data-testid=review-pane] .editor-path').textContent(), { timeout: 10_000 }).toBe('src/long.ts');
    await expect.poll(() => reviewer.page.locator('[data-testid=review-diff] .cm-line', { hasText: '// line 1' }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await scrollBy(author.page, '[data-testid=review-diff]', 2500);
    const diffTop = await settledFirstVisibleLine(author.page, '[data-testid=review-diff]', 50);
    await expect.poll(() => firstVisibleLine(reviewer.page, '[data-testid=review-diff]'), { timeout: 10_000 }).toBe(diffTop);
    await author.page.getByTestId('review-toggle').click();
    await expect.poll(() => reviewer.page.getByTestId('review-pane').count(), { timeout: 10_000 }).toBe(0);
    await author.page.locator('[data-testid=editor] .cm-content').waitFor();
    await reviewer.page.locator('[data-testid=editor] .cm-content').waitFor();
    await scrollBy(author.page, '[data-testid=editor]', 1500);
    const editorTop = await settledFirstVisibleLine(author.page, '[data-testid=editor]', 30);
    await expect.poll(() => firstVisibleLine(reviewer.page, '[data-testid=editor]'), { timeout: 10_000 }).toBe(editorTop);
    await reviewer.page.getByTestId('follow-banner').getByRole('button').click();
    await reviewer.page.getByTestId('presenter-banner').waitFor();
    await author.page.getByTestId('review-toggle').click();
    await new Promise((r) => setTimeout(r, 500));
    expect(await reviewer.page.getByTestId('review-pane').count()).toBe(0);

    // The same review on a phone.
    const phone = await person(browser, PHONE);
    await joinRoom(phone.page, roomUrl, 'Pia', true);
    await openReview(phone.page, 'origin/base', 'src/values.ts', true);
    expect(await phone.page.getByTestId('review-diff').getAttribute('data-layout')).toBe('unified');
    await expect.poll(() => phone.page.locator('[data-testid=review-thread][data-status=resolved]').getAttribute('data-lines'), { timeout: 10_000 }).toBe('7-7');
    await expect.poll(() => phone.page.locator('[data-testid=review-thread][data-outdated=true]').count()).toBe(1);
    await screenshot(phone.page, 'review-phone');
  });
});
