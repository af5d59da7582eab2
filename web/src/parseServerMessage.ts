import type { z } from 'zod';

/**
 * Parses a JSON text frame from a server socket against its protocol schema. Returns null for
 * a frame that is not JSON or not a known message (a newer server's): callers ignore those.
 */
export function parseServerMessage<S extends z.ZodType>(raw: string, schema: S): z.infer<S> | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
