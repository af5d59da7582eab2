import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIRST_LOAD_BUDGET_GZIP_BYTES, firstLoad, firstLoadUrls } from '../web/firstLoad.mjs';

/** The Vite build that `npm run build` writes (and `npm test` runs first). */
const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

describe('web bundle budget', () => {
  it('BENCH1 finds the entry script, module preloads and style sheets of index.html, not other links', () => {
    const html = `<html><head><link rel="icon" href="/favicon.svg"><script type="module" crossorigin src="/assets/a.js"></script>
      <link rel="modulepreload" href="/assets/b.js"><link rel="stylesheet" href="/assets/c.css"><script src="https://cdn.example/x.js"></script></head></html>`;
    expect(firstLoadUrls(html)).toEqual(['/assets/a.js', '/assets/b.js', '/assets/c.css']);
  });

  it('BENCH2 the first page load of web/dist fits in 150 KB of gzip', () => {
    expect(existsSync(`${DIST}index.html`), 'web/dist is missing: run `npm run build` first').toBe(true);
    const load = firstLoad(DIST);
    expect(load.files.some((f) => f.url.endsWith('.js')), 'index.html names no script').toBe(true);
    const detail = load.files.map((f) => `${f.url} ${(f.gzipBytes / 1024).toFixed(1)} KB`).join(', ');
    expect(load.totalGzipBytes, `first load ${(load.totalGzipBytes / 1024).toFixed(1)} KB gzip: ${detail}`).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_GZIP_BYTES);
  });
});
