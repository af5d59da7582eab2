import { z } from 'zod';
import { LOG_LEVELS, parseEnv, PortSchema, PositiveIntSchema } from '@coderoom/shared';

/** Compact a loaded document into a snapshot after this many logged updates. */
export const DEFAULT_COMPACT_EVERY_UPDATES = 500;
/** ...or after this many logged bytes, whichever comes first. */
export const DEFAULT_COMPACT_EVERY_BYTES = 1024 * 1024;
/** Largest WebSocket frame a client may send to /collab. */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Largest REST request body. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const ConfigSchema = z.object({
  /** HTTP port of the hub (0 picks a free one). */
  PORT: PortSchema.default(8080),
  /** Address to bind; loopback unless you mean to expose it. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the SQLite database, keys and workspaces live. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** pino log level. */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Snapshot a document after this many updates in its log. */
  COMPACT_EVERY_UPDATES: PositiveIntSchema.default(DEFAULT_COMPACT_EVERY_UPDATES),
  /** Snapshot a document after this many bytes in its log. */
  COMPACT_EVERY_BYTES: PositiveIntSchema.default(DEFAULT_COMPACT_EVERY_BYTES),
  /** Largest /collab frame in bytes; bigger frames close the socket with 1009. */
  COLLAB_MAX_MESSAGE_BYTES: PositiveIntSchema.default(DEFAULT_MAX_MESSAGE_BYTES),
  /** A /collab socket must authenticate a document within this many ms, or is closed with 4401. */
  COLLAB_AUTH_TIMEOUT_MS: PositiveIntSchema.default(10_000),
  /** Largest REST body in bytes (413 above). */
  API_MAX_BODY_BYTES: PositiveIntSchema.default(DEFAULT_MAX_BODY_BYTES),
  /** Lifetime of access tokens the API issues, in seconds. */
  TOKEN_TTL_SECONDS: PositiveIntSchema.max(24 * 3600).default(15 * 60),
  /** Lifetime of a sign-in session (cookie and server side), in seconds; 30 days by default. */
  SESSION_TTL_SECONDS: PositiveIntSchema.max(365 * 24 * 3600).default(30 * 24 * 3600),
  /** SQLite `synchronous` for the update log: FULL survives power loss, NORMAL only process crashes. */
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /** Directory of the built web app; empty to serve none. */
  WEB_DIST_DIR: z.string().default(''),
  /** Extra allowed Origins for WebSockets, comma-separated (same-origin is always allowed). */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
});

/** The collab-server's configuration. */
export type CollabConfig = Readonly<z.infer<typeof ConfigSchema>>;

/** Parses the environment once at boot. */
export function loadCollabConfig(env: Record<string, string | undefined>): CollabConfig {
  return parseEnv(ConfigSchema, env);
}
