import { join } from 'node:path';
import { openDatabase, SqliteAuditLog, SqliteRoomStore, loadCollabConfig } from '@coderoom/collab-server';
import { RoleSchema, RoomNameSchema, RoomIdSchema, DisplayNameSchema, TokenIssuer, BadRequestError, NotFoundError, type Role } from '@coderoom/shared';
import { randomBytes } from 'node:crypto';

/** Opens the hub's database directly: works whether or not a hub runs on the same DATA_DIR (SQLite WAL). */
function openAdmin(env: Record<string, string | undefined>) {
  const config = loadCollabConfig(env);
  const db = openDatabase(join(config.DATA_DIR, 'coderoom.db'), config.SQLITE_SYNCHRONOUS);
  return { config, db, rooms: new SqliteRoomStore(db), audit: new SqliteAuditLog(db) };
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
