// Web benchmark: gzip size of what each route loads (home, room) from the Vite build, and time
// from opening a room link to an editable document, in Debian's Chromium (playwright-core) on
// loopback against the real hub (`coderoom start`, its own process).
// Usage alone: node bench/web/run.mjs [--runs 3] [--out FILE]  (after `npm run build`)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { firstLoad, gzipBytes, FIRST_LOAD_BUDGET_GZIP_BYTES } from './firstLoad.mjs';
import { percentile, r2 } from '../lib/proc.mjs';
import { api, startCodeRoom } from '../collab/servers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = join(here, '..', '..', 'web', 'dist');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', '3'));
const OUT = arg('out', null);
/** Chromium flags of the project (e2e/browser.ts). */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const hub = await startCodeRoom();
const base = hub.base;

/** The largest contributors to a built chunk, from its source map: package name (or `web/src`) → source characters. */
function chunkModules(url) {
  const mapFile = join(DIST, `${url.replace(/^\//, '')}.map`);
  if (!existsSync(mapFile)) return [];
  const map = JSON.parse(readFileSync(mapFile, 'utf8'));
  const by = new Map();
  map.sources.forEach((src, i) => {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(src)?.[1] ?? (src.includes('web/src') || !src.includes('node_modules') ? 'web/src' : src);
    by.set(pkg, (by.get(pkg) ?? 0) + (map.sourcesContent?.[i]?.length ?? 0));
  });
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([name, chars]) => ({ name, chars }));
}

/** Sums the gzip size of the scripts and style sheets a page fetched from the build. */
function routeBytes(urls) {
  const files = [...new Set(urls)].filter((u) => /\.(js|css)$/.test(u)).map((url) => ({ url, gzipBytes: gzipBytes(DIST, url), modules: url.endsWith('.js') ? chunkModules(url) : [] }));
  return { files: files.sort((a, b) => b.gzipBytes - a.gzipBytes), gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0) };
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: FLAGS });
const result = { runs: RUNS, firstLoad: firstLoad(DIST), budgetGzipBytes: FIRST_LOAD_BUDGET_GZIP_BYTES, routes: {}, newVisitorMs: [], returningMs: [] };
try {
  // A TypeScript file, so the room also loads its language mode, as most code rooms do.
  await api(base, `/api/rooms/${hub.coderoom.roomId}/files`, { path: 'main.ts' }, hub.hostToken);
  const link = `${base}/r/${hub.coderoom.roomId}?file=main.ts`;

  // Per route: everything the page fetched from /assets until it settled.
  for (const [route, url] of [['home', `${base}/`], ['room', link]]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const fetched = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.origin === base && u.pathname.startsWith('/assets/')) fetched.push(u.pathname);
    });
    await page.goto(url, { waitUntil: 'networkidle' });
    if (route === 'room') {
      await page.getByTestId('join-name-input').fill('Visitor');
      await page.getByTestId('join-submit').click();
      await page.locator('[data-testid=editor] .cm-content[contenteditable=true]').waitFor();
      await page.waitForLoadState('networkidle');
    }
    result.routes[route] = routeBytes(fetched);
    await context.close();
  }

  // Room link → editable document: a new visitor (join form, then the editor) and a returning one.
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(link);
    await page.getByTestId('join-name-input').fill(`Visitor ${i}`);
    await page.getByTestId('join-submit').click();
    await page.locator('[data-testid=editor] .cm-content[contenteditable=true]').waitFor();
    result.newVisitorMs.push(performance.now() - t0);
    await page.locator('[data-testid=editor] .cm-content').click();
    await page.keyboard.type(`// visit ${i}\n`);
    await page.locator('[data-testid=sync-status][data-state=saved]').waitFor();
    const again = await context.newPage();
    await page.close();
    const t1 = performance.now();
    await again.goto(link);
    await again.locator('[data-testid=editor] .cm-content[contenteditable=true]', { hasText: `// visit ${i}` }).waitFor();
    result.returningMs.push(performance.now() - t1);
    await context.close();
  }
} finally {
  await browser.close();
  await hub.stop();
}
const summary = (xs) => ({ p50: r2(percentile(xs, 50)), max: r2(Math.max(...xs)) });
result.newVisitor = summary(result.newVisitorMs);
result.returning = summary(result.returningMs);
if (OUT) writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
else console.log(JSON.stringify(result, null, 2));
process.exit(0);
