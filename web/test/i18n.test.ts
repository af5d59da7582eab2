import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The i18n layer's resource files: every language has every key of every namespace, none empty. */
const LOCALES = join(import.meta.dirname, '../src/i18n/locales');
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
});
