import { ApiError } from './api';
import { i18next } from './i18n';

/**
 * What to tell a person about a failed call. English shows the server's own message (it names
 * the exact problem); other languages show the translated text for the error's code, since the
 * server speaks English only.
 */
export function errorMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return i18next.t('common:errors.unknown');
  if (i18next.resolvedLanguage === 'en' && err.code !== 'NETWORK') return err.message;
  return i18next.t(`common:errors.${err.code}`, { defaultValue: err.message });
}
