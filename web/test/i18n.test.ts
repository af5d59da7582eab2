import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findKeyUses, findUntranslated } from './i18nScan.js';

/** The i18n layer's resource files: every language has every key of every namespace, none empty. */
const SRC = join(import.meta.dirname, '../src');
const LOCALES = join(SRC, 'i18n/locales');
const LANGUAGES = ['en', 'ko'];

function flatten(obj: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === 'object') for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
      else out.set(key, v);
    }
  }
  return out;
}

function load(lang: string): Map<string, Map<string, unknown>> {
  const dir = join(LOCALES, lang);
  return new Map(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f.slice(0, -5), flatten(JSON.parse(readFileSync(join(dir, f), 'utf8')))]));
}

describe('i18n resources', () => {
  const byLang = new Map(LANGUAGES.map((l) => [l, load(l)]));

  it('I18N1 every language has the same namespaces and keys, and every value is a non-empty string', () => {
    const all = new Set<string>();
    for (const nss of byLang.values()) for (const [ns, keys] of nss) for (const k of keys.keys()) all.add(`${ns}:${k}`);
    expect(all.size).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const [lang, nss] of byLang) {
      for (const id of all) {
        const [ns, key] = id.split(':') as [string, string];
        const v = nss.get(ns)?.get(key);
        if (typeof v !== 'string' || v.trim() === '') missing.push(`${lang} ${id}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('I18N2 interpolation placeholders match between languages', () => {
    const en = byLang.get('en')!;
    const mismatched: string[] = [];
    for (const [lang, nss] of byLang) {
      for (const [ns, keys] of en) {
        for (const [key, v] of keys) {
          const vars = (s: unknown) => [...String(s).matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort().join(',');
          if (vars(v) !== vars(nss.get(ns)?.get(key))) mismatched.push(`${lang} ${ns}:${key}`);
        }
      }
    }
    expect(mismatched).toEqual([]);
  });

  it('I18N3 the scanner flags untranslated JSX text, visible attributes and messages (self-check)', () => {
    const sample = [
      "export const A = () => <p title=\"Hello there\">Plain text {'Quoted'} {ok ? t('a.b') : 'Else'}</p>;",
      "export const B = () => <Dialog action={{ label: 'Try again', onClick }} aria-label={`Close ${name}`} />;",
      "export const C = () => { setError('Something broke'); return <i className=\"not-text\" data-x={a === 'b' ? 1 : 2}>{t('x.y')} ×</i>; };",
    ].join('\n');
    expect(findUntranslated('sample.tsx', sample).map((f) => f.text)).toEqual(['Hello there', 'Plain text', 'Quoted', 'Else', 'Try again', 'Close', 'Something broke']);
  });

  it('I18N4 every user-visible string in web/src goes through t()', () => {
    const findings = sourceFiles(SRC, '.tsx').flatMap((file) => findUntranslated(relative(SRC, file), readFileSync(file, 'utf8')));
    expect(findings.map((f) => `${f.file}:${f.line} ${JSON.stringify(f.text)}`)).toEqual([]);
  });

  it('I18N5 every key the source uses exists in English (and so, by I18N1, in Korean)', () => {
    const en = byLang.get('en')!;
    const uses = sourceFiles(SRC, '.ts', '.tsx').flatMap((file) => findKeyUses(relative(SRC, file), readFileSync(file, 'utf8')));
    expect(uses.length).toBeGreaterThan(100);
    const exists = (ns: string, key: string, prefix: boolean): boolean => {
      const keys = en.get(ns);
      if (!keys) return false;
      return prefix ? [...keys.keys()].some((k) => k.startsWith(key)) : keys.has(key);
    };
    const missing = uses.filter((u) => {
      const sep = u.key.indexOf(':');
      if (sep > 0) return !exists(u.key.slice(0, sep), u.key.slice(sep + 1), u.prefix);
      return !u.namespaces.some((ns) => exists(ns, u.key, u.prefix));
    });
    expect(missing.map((u) => `${u.file}:${u.line} ${u.key}`)).toEqual([]);
  });
});

/** Source files under a directory, recursively. */
function sourceFiles(dir: string, ...exts: string[]): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && exts.some((x) => e.name.endsWith(x)) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}
