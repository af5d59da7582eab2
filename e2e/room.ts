import type { Page } from 'playwright-core';

// Steps through the web app that several e2e files take: create a room, join one, read the editor.

/** Creates a room from the home page as its host and waits for the room page; returns the room's URL. */
export async function createRoom(page: Page, base: string, roomName: string, displayName: string): Promise<string> {
  await page.goto(base + '/');
  await page.getByTestId('room-name-input').fill(roomName);
  await page.getByTestId('display-name-input').fill(displayName);
  await page.getByTestId('create-room-submit').click();
  await page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
  return page.url();
}

/** Joins a room by its link (as a viewer if asked) and waits for the terminal panel to be there. */
export async function joinRoom(page: Page, url: string, name: string, viewer = false): Promise<void> {
  await page.goto(url);
  await page.getByTestId('join-name-input').fill(name);
  if (viewer) await page.getByTestId('join-viewer-checkbox').check();
  await page.getByTestId('join-submit').click();
  await page.getByTestId('terminal-panel').waitFor({ state: 'attached' });
}

/** Text of the CodeMirror document on a page (lines joined with newlines), without y-codemirror's caret labels. */
export async function editorText(page: Page): Promise<string> {
  return page.locator('[data-testid=editor] .cm-content').evaluate((el) =>
    Array.from(el.querySelectorAll('.cm-line'))
      .map((line) => {
        const copy = line.cloneNode(true) as Element;
        copy.querySelectorAll('.cm-ySelectionCaret').forEach((n) => n.remove());
        return copy.textContent ?? '';
      })
      .join('\n'),
  );
}

/** Opens a file from the file list and waits for its editor. */
export async function openFile(page: Page, path: string): Promise<void> {
  await page.locator(`[data-testid=file-item][data-path="${path}"]`).click();
  await page.locator('[data-testid=editor] .cm-content').waitFor();
}
