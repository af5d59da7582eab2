/**
 * Numbers, sizes, durations and dates for people, with `Intl` in the current language (pass
 * `i18n.language`), so "3 min 5 sec" becomes "3분 5초" in Korean.
 */

type Unit = 'hour' | 'minute' | 'second';

function unit(n: number, u: Unit, lang: string): string {
  return new Intl.NumberFormat(lang, { style: 'unit', unit: u, unitDisplay: 'narrow' }).format(n);
}

/** A duration in whole seconds: "45s", "3m 5s", "1h 2m" (localized units). */
export function formatDuration(totalSeconds: number, lang: string): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return unit(s, 'second', lang);
  const m = Math.floor(s / 60);
  if (m < 60) return `${unit(m, 'minute', lang)} ${unit(s % 60, 'second', lang)}`;
  return `${unit(Math.floor(m / 60), 'hour', lang)} ${unit(m % 60, 'minute', lang)}`;
}

/** A byte count: "512 B", "1.5 KB", "3.2 MB" (localized number and unit). */
export function formatBytes(n: number, lang: string): string {
  const [value, u] = n < 1024 ? [n, 'byte'] : n < 1024 * 1024 ? [n / 1024, 'kilobyte'] : [n / 1024 / 1024, 'megabyte'];
  return new Intl.NumberFormat(lang, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
}

/** A moment as a short date and time. */
export function formatDateTime(ms: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/** A plain number with the language's digit grouping. */
export function formatNumber(n: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(n);
}
