// What the first page load fetches from the Vite build (web/dist): the entry scripts, module
// preloads and style sheets that index.html names, with their gzip sizes. Lazily loaded chunks
// (dynamic import()) are not named there, so they are not counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Parser } from 'htmlparser2';

/** The budget for the first load, in bytes of gzip. */
export const FIRST_LOAD_BUDGET_GZIP_BYTES = 150 * 1024;

/** Gzip size (level 9, as a server would precompress) of a built file. */
export function gzipBytes(distDir, path) {
  return gzipSync(readFileSync(join(distDir, path.replace(/^\//, ''))), { level: 9 }).length;
}

/** The local URLs index.html makes the browser fetch up front, in document order. */
export function firstLoadUrls(html) {
  const urls = [];
  const parser = new Parser({
    onopentag(name, attrs) {
      const rel = (attrs.rel ?? '').toLowerCase().split(/\s+/);
      if (name === 'script' && attrs.src) urls.push(attrs.src);
      else if (name === 'link' && attrs.href && (rel.includes('modulepreload') || rel.includes('stylesheet'))) urls.push(attrs.href);
    },
  });
  parser.end(html);
  return urls.filter((u) => !/^[a-z]+:\/\//i.test(u) && !u.startsWith('//'));
}

/** The first load of web/dist: each file with its raw and gzip size, and the gzip total. */
export function firstLoad(distDir) {
  const html = readFileSync(join(distDir, 'index.html'));
  const files = firstLoadUrls(html.toString()).map((url) => ({ url, bytes: readFileSync(join(distDir, url.replace(/^\//, ''))).length, gzipBytes: gzipBytes(distDir, url) }));
  const indexGzip = gzipSync(html, { level: 9 }).length;
  return { files, indexGzipBytes: indexGzip, totalGzipBytes: indexGzip + files.reduce((n, f) => n + f.gzipBytes, 0) };
}
