import { LANGUAGES, setLanguage, useTranslation, type Language } from './i18n';

/** A compact language switch; the choice is remembered (see `setLanguage`). */
export function LanguagePicker() {
  const { t, i18n } = useTranslation();
  return (
    <select
      className="pref-select"
      value={i18n.resolvedLanguage ?? 'en'}
      onChange={(e) => setLanguage(e.target.value as Language)}
      aria-label={t('language.label')}
      title={t('language.label')}
      data-testid="language-select"
    >
      {LANGUAGES.map((lang) => (
        <option key={lang} value={lang} lang={lang}>
          {t(`language.${lang}`)}
        </option>
      ))}
    </select>
  );
}
