import type { z } from 'zod';
import { i18next } from './i18n';

/** The first validation message of a zod result, phrased for a person, or null when valid. `what` is already translated. */
export function firstIssue(result: z.ZodSafeParseResult<unknown>, what: string): string | null {
  if (result.success) return null;
  const issue = result.error.issues[0];
  if (!issue) return i18next.t('common:validation.invalid', { what });
  if (issue.code === 'too_small') return i18next.t('common:validation.required', { what });
  if (issue.code === 'too_big') return i18next.t('common:validation.tooLong', { what, max: String(issue.maximum) });
  if (i18next.resolvedLanguage !== 'en') return i18next.t('common:validation.invalid', { what });
  const msg = issue.message;
  return i18next.t('common:validation.other', { what, message: `${msg.charAt(0).toLowerCase()}${msg.slice(1)}` });
}
