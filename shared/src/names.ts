import { z } from 'zod';

/** Longest display name, in characters. */
export const MAX_DISPLAY_NAME_CHARS = 64;

/** A person's display name: trimmed, 1–64 characters, no control characters. */
export const DisplayNameSchema = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(MAX_DISPLAY_NAME_CHARS)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'control characters are not allowed');
