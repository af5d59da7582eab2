import { useTranslation } from './i18n';
import { themeChoice, type ThemeChoice } from './prefs';
import { useStore } from './useStore';

const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
const SYSTEM_LIGHT = '(prefers-color-scheme: light)';

/** Sets `data-theme` on <html> to the chosen theme, "system" resolved by the media query. */
function paint(choice: ThemeChoice): void {
  document.documentElement.dataset.theme = choice === 'system' ? (matchMedia(SYSTEM_LIGHT).matches ? 'light' : 'dark') : choice;
}

/** Applies the remembered theme now and whenever the choice (or, for "system", the system's theme) changes. */
export function followTheme(): void {
  paint(themeChoice.get());
  themeChoice.subscribe(() => paint(themeChoice.get()));
  matchMedia(SYSTEM_LIGHT).addEventListener('change', () => paint(themeChoice.get()));
}

/** Light, dark or the system's theme; remembered. */
export function ThemePicker() {
  const { t } = useTranslation();
  const choice = useStore(themeChoice);
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
