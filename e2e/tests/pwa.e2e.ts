import { appendFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { tempDir } from '../../collab-server/test/helpers.js';
import { DEFAULT_WEB_DIST_DIR } from '../../cli/src/index.js';
import { launch, person, screenshot } from '../browser.js';
import { freePort, startHubProcess } from '../hub.js';
import { createRoom } from '../room.js';

/** Waits until a service worker controls the page (the first visit installs it; a reload puts the page under it). */
async function controlled(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 10_000 }).toBe(true);
}

/** Whether a GET of `path` from the page succeeds (any HTTP status counts; a network error does not). */
async function reachable(page: Page, path: string): Promise<boolean> {
  return page.evaluate((p) => fetch(p).then(() => true, () => false), path);
}

describe('installable app (PWA)', () => {
  it('PWA1 manifest and service worker are served and registered; offline the app opens to the offline page; a new deploy is detected and offered', async () => {
    // The hub serves a copy of the build, so the test can "deploy" a new version into it.
    const dist = tempDir();
    cpSync(DEFAULT_WEB_DIST_DIR, dist, { recursive: true });
    const port = await freePort();
    await startHubProcess(tempDir(), { PORT: String(port), WEB_DIST_DIR: dist });
    const base = `http://localhost:${port}`;

    // The manifest: installable (name, standalone, theme, icons in the sizes browsers ask for).
    const manifestRes = await fetch(`${base}/manifest.webmanifest`);
    expect(manifestRes.status).toBe(200);
    expect(manifestRes.headers.get('content-type')).toBe('application/manifest+json');
    const manifest = (await manifestRes.json()) as { name: string; display: string; theme_color: string; start_url: string; icons: Array<{ src: string; sizes: string; purpose: string }> };
    expect(manifest).toMatchObject({ name: 'CodeRoom', display: 'standalone', start_url: '/' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']));
    for (const icon of manifest.icons.filter((i) => i.src.endsWith('.png'))) {
      const res = await fetch(base + icon.src);
      expect(res.status, icon.src).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
    }
    // The service worker script: JavaScript, never cached by HTTP (so a deploy is seen at once).
    const swRes = await fetch(`${base}/sw.js`);
    expect(swRes.status).toBe(200);
    expect(swRes.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(swRes.headers.get('cache-control')).toBe('no-cache');

    const browser = await launch();
    const { context, page } = await person(browser);
    await createRoom(page, base, 'Offline class', 'Alice');
    const roomId = new URL(page.url()).pathname.split('/').pop()!;
    await expect.poll(() => page.getByTestId('connection-status').getAttribute('data-state'), { timeout: 10_000 }).toBe('connected');
    await page.goto(base + '/');
    expect(await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.scriptURL ?? null))).toBe(`${base}/sw.js`);
    await page.reload();
    await controlled(page);

    // Answers from the API and server endpoints are never cached: offline, they fail.
    expect(await reachable(page, `/api/rooms/${roomId}`)).toBe(true);
    expect(await reachable(page, '/healthz')).toBe(true);
    await context.setOffline(true);
    expect(await reachable(page, `/api/rooms/${roomId}`)).toBe(false);
    expect(await reachable(page, '/healthz')).toBe(false);
    expect(await reachable(page, '/metrics')).toBe(false);

    // Offline, a reload still opens the app (from the precache), on the offline page with the recent room.
    await page.reload();
    await page.getByTestId('offline-page').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('recent-room').allTextContents()).toEqual(['Offline class']);
    await screenshot(page, 'pwa-offline');
    // A room link opened offline shows the same page.
    await page.goto(`${base}/r/${roomId}`);
    await page.getByTestId('offline-page').waitFor({ timeout: 10_000 });

    // Back online: the app is itself again.
    await context.setOffline(false);
    await page.goto(base + '/');
    await page.getByTestId('create-room-form').waitFor();
    expect(await page.getByTestId('update-prompt').count()).toBe(0);

    // A new version is deployed (a changed service worker): the open app notices and offers it.
    appendFileSync(join(dist, 'sw.js'), '\n// deploy 2\n');
    await page.reload();
    await page.getByTestId('update-prompt').waitFor({ timeout: 15_000 });
    await screenshot(page, 'pwa-update');
    // Accepting switches to the new worker and reloads onto it.
    await page.getByTestId('update-reload').click();
    await page.getByTestId('create-room-form').waitFor();
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => (r ? { waiting: r.waiting !== null, active: r.active?.state } : null))), { timeout: 15_000 }).toEqual({ waiting: false, active: 'activated' });
    expect(await page.getByTestId('update-prompt').count()).toBe(0);
  });
});
