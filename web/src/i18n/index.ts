import i18next from 'i18next';
import { initReactI18next, Trans, useTranslation } from 'react-i18next';

/**
 * The one i18n layer of the web app. Every user-visible string goes through `t()`.
 *
 * Strings live in `locales/<language>/<namespace>.json`, one namespace per feature folder
 * (`common`, `review`, `access`, ...). Every language has every key of every namespace:
 * `web/test/i18n.test.ts` fails otherwise. Add a namespace by adding its JSON file in each language.
 */
export const LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'coderoom.language';

type Resources = Record<Language, Record<string, Record<string, unknown>>>;

const modules = import.meta.glob<{ default: Record<string, unknown> }>('./locales/*/*.json', { eager: true });

/** Resources by language and namespace, from the JSON files. */
export const resources: Resources = { en: {}, ko: {} };
for (const [path, mod] of Object.entries(modules)) {
  const m = /\.\/locales\/([a-z]+)\/([\w-]+)\.json$/.exec(path);
  if (m && (LANGUAGES as readonly string[]).includes(m[1]!)) resources[m[1] as Language][m[2]!] = mod.default;
}

function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/** The remembered choice, else the browser's first supported language, else English. */
export function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(saved)) return saved;
  } catch {
    // storage can be unavailable (private mode); fall through
  }
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/** Switches the language and remembers the choice. */
export function setLanguage(lang: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered, still switched
  }
  void i18next.changeLanguage(lang);
}

void i18next.use(initReactI18next).init({
  resources,
  lng: initialLanguage(),
  fallbackLng: 'en',
  ns: Object.keys(resources.en),
  defaultNS: 'common',
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

const syncDocumentLanguage = (lng: string) => {
  document.documentElement.lang = lng;
};
syncDocumentLanguage(i18next.language);
i18next.on('languageChanged', syncDocumentLanguage);

export { i18next, Trans, useTranslation };
