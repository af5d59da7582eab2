import type { IncomingMessage } from 'node:http';
import { OutgoingMessage, type Connection, type Hocuspocus } from '@hocuspocus/server';
import {
  DRIVE_ALL_TERMINALS_GRANT,
  ERRORS,
  ForbiddenError,
  NotFoundError,
  ROOM_PRESETS,
  RoomIdSchema,
  UnauthorizedError,
  parseDocName,
  type AccessClaims,
  type AccessNotice,
  type JoinResponse,
  type Participant,
  type Role,
  type Room,
  type TokenIssuer,
  type TokenVerifier,
  type User,
} from '@coderoom/shared';
import type { AccountsApi } from './AccountsApi.js';
import type { AuditLog } from './AuditLog.js';
import { isReadOnly, type ConnectionContext } from './Authorizer.js';
import type { CollabConfig } from './config.js';
import type { RoomAccessStore } from './RoomAccessStore.js';
import type { RoomStore } from './RoomStore.js';
import { LINK_ROOM_SETTINGS, type RoomSettings, type WorkspaceStore } from './WorkspaceStore.js';
import { bearerToken, readCookie } from './http.js';
import { SESSION_COOKIE } from './AccountsApi.js';

/** Reason a removed participant's sockets are closed with (code FORBIDDEN, 4403). */
export const REMOVED_REASON = 'FORBIDDEN: removed from the room';

/** Who is acting in a room: a token subject and the name shown for it. */
export interface Actor {
  sub: string;
  name: string;
}

/** Called when a host removes a participant, so planes in this process close their sockets. */
export type RemovedListener = (roomId: string, sub: string) => void;
/** Called when a host changes a participant's role, so planes in this process can apply it. */
export type RoleChangedListener = (roomId: string, sub: string, role: Role) => void;

export interface RoomAccessDeps {
  config: CollabConfig;
  rooms: RoomStore;
  workspaces: WorkspaceStore;
  access: RoomAccessStore;
  accountsApi: AccountsApi;
  issuer: TokenIssuer;
  verifier: TokenVerifier;
  hocuspocus: Hocuspocus;
  audit: AuditLog;
}

/** The token subject of an account. */
export function userSub(user: Pick<User, 'id'>): string {
  return `user:${user.id}`;
}

/**
 * Who may do what in a room, and the one place room tokens are issued: every token is recorded
 * as a participant, and its role and grants follow the room kind (PART, TEAM rules). Role
 * changes and removals apply to open document connections at once (PART3, PART4).
 */
export class RoomAccess {
  private readonly removedListeners: RemovedListener[] = [];
  private readonly roleListeners: RoleChangedListener[] = [];

  constructor(private readonly d: RoomAccessDeps) {}

  /** Registers a listener for removals (the hub closes terminals and calls). */
  onRemoved(listener: RemovedListener): void {
    this.removedListeners.push(listener);
  }

  /** Registers a listener for role changes (the hub makes terminal clients take up the new role). */
  onRoleChanged(listener: RoleChangedListener): void {
    this.roleListeners.push(listener);
  }

  /** The room, or NOT_FOUND (also for malformed ids). */
  async room(id: string): Promise<Room> {
    if (!RoomIdSchema.safeParse(id).success) throw new NotFoundError('room not found');
    const room = await this.d.rooms.get(id);
    if (!room) throw new NotFoundError('room not found');
    return room;
  }

  /** A room's settings; rooms made by link have the link defaults. */
  async settings(roomId: string): Promise<RoomSettings> {
    return (await this.d.workspaces.roomSettings(roomId)) ?? LINK_ROOM_SETTINGS;
  }

  /**
   * The signed-in account of a request, or null without a session cookie. A cookie that does
   * not sign in is UNAUTHORIZED. State-changing callers pass the CSRF check in AccountsApi.
   */
  async optionalUser(req: IncomingMessage): Promise<User | null> {
    if (readCookie(req, SESSION_COOKIE) === null) return null;
    return (await this.d.accountsApi.authenticate(req)).user;
  }

  /**
   * Issues a room token to `sub` and records them as a participant. A participant a host
   * removed gets FORBIDDEN; an existing participant keeps the role a host gave them.
   */
  async issue(room: Room, sub: string, name: string, role: Role): Promise<JoinResponse> {
    const p = await this.d.access.upsertParticipant(room.id, { sub, name, role }, Date.now());
    if (p.removedAt !== null) throw new ForbiddenError('you were removed from this room');
    return this.sign(room, p);
  }

  /** Signs a token for a participant as stored (effective role, grants from the room kind). */
  async sign(room: Room, p: Pick<Participant, 'sub' | 'name' | 'role'>): Promise<JoinResponse> {
    const settings = await this.settings(room.id);
    const role = (await this.ownsWorkspace(settings, p.sub)) ? 'host' : p.role;
    const grants = role === 'editor' && ROOM_PRESETS[settings.kind].editorsDriveTerminals ? [DRIVE_ALL_TERMINALS_GRANT] : [];
    const ttl = this.d.config.TOKEN_TTL_SECONDS;
    const token = await this.d.issuer.sign({ sub: p.sub, name: p.name, room: room.id, role, grants }, ttl);
    return { room, token, role, sub: p.sub, expiresAt: Date.now() + ttl * 1000 };
  }

  /**
   * The role `sub` holds now (FORBIDDEN once removed): host for owners of the room's workspace,
   * else the stored participant's role, else the token's own (tokens minted by the CLI have no
   * participant row). Owners are hosts by ownership, never by a stored role, so an owner made a
   * member stops hosting at once.
   */
  async currentRole(roomId: string, sub: string, tokenRole: Role): Promise<Role> {
    const p = await this.d.access.participant(roomId, sub);
    if (p?.removedAt != null) throw new ForbiddenError('you were removed from this room');
    if (await this.ownsWorkspace(await this.settings(roomId), sub)) return 'host';
    return p?.role ?? tokenRole;
  }

  /** Whether `sub` is an account owning the workspace of a room with these settings. */
  async ownsWorkspace(settings: RoomSettings, sub: string): Promise<boolean> {
    if (!settings.workspaceId || !sub.startsWith('user:')) return false;
    return (await this.d.workspaces.role(settings.workspaceId, sub.slice('user:'.length))) === 'owner';
  }

  /**
   * The person making a request about a room: a bearer room token (its current role), or a
   * signed-in account that is a participant, or an owner of the room's workspace (host) or a
   * member of it (the kind's member role). UNAUTHORIZED without either; FORBIDDEN if neither admits.
   */
  async caller(req: IncomingMessage, roomId: string): Promise<Actor & { role: Role }> {
    if (req.headers.authorization !== undefined) {
      const claims: AccessClaims = await this.d.verifier.verify(bearerToken(req));
      if (claims.room !== roomId) throw new ForbiddenError('token is for another room');
      return { sub: claims.sub, name: claims.name, role: await this.currentRole(roomId, claims.sub, claims.role) };
    }
    const user = await this.optionalUser(req);
    if (!user) throw new UnauthorizedError('sign in or send a room token');
    const role = await this.accountRole(roomId, user);
    if (!role) throw new ForbiddenError('you are not in this room');
    return { sub: userSub(user), name: user.displayName, role };
  }

  /** The caller, who must be a host of the room. */
  async host(req: IncomingMessage, roomId: string): Promise<Actor> {
    const c = await this.caller(req, roomId);
    if (c.role !== 'host') throw new ForbiddenError('only hosts may do this');
    return c;
  }

  /**
   * The role an account has in a room without an invite (host for workspace owners, see
   * `currentRole`); null for strangers.
   */
  async accountRole(roomId: string, user: User): Promise<Role | null> {
    const stored = await this.storedAccountRole(roomId, user);
    if (stored === null) return null;
    return this.currentRole(roomId, userSub(user), stored);
  }

  /**
   * The role to record for an account entering a room without an invite: its participant role,
   * else the kind's member role for members and owners (owners host by ownership); null for strangers.
   */
  async storedAccountRole(roomId: string, user: User): Promise<Role | null> {
    const p = await this.d.access.participant(roomId, userSub(user));
    if (p?.removedAt != null) throw new ForbiddenError('you were removed from this room');
    if (p) return p.role;
    const settings = await this.settings(roomId);
    const wsRole = settings.workspaceId ? await this.d.workspaces.role(settings.workspaceId, user.id) : null;
    return wsRole ? ROOM_PRESETS[settings.kind].memberRole : null;
  }

  /**
   * Changes a participant's role and applies it to their open document connections at once:
   * Hocuspocus checks `connection.readOnly` on every incoming update, so a demoted editor's next
   * edit is refused without reconnecting (PART3).
   */
  async changeRole(roomId: string, sub: string, role: Role): Promise<Participant> {
    const p = await this.d.access.setRole(roomId, sub, role);
    if (!p) throw new NotFoundError('participant not found');
    for (const conn of this.connections(roomId, sub)) {
      const ctx = conn.context as ConnectionContext;
      ctx.claims = { ...ctx.claims, role };
      const wasReadOnly = conn.readOnly;
      const kind = parseDocName(conn.document.name)?.kind;
      conn.readOnly = !kind || isReadOnly(kind, role);
      // Tell the client, so its editor follows without waiting for a token refresh.
      conn.sendStateless(JSON.stringify({ type: 'access.role', role } satisfies AccessNotice));
      // Edits refused while read-only are missing here, and later edits build on them: ask the
      // client for everything we lack (SyncStep1), so the next keystroke lands.
      if (wasReadOnly && !conn.readOnly) conn.send(new OutgoingMessage(conn.document.name).createSyncMessage().writeFirstSyncStepFor(conn.document).toUint8Array());
    }
    for (const listener of this.roleListeners) listener(roomId, sub, role);
    return p;
  }

  /**
   * Removes a participant: their document sockets close with 4403 (a reconnect with the old
   * token is refused by the Authorizer), other planes in this process close theirs (PART4).
   */
  async remove(roomId: string, sub: string): Promise<Participant> {
    const p = await this.d.access.remove(roomId, sub, Date.now());
    if (!p) throw new NotFoundError('participant not found');
    for (const conn of this.connections(roomId, sub)) conn.webSocket.close(ERRORS.FORBIDDEN.closeCode, REMOVED_REASON);
    for (const listener of this.removedListeners) listener(roomId, sub);
    return p;
  }

  /** Open document connections of `sub` in the room. */
  private *connections(roomId: string, sub: string): Generator<Connection> {
    for (const doc of this.d.hocuspocus.documents.values()) {
      if (parseDocName(doc.name)?.roomId !== roomId) continue;
      for (const conn of doc.getConnections()) {
        if ((conn.context as Partial<ConnectionContext>).claims?.sub === sub) yield conn;
      }
    }
  }
}
