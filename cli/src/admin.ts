import { join } from 'node:path';
import { hashPassword, loadCollabConfig, migratePostgres, openDatabase, openStorage, PG_SCHEMA_VERSION, SCHEMA_VERSION, type Storage } from '@coderoom/collab-server';
import { RoleSchema, RoomNameSchema, RoomIdSchema, DisplayNameSchema, EmailSchema, PasswordSchema, TokenIssuer, BadRequestError, ConflictError, NotFoundError, createLogger, createPgPool, type Role } from '@coderoom/shared';
import { randomBytes } from 'node:crypto';

/**
 * Opens the hub's storage directly (SQLite under DATA_DIR, or PostgreSQL at DATABASE_URL): works
 * whether or not a hub runs on the same database. `close()` flushes the audit log.
 */
async function openAdmin(env: Record<string, string | undefined>): Promise<Storage & { config: ReturnType<typeof loadCollabConfig> }> {
  const config = loadCollabConfig(env);
  const storage = await openStorage(config, createLogger('silent'));
  return Object.assign(storage, { config });
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new BadRequestError(`${what}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

/** `coderoom room create --name NAME`: creates a room, returns its id. */
export async function createRoom(env: Record<string, string | undefined>, name: string): Promise<string> {
  const roomName = parse(RoomNameSchema, name, '--name');
  const { close, rooms, audit } = await openAdmin(env);
  try {
    const room = await rooms.create(roomName);
    audit.append({ at: Date.now(), roomId: room.id, actor: 'cli', actorName: 'admin cli', action: 'room.create', target: room.id, detail: { name: roomName } });
    return room.id;
  } finally {
    await close();
  }
}

/** `coderoom token --room ID --name NAME --role ROLE`: mints an access token. */
export async function mintToken(env: Record<string, string | undefined>, opts: { room: string; name: string; role: string; ttl?: string; sub?: string }): Promise<string> {
  const roomId = parse(RoomIdSchema, opts.room, '--room');
  const name = parse(DisplayNameSchema, opts.name, '--name');
  const role: Role = parse(RoleSchema, opts.role, '--role');
  const { config, close, rooms, audit } = await openAdmin(env);
  try {
    if (!(await rooms.get(roomId))) throw new NotFoundError(`room ${roomId} not found`);
    const ttl = opts.ttl === undefined ? config.TOKEN_TTL_SECONDS : Number(opts.ttl);
    if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 7 * 24 * 3600) throw new BadRequestError('--ttl: whole seconds between 1 and 604800');
    const sub = opts.sub ?? `cli:${randomBytes(9).toString('base64url')}`;
    const issuer = await TokenIssuer.open(config.DATA_DIR);
    const token = await issuer.sign({ sub, name, room: roomId, role }, ttl);
    audit.append({ at: Date.now(), roomId, actor: 'cli', actorName: 'admin cli', action: 'token.issue', target: sub, detail: { name, role, ttl } });
    return token;
  } finally {
    await close();
  }
}

/** `coderoom user create --email E --name N [--admin]`: creates a local account, returns its id. */
export async function createUser(env: Record<string, string | undefined>, opts: { email: string; name: string; admin?: boolean }, password: string): Promise<string> {
  const email = parse(EmailSchema, opts.email, '--email');
  const displayName = parse(DisplayNameSchema, opts.name, '--name');
  const pw = parse(PasswordSchema, password, 'password (stdin)');
  const hash = await hashPassword(pw);
  const { close, accounts, audit } = await openAdmin(env);
  try {
    const user = await accounts.createUser({ email, displayName, isAdmin: opts.admin === true }, hash);
    if (!user) throw new ConflictError(`an account with email ${email} exists`);
    audit.append({ at: Date.now(), roomId: null, actor: 'cli', actorName: 'admin cli', action: 'user.create', target: `user:${user.id}`, detail: { email, isAdmin: user.isAdmin } });
    return user.id;
  } finally {
    await close();
  }
}

/** `coderoom user reset-password --email E`: sets a new password and revokes every session of the account. */
export async function resetPassword(env: Record<string, string | undefined>, opts: { email: string }, password: string): Promise<void> {
  const email = parse(EmailSchema, opts.email, '--email');
  const pw = parse(PasswordSchema, password, 'password (stdin)');
  const hash = await hashPassword(pw);
  const { close, accounts, audit } = await openAdmin(env);
  try {
    const user = await accounts.getUserByEmail(email);
    if (!user) throw new NotFoundError(`no account with email ${email}`);
    await accounts.setPassword(user.id, hash);
    const revoked = await accounts.revokeSessions(user.id, Date.now());
    audit.append({ at: Date.now(), roomId: null, actor: 'cli', actorName: 'admin cli', action: 'user.password_reset', target: `user:${user.id}`, detail: { email, revokedSessions: revoked } });
  } finally {
    await close();
  }
}

/** `coderoom user list`: one line per account, tab-separated: id, email, display name, `admin`|`user`, created (ISO 8601). */
export async function listUsers(env: Record<string, string | undefined>): Promise<string[]> {
  const { close, accounts } = await openAdmin(env);
  try {
    return (await accounts.listUsers()).map((u) => [u.id, u.email, u.displayName, u.isAdmin ? 'admin' : 'user', new Date(u.createdAt).toISOString()].join('\t'));
  } finally {
    await close();
  }
}

/**
 * `coderoom migrate [--to VERSION]`: brings the database schema up to date (or up to VERSION on
 * PostgreSQL) and says what it did. The hub does the same on start; this runs it ahead of a
 * deployment. Several at once are safe (advisory lock on PostgreSQL, IMMEDIATE transaction on SQLite).
 */
export async function migrate(env: Record<string, string | undefined>, opts: { to?: string }): Promise<string> {
  const config = loadCollabConfig(env);
  if (!config.DATABASE_URL) {
    if (opts.to !== undefined) throw new BadRequestError('--to: only for PostgreSQL (DATABASE_URL)');
    openDatabase(join(config.DATA_DIR, 'coderoom.db'), config.SQLITE_SYNCHRONOUS).close();
    return `sqlite: schema version ${SCHEMA_VERSION}`;
  }
  const target = opts.to === undefined ? PG_SCHEMA_VERSION : Number(opts.to);
  if (!Number.isInteger(target) || target < 1 || target > PG_SCHEMA_VERSION) throw new BadRequestError(`--to: a schema version from 1 to ${PG_SCHEMA_VERSION}`);
  const pool = createPgPool(config.DATABASE_URL, 1);
  try {
    const { from, to } = await migratePostgres(pool, target);
    return from === to ? `postgres: schema version ${to}, up to date` : `postgres: schema version ${from} -> ${to}`;
  } finally {
    await pool.end();
  }
}
