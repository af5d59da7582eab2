import { z } from 'zod';
import { DatabaseUrlSchema, DEFAULT_PG_POOL_MAX, LOG_LEVELS, parseEnv, PortSchema, PositiveIntSchema } from '@coderoom/shared';

/** Compact a loaded document into a snapshot after this many logged updates. */
export const DEFAULT_COMPACT_EVERY_UPDATES = 500;
/** ...or after this many logged bytes, whichever comes first. */
export const DEFAULT_COMPACT_EVERY_BYTES = 1024 * 1024;
/** Largest WebSocket frame a client may send to /collab. */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** How long a room's owner keeps it without renewing its lease (the failover bound). */
export const DEFAULT_ROOM_LEASE_MS = 10_000;
/** Largest REST request body. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Largest workspace file opened as a document. */
export const DEFAULT_WORKSPACE_MAX_FILE_BYTES = 1024 * 1024;

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
  /** PostgreSQL to keep state in (`postgres://user:pass@host:port/db`); empty: SQLite under DATA_DIR. */
  DATABASE_URL: DatabaseUrlSchema,
  /** Most connections this process keeps to PostgreSQL. */
  PG_POOL_MAX: PositiveIntSchema.max(1000).default(DEFAULT_PG_POOL_MAX),
  /** SQLite `synchronous` for the update log: FULL survives power loss, NORMAL only process crashes. */
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /** Redis for scale-out (`redis://host:port`): documents across nodes and the room directory; empty: one node. */
  REDIS_URL: z
    .string()
    .default('')
    .refine((s) => s === '' || /^rediss?:\/\/\S+$/.test(s), 'must be a redis:// or rediss:// URL'),
  /** This node's id in the room directory; empty: the host name and a random suffix. */
  NODE_ID: z.string().regex(/^[A-Za-z0-9._-]{0,64}$/, 'letters, digits, . _ - (at most 64)').default(''),
  /** The URL clients reach this node at (told to clients of rooms it owns); empty: http://HOST:port. */
  PUBLIC_URL: z
    .string()
    .default('')
    .refine((s) => s === '' || /^https?:\/\/\S+$/.test(s), 'must be an http:// or https:// URL'),
  /** A node owns a room for this many ms after its last lease renewal (renewed every third of it); the failover bound. */
  ROOM_LEASE_MS: PositiveIntSchema.min(1000).max(300_000).default(DEFAULT_ROOM_LEASE_MS),
  /** Directory of the built web app; empty to serve none. */
  WEB_DIST_DIR: z.string().default(''),
  /** Write an edited file back to the workspace this many ms after its first unwritten change. */
  WORKSPACE_WRITE_DEBOUNCE_MS: PositiveIntSchema.default(300),
  /** Check open files in the workspace for outside changes every this many ms. */
  WORKSPACE_POLL_MS: PositiveIntSchema.default(500),
  /** Workspace files larger than this many bytes are listed but not opened for editing. */
  WORKSPACE_MAX_FILE_BYTES: PositiveIntSchema.default(DEFAULT_WORKSPACE_MAX_FILE_BYTES),
  /** Directories (comma-separated, absolute) that rooms may be cloned from as local paths; empty: none. */
  WORKSPACE_GIT_LOCAL_ROOTS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  /** Kill a `git` command of a room import after this many ms. */
  WORKSPACE_GIT_TIMEOUT_MS: PositiveIntSchema.default(120_000),
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
