import { useEffect } from 'react';
import { useTranslation } from './i18n';
import { themeChoice, type ThemeChoice } from './prefs';
import { useStore } from './useStore';

const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** Applies the theme choice to the page (`data-theme` on <html>; "system" leaves it to the media query). */
export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

/** Light, dark or the system's theme; remembered. */
export function ThemePicker() {
  const { t } = useTranslation();
  const choice = useStore(themeChoice);
  useEffect(() => applyTheme(choice), [choice]);
  return (
    <select className="pref-select" value={choice} onChange={(e) => themeChoice.set(e.target.value as ThemeChoice)} aria-label={t('theme.label')} title={t('theme.label')} data-testid="theme-select">
      {CHOICES.map((c) => (
        <option key={c} value={c}>
          {t(`theme.${c}`)}
        </option>
      ))}
    </select>
  );
}
