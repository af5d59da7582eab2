import { resolve } from 'node:path';
import { z } from 'zod';
import { DatabaseUrlSchema, parseEnv, PortSchema, PositiveIntSchema, LOG_LEVELS } from '@coderoom/shared';

/** Default cap on terminals one room may have open at once. */
export const DEFAULT_MAX_TERMINALS_PER_ROOM = 8;
/** Default input a single user may send per second, across the room's terminals, in bytes. */
export const DEFAULT_INPUT_BYTES_PER_SECOND = 64 * 1024;
/** Default largest client frame, in bytes (a bigger paste gets PAYLOAD_TOO_LARGE). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
/** Default output ring kept per terminal for resumes, in bytes. */
export const DEFAULT_RING_BYTES = 2 * 1024 * 1024;
/** Default send backlog a viewer may build before it is skipped ahead, in bytes. */
export const DEFAULT_VIEWER_QUEUE_BYTES = 1024 * 1024;
/** Variables copied from the hub's environment into shells when set (plus every LC_*). */
export const SHELL_ENV_ALLOW_LIST = ['PATH', 'LANG', 'LANGUAGE', 'TZ'] as const;
/** PATH given to shells when the hub has none. */
export const DEFAULT_SHELL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const booleanFromEnv = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const PtyEnvSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: DatabaseUrlSchema,
  PTY_MAX_TERMINALS_PER_ROOM: PositiveIntSchema.default(DEFAULT_MAX_TERMINALS_PER_ROOM),
  PTY_INPUT_BYTES_PER_SECOND: PositiveIntSchema.default(DEFAULT_INPUT_BYTES_PER_SECOND),
  PTY_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(DEFAULT_MAX_MESSAGE_BYTES),
  PTY_RING_BYTES: z.coerce.number().int().min(4096).default(DEFAULT_RING_BYTES),
  PTY_VIEWER_QUEUE_BYTES: z.coerce.number().int().min(16 * 1024).default(DEFAULT_VIEWER_QUEUE_BYTES),
  PTY_SHELL: z.string().min(1).default('/bin/bash'),
  PTY_USER: z.string().regex(/^([a-z_][a-z0-9_-]*\$?|\d+(:\d+)?)$/, 'a user name or uid[:gid]').optional(),
  PTY_SANDBOX: z.enum(['none', 'bwrap']).default('none'),
  PTY_SANDBOX_NETWORK: booleanFromEnv.default(false),
  PTY_ALLOWED_ORIGINS: z.string().default(''),
  PORT: PortSchema.default(8082),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

/** The gateway's configuration: frozen, parsed once at boot. */
export interface PtyConfig {
  /** Root of workspaces/, recordings/ and keys/ (absolute). */
  readonly dataDir: string;
  /** Most terminals one room may have (PTY_MAX_TERMINALS_PER_ROOM). */
  readonly maxTerminalsPerRoom: number;
  /** Input one user may send per second, in bytes (PTY_INPUT_BYTES_PER_SECOND). */
  readonly inputBytesPerSecond: number;
  /** Largest client frame, in bytes (PTY_MAX_MESSAGE_BYTES). */
  readonly maxMessageBytes: number;
  /** Output kept per terminal for resumes, in bytes (PTY_RING_BYTES). */
  readonly ringBytes: number;
  /** Send backlog after which a viewer is skipped ahead, in bytes (PTY_VIEWER_QUEUE_BYTES). */
  readonly viewerQueueBytes: number;
  /** The shell to run (PTY_SHELL). */
  readonly shell: string;
  /** Run shells as this user: a name or uid[:gid] (PTY_USER); null keeps the hub's user. */
  readonly user: string | null;
  /** `bwrap` confines each shell to its room's workspace with bubblewrap (PTY_SANDBOX). */
  readonly sandbox: 'none' | 'bwrap';
  /** Whether sandboxed shells keep network access (PTY_SANDBOX_NETWORK). */
  readonly sandboxNetwork: boolean;
  /** Origins allowed besides the hub's own host (PTY_ALLOWED_ORIGINS, comma-separated). */
  readonly allowedOrigins: readonly string[];
  /** Allow-listed variables of the hub's environment that shells inherit. */
  readonly shellBaseEnv: Readonly<Record<string, string>>;
  /** Standalone mode only: PostgreSQL for the audit log (DATABASE_URL, migrated by the control plane); null: SQLite under dataDir. */
  readonly databaseUrl: string | null;
  /** Standalone mode only: where main.ts listens (PORT, HOST) and its log level. */
  readonly port: number;
  readonly host: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

/** Parses the gateway's environment once; throws with every invalid variable listed. */
export function loadPtyConfig(env: Record<string, string | undefined>, overrides: Partial<PtyConfig> = {}): PtyConfig {
  const e = parseEnv(PtyEnvSchema, env);
  const shellBaseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if ((SHELL_ENV_ALLOW_LIST as readonly string[]).includes(k) || k.startsWith('LC_')) shellBaseEnv[k] = v;
  }
  shellBaseEnv.PATH ??= DEFAULT_SHELL_PATH;
  return Object.freeze({
    dataDir: resolve(e.DATA_DIR),
    maxTerminalsPerRoom: e.PTY_MAX_TERMINALS_PER_ROOM,
    inputBytesPerSecond: e.PTY_INPUT_BYTES_PER_SECOND,
    maxMessageBytes: e.PTY_MAX_MESSAGE_BYTES,
    ringBytes: e.PTY_RING_BYTES,
    viewerQueueBytes: e.PTY_VIEWER_QUEUE_BYTES,
    shell: e.PTY_SHELL,
    user: e.PTY_USER ?? null,
    sandbox: e.PTY_SANDBOX,
    sandboxNetwork: e.PTY_SANDBOX_NETWORK,
    allowedOrigins: Object.freeze(e.PTY_ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean)),
    shellBaseEnv: Object.freeze(shellBaseEnv),
    databaseUrl: e.DATABASE_URL || null,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    ...overrides,
  });
}
