import { join } from 'node:path';
import { hashPassword, openDatabase, SqliteAccountStore, SqliteAuditLog, SqliteRoomStore, loadCollabConfig } from '@coderoom/collab-server';
import { RoleSchema, RoomNameSchema, RoomIdSchema, DisplayNameSchema, EmailSchema, PasswordSchema, TokenIssuer, BadRequestError, ConflictError, NotFoundError, type Role } from '@coderoom/shared';
import { randomBytes } from 'node:crypto';

/** Opens the hub's database directly: works whether or not a hub runs on the same DATA_DIR (SQLite WAL). */
function openAdmin(env: Record<string, string | undefined>) {
  const config = loadCollabConfig(env);
  const db = openDatabase(join(config.DATA_DIR, 'coderoom.db'), config.SQLITE_SYNCHRONOUS);
  return { config, db, rooms: new SqliteRoomStore(db), accounts: new SqliteAccountStore(db), audit: new SqliteAuditLog(db) };
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new BadRequestError(`${what}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

/** `coderoom room create --name NAME`: creates a room, returns its id. */
export async function createRoom(env: Record<string, string | undefined>, name: string): Promise<string> {
  const roomName = parse(RoomNameSchema, name, '--name');
  const { db, rooms, audit } = openAdmin(env);
  try {
    const room = await rooms.create(roomName);
    audit.append({ at: Date.now(), roomId: room.id, actor: 'cli', actorName: 'admin cli', action: 'room.create', target: room.id, detail: { name: roomName } });
    return room.id;
  } finally {
    db.close();
  }
}

/** `coderoom token --room ID --name NAME --role ROLE`: mints an access token. */
export async function mintToken(env: Record<string, string | undefined>, opts: { room: string; name: string; role: string; ttl?: string; sub?: string }): Promise<string> {
  const roomId = parse(RoomIdSchema, opts.room, '--room');
  const name = parse(DisplayNameSchema, opts.name, '--name');
  const role: Role = parse(RoleSchema, opts.role, '--role');
  const { config, db, rooms, audit } = openAdmin(env);
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
    db.close();
  }
}

/** `coderoom user create --email E --name N [--admin]`: creates a local account, returns its id. */
export async function createUser(env: Record<string, string | undefined>, opts: { email: string; name: string; admin?: boolean }, password: string): Promise<string> {
  const email = parse(EmailSchema, opts.email, '--email');
  const displayName = parse(DisplayNameSchema, opts.name, '--name');
  const pw = parse(PasswordSchema, password, 'password (stdin)');
  const hash = await hashPassword(pw);
  const { db, accounts, audit } = openAdmin(env);
  try {
    const user = await accounts.createUser({ email, displayName, isAdmin: opts.admin === true }, hash);
    if (!user) throw new ConflictError(`an account with email ${email} exists`);
    audit.append({ at: Date.now(), roomId: null, actor: 'cli', actorName: 'admin cli', action: 'user.create', target: `user:${user.id}`, detail: { email, isAdmin: user.isAdmin } });
    return user.id;
  } finally {
    db.close();
  }
}

/** `coderoom user reset-password --email E`: sets a new password and revokes every session of the account. */
export async function resetPassword(env: Record<string, string | undefined>, opts: { email: string }, password: string): Promise<void> {
  const email = parse(EmailSchema, opts.email, '--email');
  const pw = parse(PasswordSchema, password, 'password (stdin)');
  const hash = await hashPassword(pw);
  const { db, accounts, audit } = openAdmin(env);
  try {
    const user = await accounts.getUserByEmail(email);
    if (!user) throw new NotFoundError(`no account with email ${email}`);
    await accounts.setPassword(user.id, hash);
    const revoked = await accounts.revokeSessions(user.id, Date.now());
    audit.append({ at: Date.now(), roomId: null, actor: 'cli', actorName: 'admin cli', action: 'user.password_reset', target: `user:${user.id}`, detail: { email, revokedSessions: revoked } });
  } finally {
    db.close();
  }
}

/** `coderoom user list`: one line per account, tab-separated: id, email, display name, `admin`|`user`, created (ISO 8601). */
export async function listUsers(env: Record<string, string | undefined>): Promise<string[]> {
  const { db, accounts } = openAdmin(env);
  try {
    return (await accounts.listUsers()).map((u) => [u.id, u.email, u.displayName, u.isAdmin ? 'admin' : 'user', new Date(u.createdAt).toISOString()].join('\t'));
  } finally {
    db.close();
  }
}
