import { z } from 'zod';

/**
 * Parses an environment with a zod schema and freezes the result. Every service's `config.ts`
 * calls this once at boot; nothing else reads `process.env`.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}

/** A TCP port number from the environment (0 picks a free port). */
export const PortSchema = z.coerce.number().int().min(0).max(65535);
/** A positive integer from the environment. */
export const PositiveIntSchema = z.coerce.number().int().positive();
