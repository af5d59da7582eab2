import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { tempDir } from '../../collab-server/test/helpers.js';
import { launch, person, screenshot } from '../browser.js';
import { editorText, openFile } from '../room.js';
import { freePort, startHubProcess } from '../hub.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Screenshots of the page as it is now, at desktop and phone sizes (e2e/artifacts/access-<name>-{desktop,phone}.png). */
async function shots(page: Page, name: string): Promise<void> {
  await screenshot(page, `access-${name}-desktop`);
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(150);
  await screenshot(page, `access-${name}-phone`);
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(150);
}

describe('teams and access in the browser', () => {
  it('E2E-ACCESS1 a host signs up and makes a class room; a guest waits in the lobby, is admitted read-only, edits once promoted, is removed; refusal, audit and dead links have clear pages', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    await startHubProcess(dataDir, { PORT: String(port) });
    const base = `http://localhost:${port}`;
    const browser = await launch();

    // The host signs up (from the sign-in page) and lands on the dashboard.
    const host = await person(browser, DESKTOP);
    await host.page.goto(`${base}/signin`);
    await host.page.getByTestId('signin-form').waitFor();
    await shots(host.page, 'signin');
    await host.page.getByTestId('signup-link').click();
    await host.page.getByTestId('signup-name').fill('Hana');
    await host.page.getByTestId('signup-email').fill('hana@example.com');
    await host.page.getByTestId('signup-password').fill('correct horse battery');
    await host.page.getByTestId('signup-submit').click();
    await host.page.waitForURL(/\/workspaces$/);
    await host.page.getByTestId('workspace-list').getByText(/not in any workspace/).waitFor();

    // A workspace, then a class room that requires approval.
    await host.page.getByTestId('workspace-name-input').fill('Intro course');
    await host.page.getByTestId('workspace-create').click();
    await host.page.waitForURL(/\/workspaces\/[A-Za-z0-9_-]+$/);
    await host.page.getByTestId('member-item').filter({ hasText: 'Hana' }).waitFor();
    await host.page.getByTestId('ws-room-name').fill('Lesson 1');
    await host.page.getByTestId('ws-room-kind').selectOption('class');
    await host.page.getByTestId('ws-room-approval').check();
    await shots(host.page, 'dashboard');
    await host.page.getByTestId('ws-room-create').click();
    await host.page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
    const roomUrl = host.page.url();
    expect(await host.page.getByTestId('role-badge').textContent()).toMatch(/host/i);
    // Its address is no invite link (invites are made in the people panel).
    await host.page.getByTestId('people-open').waitFor();
    await expect.poll(() => host.page.getByTestId('copy-invite').count()).toBe(0);

    // The host writes a file.
    await host.page.getByTestId('new-file-button').click();
    await host.page.getByTestId('new-file-input').fill('lesson.py');
    await host.page.getByTestId('new-file-input').press('Enter');
    await openFile(host.page, 'lesson.py');
    await host.page.locator('[data-testid=editor] .cm-content').click();
    await host.page.keyboard.type('print("hi")');

    // A viewer invite for guests, from the room's people panel.
    await host.page.getByTestId('people-open').click();
    await host.page.getByTestId('room-invite-open').click();
    const dialog = host.page.getByTestId('invite-dialog');
    expect(await dialog.getByTestId('invite-role').inputValue()).toBe('viewer');
    await dialog.getByTestId('invite-max-uses').fill('1');
    expect(await dialog.getByTestId('invite-guests').isChecked()).toBe(true);
    await shots(host.page, 'invite-form');
    await dialog.getByTestId('invite-create').click();
    const link = await dialog.getByTestId('invite-link').inputValue();
    expect(link).toMatch(new RegExp(`^${base}/invite/[A-Za-z0-9_-]{22,64}$`));
    await shots(host.page, 'invite-dialog');
    await dialog.getByTestId('invite-done').click();

    // The guest opens the link, gives a name and waits in the lobby.
    const guest = await person(browser, DESKTOP);
    await guest.page.goto(link);
    await guest.page.getByTestId('invite-landing').waitFor();
    await guest.page.getByTestId('invite-name').fill('Gyu');
    await shots(guest.page, 'invite-landing');
    await guest.page.getByTestId('invite-accept').click();
    await guest.page.getByTestId('lobby-waiting').waitFor();
    // A reload keeps the waiting place (the one-use link itself is used up by now).
    await guest.page.reload();
    await guest.page.getByTestId('lobby-waiting').waitFor();
    await shots(guest.page, 'lobby');

    // The host (back in the people panel after the invite) sees the count badge and admits them.
    await host.page.getByTestId('people-panel').waitFor();
    const entry = host.page.getByTestId('lobby-entry').filter({ hasText: 'Gyu' });
    await entry.waitFor({ timeout: 10_000 });
    await host.page.getByTestId('lobby-count').waitFor();
    expect(await host.page.getByTestId('lobby-count').textContent()).toBe('1');
    await entry.getByTestId('lobby-admit').click();
    const guestRow = host.page.getByTestId('participant').filter({ hasText: 'Gyu' });
    await guestRow.waitFor({ timeout: 10_000 });
    expect(await host.page.getByTestId('lobby-entry').count()).toBe(0);
    await shots(host.page, 'participants');

    // The guest enters the room read-only: they read the host's text, but their keys do nothing.
    await guest.page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/, { timeout: 40_000 });
    await guest.page.getByTestId('file-list').waitFor();
    expect(await guest.page.getByTestId('role-badge').textContent()).toMatch(/viewer/i);
    await openFile(guest.page, 'lesson.py');
    await expect.poll(() => editorText(guest.page), { timeout: 10_000 }).toBe('print("hi")');
    await guest.page.locator('[data-testid=editor] .cm-content').click();
    await guest.page.keyboard.press('Control+End');
    await guest.page.keyboard.type('X');
    await new Promise((r) => setTimeout(r, 500));
    expect(await editorText(guest.page)).toBe('print("hi")');
    expect(await editorText(host.page)).toBe('print("hi")');

    // The host promotes the guest to editor: the guest is told, and their next keystroke lands.
    await guestRow.getByTestId('participant-role').selectOption('editor');
    await guest.page.getByTestId('role-notice').waitFor({ timeout: 10_000 });
    await expect.poll(() => guest.page.getByTestId('role-badge').textContent()).toMatch(/editor/i);
    await guest.page.locator('[data-testid=editor] .cm-content').click();
    await guest.page.keyboard.press('Control+End');
    await guest.page.keyboard.type(' # ok');
    await expect.poll(() => editorText(host.page), { timeout: 10_000 }).toBe('print("hi") # ok');
    await screenshot(guest.page, 'access-promoted-desktop');

    // The host removes the guest (with confirmation): the guest sees a clear page at once.
    await guestRow.getByTestId('participant-remove').click();
    await host.page.getByTestId('confirm-delete-button').click();
    await guest.page.getByTestId('removed-page').waitFor({ timeout: 10_000 });
    await host.page.getByTestId('participant').filter({ hasText: 'Gyu' }).waitFor({ state: 'detached', timeout: 10_000 });

    // The room's audit log shows what happened, and filters by kind.
    await host.page.getByTestId('room-audit-open').click();
    const audit = host.page.getByTestId('room-audit');
    await audit.locator('[data-testid=audit-row][data-action="participant.role"]').first().waitFor();
    expect(await audit.locator('[data-testid=audit-row][data-action="lobby.admit"]').count()).toBe(1);
    await shots(host.page, 'room-audit');
    await audit.getByTestId('audit-kind').selectOption('lobby');
    await audit.getByTestId('audit-apply').click();
    await expect.poll(() => audit.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))).toEqual(['lobby.admit', 'lobby.wait']);

    // Someone the host refuses gets a clear page.
    await host.page.keyboard.press('Escape');
    await host.page.getByTestId('room-invite-open').click();
    await host.page.getByTestId('invite-create').click();
    const link2 = await host.page.getByTestId('invite-link').inputValue();
    await host.page.getByTestId('invite-done').click();
    const other = await person(browser, PHONE);
    await other.page.goto(link2);
    await other.page.getByTestId('invite-name').fill('Rita');
    await other.page.getByTestId('invite-accept').click();
    await other.page.getByTestId('lobby-waiting').waitFor();
    await host.page.getByTestId('lobby-entry').filter({ hasText: 'Rita' }).getByTestId('lobby-refuse').click({ timeout: 10_000 });
    await other.page.getByTestId('lobby-refused').waitFor({ timeout: 40_000 });
    await screenshot(other.page, 'access-refused-phone');

    // The account page lists the host's session.
    await host.page.goto(`${base}/account`);
    await host.page.getByTestId('session-list').getByTestId('session-revoke').first().waitFor();
    await shots(host.page, 'account');

    // The first account is the admin: the whole log, sign-ups included.
    await host.page.getByTestId('nav-audit').click();
    await host.page.locator('[data-testid=audit-row][data-action="auth.signup"]').waitFor();
    await screenshot(host.page, 'access-audit-all-desktop');
    const [download] = await Promise.all([host.page.waitForEvent('download'), host.page.getByTestId('audit-export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^coderoom-audit-.*\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toBe('id,at,time,roomId,workspaceId,actor,actorName,action,target,detail');
    expect(csv).toContain('auth.signup');

    // The dashboard lists the room with its kind and approval.
    await host.page.getByTestId('nav-workspaces').click();
    await host.page.getByTestId('workspace-link').click();
    await host.page.getByTestId('room-item').filter({ hasText: 'Lesson 1' }).filter({ hasText: /Class.*approves/ }).waitFor();

    // A link that leads nowhere gets its own page, not a blank screen.
    await guest.page.goto(`${base}/invite/${'A'.repeat(43)}`);
    await guest.page.getByTestId('invite-dead-not_found').waitFor();

    // The room's own address does not let a stranger in: it is entered by invitation.
    const stranger = await person(browser, DESKTOP);
    await stranger.page.goto(roomUrl);
    await stranger.page.getByTestId('room-gate').waitFor();

    // In Korean, the pages speak Korean.
    const ko = await browser.newContext({ viewport: PHONE, locale: 'ko-KR' });
    const koPage = await ko.newPage();
    await koPage.goto(`${base}/signin`);
    await koPage.getByRole('heading', { name: 'CodeRoom 로그인' }).waitFor();
    await screenshot(koPage, 'access-signin-ko-phone');
  });
});
