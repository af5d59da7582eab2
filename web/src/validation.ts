import type { z } from 'zod';

/** The first validation message of a zod result, phrased for a person, or null when valid. */
export function firstIssue(result: z.ZodSafeParseResult<unknown>, what: string): string | null {
  if (result.success) return null;
  const issue = result.error.issues[0];
  if (!issue) return `${what} is not valid`;
  if (issue.code === 'too_small') return `${what} is required`;
  if (issue.code === 'too_big') return `${what} is too long (at most ${String(issue.maximum)} characters)`;
  const msg = issue.message;
  return `${what}: ${msg.charAt(0).toLowerCase()}${msg.slice(1)}`;
}
