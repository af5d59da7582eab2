import type { Page } from 'playwright-core';

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
