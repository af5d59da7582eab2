// Web benchmark: gzip size of what each route loads (home, room) from the Vite build, and time
// from opening a room link to an editable document, in Debian's Chromium (playwright-core) on
// loopback against the real hub (`coderoom start`, its own process).
// Usage alone: node bench/web/run.mjs [--runs 3] [--out FILE]  (after `npm run build`)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { firstLoad, gzipBytes, FIRST_LOAD_BUDGET_GZIP_BYTES } from './firstLoad.mjs';
import { freePort, percentile, r2 } from '../lib/proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const DIST = join(root, 'web', 'dist');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', '3'));
const OUT = arg('out', null);
/** Chromium flags of the project (e2e/browser.ts). */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const dataDir = mkdtempSync(join(tmpdir(), 'bench-web-'));
const hub = spawn(process.execPath, [join(root, 'cli', 'bin', 'coderoom.js'), 'start'], {
  env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', MEDIA_WORKERS: '1', MEDIA_RTC_MIN_PORT: String(await freePort(true)) },
  stdio: ['ignore', 'pipe', 'pipe'],
});
hub.stderr.resume();
const port = await new Promise((resolve, reject) => {
  let out = '';
  hub.stdout.on('data', (c) => {
    out += c;
    const m = /"port":(\d+),"msg":"listen\(\) \| serving"/.exec(out);
    if (m) resolve(Number(m[1]));
  });
  hub.once('exit', () => reject(new Error(`hub exited:\n${out}`)));
});
hub.stdout.resume();
const base = `http://127.0.0.1:${port}`;

async function post(path, body, token) {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', origin: base, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

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
  const created = await post('/api/rooms', { name: 'bench', displayName: 'Host' });
  const roomId = created.room.id;
  await post(`/api/rooms/${roomId}/files`, { path: 'main.ts' }, created.token);
  const link = `${base}/r/${roomId}?file=main.ts`;

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
    await page.waitForFunction(() => document.querySelector('[data-testid=sync-status]')?.getAttribute('data-state') === 'saved');
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
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
const summary = (xs) => ({ p50: r2(percentile(xs, 50)), max: r2(Math.max(...xs)) });
result.newVisitor = summary(result.newVisitorMs);
result.returning = summary(result.returningMs);
if (OUT) writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
else console.log(JSON.stringify(result, null, 2));
process.exit(0);
