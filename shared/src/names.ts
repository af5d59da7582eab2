import { z } from 'zod';

/** Longest display name, in characters. */
export const MAX_DISPLAY_NAME_CHARS = 64;

/** A human-chosen name: trimmed, 1–`maxChars` characters, no control characters. */
export function nameSchema(maxChars: number) {
  return z
    .string()
    .trim()
    .min(1, 'name is required')
    .max(maxChars)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'control characters are not allowed');
}

/** A person's display name. */
export const DisplayNameSchema = nameSchema(MAX_DISPLAY_NAME_CHARS);
