import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  AcceptInviteRequestSchema,
  AcceptInviteResponseSchema,
  BadRequestError,
  ChangeRoleRequestSchema,
  ConflictError,
  CreateInviteRequestSchema,
  CreateInviteResponseSchema,
  CreateWorkspaceRequestSchema,
  CreateWorkspaceRoomRequestSchema,
  EmptyRequestSchema,
  ForbiddenError,
  GoneError,
  InviteListResponseSchema,
  InvitePreviewResponseSchema,
  JoinResponseSchema,
  LobbyListResponseSchema,
  LobbyPollQuerySchema,
  LobbyPollResponseSchema,
  MemberResponseSchema,
  NotFoundError,
  OpaqueIdSchema,
  ParticipantListResponseSchema,
  ParticipantResponseSchema,
  ROOM_PRESETS,
  RateLimitedError,
  SecretSchema,
  SetMemberRequestSchema,
  SubjectSchema,
  AppError,
  WorkspaceDetailResponseSchema,
  WorkspaceIdSchema,
  WorkspaceListResponseSchema,
  WorkspaceResponseSchema,
  type Invite,
  type LobbyEntry,
  type Role,
  type Room,
  type User,
  type Workspace,
  type WorkspaceRole,
} from '@coderoom/shared';
import type { AccountStore } from './AccountStore.js';
import type { AccountsApi } from './AccountsApi.js';
import type { AuditLog } from './AuditLog.js';
import type { CollabConfig } from './config.js';
import { RateLimiter } from './RateLimiter.js';
import { RoomAccess, userSub, type Actor } from './RoomAccess.js';
import type { InviteRecord, LobbyRecord, RoomAccessStore } from './RoomAccessStore.js';
import type { RoomStore } from './RoomStore.js';
import { roomAccess, type WorkspaceStore } from './WorkspaceStore.js';
import { readJson, readQuery, sendJson, type Router } from './http.js';

/** Bytes of randomness in an invite secret or lobby ticket (256 bits, 43 base64url characters). */
export const SECRET_BYTES = 32;
/** Bytes of randomness in invite and lobby entry ids. */
const ID_BYTES = 12;
/** Invite previews and uses allowed per client IP per window (a class behind one NAT fits). */
export const INVITE_ATTEMPTS_PER_IP = 100;
/** The invite rate-limit window, in ms. */
export const INVITE_WINDOW_MS = 10 * 60 * 1000;

export interface AccessApiDeps {
  config: CollabConfig;
  rooms: RoomStore;
  workspaces: WorkspaceStore;
  access: RoomAccessStore;
  accounts: AccountStore;
  accountsApi: AccountsApi;
  roomAccess: RoomAccess;
  audit: AuditLog;
}

/** SHA-256 of a secret, base64url: what the store keeps instead of the secret. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Roles from least to most rights. */
const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 0, editor: 1, host: 2 };

const newId = (): string => randomBytes(ID_BYTES).toString('base64url');
const newSecret = (): string => randomBytes(SECRET_BYTES).toString('base64url');

function toInvite(i: InviteRecord): Invite {
  const { secretHash: _omit, ...rest } = i;
  return rest;
}

function toLobbyEntry(e: LobbyRecord): LobbyEntry {
  return { id: e.id, sub: e.sub, name: e.name, role: e.role, requestedAt: e.requestedAt, status: e.status };
}

/**
 * Workspaces, invites, the lobby and participants (collab-server/SPEC.md: TEAM, INV, LOBBY,
 * PART rules). Cookie-authenticated calls that change state pass the CSRF check in
 * CollabServer before they get here (SEC10).
 */
export class AccessApi {
  private readonly inviteAttempts = new RateLimiter(INVITE_ATTEMPTS_PER_IP, INVITE_WINDOW_MS);
  /** Lobby decisions, by entry id, for long-polling waiters. */
  private readonly decisions = new EventEmitter().setMaxListeners(0);
  private closed = false;

  constructor(private readonly d: AccessApiDeps) {}

  /** Adds the routes to `router`. */
  mount(router: Router): this {
    router
      .add('POST', '/api/workspaces', (req, res) => this.createWorkspace(req, res), {
        summary: 'Create a workspace; the caller becomes its owner', tag: 'workspaces', auth: 'cookie', body: CreateWorkspaceRequestSchema, response: WorkspaceResponseSchema, status: 201,
      })
      .add('GET', '/api/workspaces', (req, res) => this.listWorkspaces(req, res), {
        summary: "The caller's workspaces", tag: 'workspaces', auth: 'cookie', response: WorkspaceListResponseSchema,
      })
      .add('GET', '/api/workspaces/:id', (req, res, p) => this.getWorkspace(req, res, p.id!), {
        summary: 'A workspace with its members and rooms (members)', tag: 'workspaces', auth: 'cookie', response: WorkspaceDetailResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('POST', '/api/workspaces/:id/members', (req, res, p) => this.setMember(req, res, p.id!), {
        summary: 'Add an account to the workspace or change its role (owners)', tag: 'workspaces', auth: 'cookie', body: SetMemberRequestSchema, response: MemberResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
      })
      .add('POST', '/api/workspaces/:id/members/:userId/remove', (req, res, p) => this.removeMember(req, res, p.id!, p.userId!), {
        summary: 'Remove a member (owners); the last owner cannot be removed', tag: 'workspaces', auth: 'cookie', body: EmptyRequestSchema, response: EmptyRequestSchema, errors: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
      })
      .add('POST', '/api/workspaces/:id/rooms', (req, res, p) => this.createRoom(req, res, p.id!), {
        summary: 'Create a room of a kind in the workspace (members); the caller hosts it', tag: 'workspaces', auth: 'cookie', body: CreateWorkspaceRoomRequestSchema, response: JoinResponseSchema, status: 201, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('POST', '/api/rooms/:id/enter', (req, res, p) => this.enter(req, res, p.id!), {
        summary: 'A room token for a signed-in workspace member or participant', tag: 'rooms', auth: 'cookie', body: EmptyRequestSchema, response: JoinResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('POST', '/api/rooms/:id/invites', (req, res, p) => this.createInvite(req, res, p.id!), {
        summary: 'Make an invite link (hosts); the secret is shown only here', tag: 'invites', auth: 'cookie-or-bearer', body: CreateInviteRequestSchema, response: CreateInviteResponseSchema, status: 201, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('GET', '/api/rooms/:id/invites', (req, res, p) => this.listInvites(req, res, p.id!), {
        summary: "The room's invites (hosts)", tag: 'invites', auth: 'cookie-or-bearer', response: InviteListResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('POST', '/api/rooms/:id/invites/:inviteId/revoke', (req, res, p) => this.revokeInvite(req, res, p.id!, p.inviteId!), {
        summary: 'Revoke an invite (hosts)', tag: 'invites', auth: 'cookie-or-bearer', body: EmptyRequestSchema, response: InviteListResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('GET', '/api/invites/:secret', (req, res, p) => this.previewInvite(req, res, p.secret!), {
        summary: 'What an invite leads to (rate limited per IP)', tag: 'invites', auth: 'none', response: InvitePreviewResponseSchema,
        errors: ['NOT_FOUND', 'INVITE_EXPIRED', 'INVITE_EXHAUSTED', 'INVITE_REVOKED', 'RATE_LIMITED'],
      })
      .add('POST', '/api/invites/:secret/accept', (req, res, p) => this.acceptInvite(req, res, p.secret!), {
        summary: 'Use an invite: a room token (200), or a lobby ticket when the host approves newcomers (202)', tag: 'invites', auth: 'none', body: AcceptInviteRequestSchema, response: AcceptInviteResponseSchema,
        errors: ['NOT_FOUND', 'FORBIDDEN', 'ACCOUNT_REQUIRED', 'INVITE_EXPIRED', 'INVITE_EXHAUSTED', 'INVITE_REVOKED', 'RATE_LIMITED'],
      })
      .add('GET', '/api/lobby/:ticket', (req, res, p) => this.pollLobby(req, res, p.ticket!), {
        summary: "A lobby entry's state; waits up to waitSeconds for the host's decision; admitted entries get a room token", tag: 'lobby', auth: 'none', query: LobbyPollQuerySchema, response: LobbyPollResponseSchema, errors: ['NOT_FOUND', 'FORBIDDEN'],
      })
      .add('GET', '/api/rooms/:id/lobby', (req, res, p) => this.listLobby(req, res, p.id!), {
        summary: 'People waiting in the lobby (hosts)', tag: 'lobby', auth: 'cookie-or-bearer', response: LobbyListResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('POST', '/api/rooms/:id/lobby/:entryId/admit', (req, res, p) => this.decide(req, res, p.id!, p.entryId!, 'admitted'), {
        summary: 'Admit a waiting person (hosts)', tag: 'lobby', auth: 'cookie-or-bearer', body: EmptyRequestSchema, response: LobbyListResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
      })
      .add('POST', '/api/rooms/:id/lobby/:entryId/refuse', (req, res, p) => this.decide(req, res, p.id!, p.entryId!, 'refused'), {
        summary: 'Refuse a waiting person (hosts)', tag: 'lobby', auth: 'cookie-or-bearer', body: EmptyRequestSchema, response: LobbyListResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
      })
      .add('GET', '/api/rooms/:id/participants', (req, res, p) => this.listParticipants(req, res, p.id!), {
        summary: 'Everyone given a token to the room (any participant)', tag: 'participants', auth: 'cookie-or-bearer', response: ParticipantListResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('POST', '/api/rooms/:id/participants/:sub/role', (req, res, p) => this.changeRole(req, res, p.id!, p.sub!), {
        summary: "Change a participant's role (hosts); open connections follow at once", tag: 'participants', auth: 'cookie-or-bearer', body: ChangeRoleRequestSchema, response: ParticipantResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
      })
      .add('POST', '/api/rooms/:id/participants/:sub/remove', (req, res, p) => this.removeParticipant(req, res, p.id!, p.sub!), {
        summary: 'Remove a participant (hosts): their sockets close and their token stops refreshing', tag: 'participants', auth: 'cookie-or-bearer', body: EmptyRequestSchema, response: ParticipantResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
      });
    return this;
  }

  /** Wakes every long-polling lobby waiter (shutdown). */
  close(): void {
    this.closed = true;
    this.decisions.emit('close');
  }

  private audit(actor: Actor | null, roomId: string | null, action: string, target: string | null, detail: Record<string, unknown> | null = null, workspaceId?: string): void {
    this.d.audit.append({ at: Date.now(), roomId, workspaceId, actor: actor?.sub ?? 'anonymous', actorName: actor?.name ?? '', action, target, detail });
  }

  private async user(req: IncomingMessage): Promise<User> {
    return (await this.d.accountsApi.authenticate(req)).user;
  }

  /** The workspace and the caller's role in it; FORBIDDEN for non-members, NOT_FOUND for unknown ids. */
  private async workspace(id: string, user: User, need: WorkspaceRole = 'member'): Promise<{ workspace: Workspace; role: WorkspaceRole }> {
    const workspace = WorkspaceIdSchema.safeParse(id).success ? await this.d.workspaces.get(id) : null;
    if (!workspace) throw new NotFoundError('workspace not found');
    const role = await this.d.workspaces.role(id, user.id);
    if (!role) throw new ForbiddenError('you are not a member of this workspace');
    if (need === 'owner' && role !== 'owner') throw new ForbiddenError('only owners may do this');
    return { workspace, role };
  }

  private async createWorkspace(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const user = await this.user(req);
    const { name } = await readJson(req, CreateWorkspaceRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const workspace = await this.d.workspaces.create(name, user.id, Date.now());
    this.audit({ sub: userSub(user), name: user.displayName }, null, 'workspace.create', workspace.id, { name }, workspace.id);
    sendJson(res, 201, { workspace, role: 'owner' });
  }

  private async listWorkspaces(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const user = await this.user(req);
    sendJson(res, 200, { workspaces: await this.d.workspaces.listForUser(user.id) });
  }

  private async getWorkspace(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const user = await this.user(req);
    const { workspace, role } = await this.workspace(id, user);
    const members = [];
    for (const m of await this.d.workspaces.members(id)) {
      const account = await this.d.accounts.getUser(m.userId);
      if (account) members.push({ userId: m.userId, email: account.email, displayName: account.displayName, role: m.role, addedAt: m.addedAt });
    }
    const rooms = [];
    for (const roomId of await this.d.workspaces.rooms(id)) {
      const room = await this.d.rooms.get(roomId);
      if (room) rooms.push({ ...room, access: roomAccess(await this.d.roomAccess.settings(roomId)) });
    }
    sendJson(res, 200, { workspace, role, members, rooms });
  }

  private async setMember(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const user = await this.user(req);
    await this.workspace(id, user, 'owner');
    const body = await readJson(req, SetMemberRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const account = await this.d.accounts.getUserByEmail(body.email);
    if (!account) throw new NotFoundError('no account with this email');
    const now = Date.now();
    if (!(await this.d.workspaces.setMember(id, account.id, body.role, now))) throw new ConflictError('a workspace needs at least one owner');
    this.audit({ sub: userSub(user), name: user.displayName }, null, 'workspace.member_set', userSub(account), { role: body.role }, id);
    const role = (await this.d.workspaces.members(id)).find((m) => m.userId === account.id)!;
    sendJson(res, 200, { member: { userId: account.id, email: account.email, displayName: account.displayName, role: role.role, addedAt: role.addedAt } });
  }

  private async removeMember(req: IncomingMessage, res: ServerResponse, id: string, userId: string): Promise<void> {
    const user = await this.user(req);
    await this.workspace(id, user, 'owner');
    await readJson(req, EmptyRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    if (!OpaqueIdSchema.safeParse(userId).success || !(await this.d.workspaces.role(id, userId))) throw new NotFoundError('not a member');
    if (!(await this.d.workspaces.removeMember(id, userId))) throw new ConflictError('a workspace needs at least one owner');
    const actor = { sub: userSub(user), name: user.displayName };
    this.audit(actor, null, 'workspace.member_remove', `user:${userId}`, null, id);
    // Leaving the team leaves its rooms: their sockets close and their tokens stop refreshing (TEAM4).
    for (const roomId of await this.d.workspaces.rooms(id)) {
      const p = await this.d.access.participant(roomId, `user:${userId}`);
      if (!p || p.removedAt !== null) continue;
      await this.d.roomAccess.remove(roomId, p.sub);
      this.audit(actor, roomId, 'participant.remove', p.sub, { reason: 'workspace.member_remove' });
    }
    sendJson(res, 200, {});
  }

  private async createRoom(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const user = await this.user(req);
    await this.workspace(id, user);
    const body = await readJson(req, CreateWorkspaceRoomRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const room = await this.d.rooms.create(body.name);
    const settings = { workspaceId: id, kind: body.kind, requireApproval: body.requireApproval };
    await this.d.workspaces.setRoomSettings(room.id, settings);
    const actor = { sub: userSub(user), name: user.displayName };
    const out = await this.d.roomAccess.issue(room, actor.sub, actor.name, 'host');
    this.audit(actor, room.id, 'room.create', room.id, { name: room.name, kind: body.kind, requireApproval: body.requireApproval });
    sendJson(res, 201, { ...out, access: roomAccess(settings) });
  }

  private async enter(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const room = await this.d.roomAccess.room(id);
    const user = await this.user(req);
    await readJson(req, EmptyRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const stored = await this.d.roomAccess.storedAccountRole(id, user);
    if (!stored) throw new ForbiddenError('you need an invite to this room');
    const out = await this.d.roomAccess.issue(room, userSub(user), user.displayName, stored);
    this.audit({ sub: out.sub, name: user.displayName }, id, 'room.join', id, { role: out.role, via: 'workspace' });
    sendJson(res, 200, out);
  }

  private async createInvite(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await this.d.roomAccess.room(id);
    const host = await this.d.roomAccess.host(req, id);
    const body = await readJson(req, CreateInviteRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const role: Role = body.role ?? ROOM_PRESETS[(await this.d.roomAccess.settings(id)).kind].inviteRole;
    const secret = newSecret();
    const now = Date.now();
    const invite: InviteRecord = {
      id: newId(), secretHash: secretHash(secret), roomId: id, role, createdAt: now, createdBy: host.sub,
      expiresAt: now + body.expiresInSeconds * 1000, maxUses: body.maxUses, uses: 0, allowGuests: body.allowGuests, revokedAt: null,
    };
    await this.d.access.createInvite(invite);
    this.audit(host, id, 'invite.create', invite.id, { role, expiresAt: invite.expiresAt, maxUses: invite.maxUses, allowGuests: invite.allowGuests });
    sendJson(res, 201, { invite: toInvite(invite), secret, path: `/invite/${secret}` });
  }

  private async listInvites(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await this.d.roomAccess.room(id);
    await this.d.roomAccess.host(req, id);
    sendJson(res, 200, { invites: (await this.d.access.invites(id)).map(toInvite) });
  }

  private async revokeInvite(req: IncomingMessage, res: ServerResponse, id: string, inviteId: string): Promise<void> {
    await this.d.roomAccess.room(id);
    const host = await this.d.roomAccess.host(req, id);
    await readJson(req, EmptyRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    if (!(await this.d.access.revokeInvite(id, inviteId, Date.now()))) throw new NotFoundError('invite not found or already revoked');
    this.audit(host, id, 'invite.revoke', inviteId);
    sendJson(res, 200, { invites: (await this.d.access.invites(id)).map(toInvite) });
  }

  /** Counts an invite attempt for the client's IP; RATE_LIMITED past INVITE_ATTEMPTS_PER_IP (INV6). */
  private limit(req: IncomingMessage): void {
    const ip = req.socket.remoteAddress ?? 'unknown';
    if (this.inviteAttempts.isLimited(ip)) throw new RateLimitedError('too many invite attempts; try again later');
    this.inviteAttempts.hit(ip);
  }

  /** The live invite for a secret, or the documented error (INV3). */
  private async liveInvite(secret: string): Promise<InviteRecord> {
    const invite = SecretSchema.safeParse(secret).success ? await this.d.access.inviteBySecret(secretHash(secret)) : null;
    if (!invite) throw new NotFoundError('invite not found');
    if (invite.revokedAt !== null) throw new GoneError('INVITE_REVOKED', 'this invite was revoked');
    if (invite.expiresAt <= Date.now()) throw new GoneError('INVITE_EXPIRED', 'this invite has expired');
    if (invite.uses >= invite.maxUses) throw new GoneError('INVITE_EXHAUSTED', 'this invite has been used up');
    return invite;
  }

  private async previewInvite(req: IncomingMessage, res: ServerResponse, secret: string): Promise<void> {
    this.limit(req);
    const invite = await this.liveInvite(secret);
    const room = await this.d.roomAccess.room(invite.roomId);
    const settings = await this.d.roomAccess.settings(room.id);
    sendJson(res, 200, { room: { id: room.id, name: room.name }, kind: settings.kind, role: invite.role, allowGuests: invite.allowGuests, requireApproval: settings.requireApproval, expiresAt: invite.expiresAt });
  }

  private async acceptInvite(req: IncomingMessage, res: ServerResponse, secret: string): Promise<void> {
    this.limit(req);
    const body = await readJson(req, AcceptInviteRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const invite = await this.liveInvite(secret);
    const room = await this.d.roomAccess.room(invite.roomId);
    const user = await this.d.roomAccess.optionalUser(req);
    if (!user && !invite.allowGuests) throw new AppError('ACCOUNT_REQUIRED', 'this invite is for signed-in accounts; sign in first');
    if (!user && body.displayName === undefined) throw new BadRequestError('displayName: required for guests');
    const who: Actor = user ? { sub: userSub(user), name: user.displayName } : { sub: body.sub ?? `guest:${randomBytes(12).toString('base64url')}`, name: body.displayName! };
    const existing = await this.d.access.participant(room.id, who.sub);
    if (existing?.removedAt != null) throw new ForbiddenError('you were removed from this room');
    const used = await this.d.access.useInvite(invite.secretHash, Date.now());
    if (typeof used === 'string') {
      if (used === 'missing') throw new NotFoundError('invite not found');
      throw new GoneError(used === 'revoked' ? 'INVITE_REVOKED' : used === 'expired' ? 'INVITE_EXPIRED' : 'INVITE_EXHAUSTED', `this invite is ${used}`);
    }
    this.audit(who, room.id, 'invite.use', invite.id, { role: invite.role, uses: used.uses, account: user !== null });
    const settings = await this.d.roomAccess.settings(room.id);
    if (settings.requireApproval && !existing) {
      const ticket = newSecret();
      const entry = { id: newId(), ticketHash: secretHash(ticket), roomId: room.id, inviteId: invite.id, sub: who.sub, name: who.name, role: invite.role, requestedAt: Date.now() };
      await this.d.access.createLobbyEntry(entry);
      this.audit(who, room.id, 'lobby.wait', entry.id, { role: invite.role });
      sendJson(res, 202, { status: 'waiting', lobby: { id: entry.id, ticket, path: `/api/lobby/${ticket}` } });
      return;
    }
    // An invite never lowers the role someone already holds in the room.
    const role = existing && ROLE_RANK[existing.role] > ROLE_RANK[invite.role] ? existing.role : invite.role;
    const out = await this.d.roomAccess.issue(room, who.sub, who.name, role);
    this.audit(who, room.id, 'room.join', room.id, { role: out.role, via: 'invite', invite: invite.id });
    sendJson(res, 200, { status: 'joined', ...out });
  }

  private async pollLobby(req: IncomingMessage, res: ServerResponse, ticket: string): Promise<void> {
    const { waitSeconds } = readQuery(req, LobbyPollQuerySchema);
    const hash = SecretSchema.safeParse(ticket).success ? secretHash(ticket) : null;
    let entry = hash ? await this.d.access.lobbyEntryByTicket(hash) : null;
    if (!entry || !hash) throw new NotFoundError('lobby entry not found');
    if (entry.status === 'waiting' && waitSeconds > 0 && !this.closed) {
      await this.waitForDecision(entry.id, waitSeconds * 1000, res);
      entry = (await this.d.access.lobbyEntryByTicket(hash))!;
    }
    if (entry.status !== 'admitted') return sendJson(res, 200, { status: entry.status });
    const room: Room = await this.d.roomAccess.room(entry.roomId);
    const p = await this.d.access.participant(room.id, entry.sub);
    if (!p || p.removedAt !== null) throw new ForbiddenError('you were removed from this room');
    sendJson(res, 200, { status: 'admitted', ...(await this.d.roomAccess.sign(room, p)) });
  }

  /** Resolves when entry `id` is decided, after `ms`, when the client goes away, or at shutdown. */
  private waitForDecision(id: string, ms: number, res: ServerResponse): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.decisions.off(id, done);
        this.decisions.off('close', done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.decisions.once(id, done);
      this.decisions.once('close', done);
      res.once('close', done);
    });
  }

  private async listLobby(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await this.d.roomAccess.room(id);
    await this.d.roomAccess.host(req, id);
    sendJson(res, 200, { waiting: (await this.d.access.waiting(id)).map(toLobbyEntry) });
  }

  private async decide(req: IncomingMessage, res: ServerResponse, id: string, entryId: string, status: 'admitted' | 'refused'): Promise<void> {
    await this.d.roomAccess.room(id);
    const host = await this.d.roomAccess.host(req, id);
    await readJson(req, EmptyRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const before = OpaqueIdSchema.safeParse(entryId).success ? await this.d.access.lobbyEntry(id, entryId) : null;
    if (!before) throw new NotFoundError('lobby entry not found');
    const entry = await this.d.access.decide(id, entryId, status, host.sub, Date.now());
    if (!entry) throw new ConflictError(`already ${before.status}`);
    if (status === 'admitted') await this.d.access.upsertParticipant(id, { sub: entry.sub, name: entry.name, role: entry.role }, Date.now());
    this.audit(host, id, status === 'admitted' ? 'lobby.admit' : 'lobby.refuse', entry.sub, { entry: entry.id, name: entry.name, role: entry.role });
    if (status === 'admitted') this.audit({ sub: entry.sub, name: entry.name }, id, 'room.join', id, { role: entry.role, via: 'lobby', admittedBy: host.sub });
    this.decisions.emit(entry.id);
    sendJson(res, 200, { waiting: (await this.d.access.waiting(id)).map(toLobbyEntry) });
  }

  private async listParticipants(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await this.d.roomAccess.room(id);
    await this.d.roomAccess.caller(req, id);
    sendJson(res, 200, { participants: await this.d.access.participants(id) });
  }

  private async target(id: string, sub: string, host: Actor): Promise<void> {
    if (!SubjectSchema.safeParse(sub).success || !(await this.d.access.participant(id, sub))) throw new NotFoundError('participant not found');
    if (sub === host.sub) throw new ConflictError('hosts cannot change or remove themselves');
    if (await this.d.roomAccess.ownsWorkspace(await this.d.roomAccess.settings(id), sub)) throw new ConflictError('workspace owners host every room of it');
  }

  private async changeRole(req: IncomingMessage, res: ServerResponse, id: string, sub: string): Promise<void> {
    await this.d.roomAccess.room(id);
    const host = await this.d.roomAccess.host(req, id);
    const { role } = await readJson(req, ChangeRoleRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    await this.target(id, sub, host);
    const before = (await this.d.access.participant(id, sub))!;
    const participant = await this.d.roomAccess.changeRole(id, sub, role);
    this.audit(host, id, 'participant.role', sub, { from: before.role, to: role, restored: before.removedAt !== null });
    sendJson(res, 200, { participant });
  }

  private async removeParticipant(req: IncomingMessage, res: ServerResponse, id: string, sub: string): Promise<void> {
    await this.d.roomAccess.room(id);
    const host = await this.d.roomAccess.host(req, id);
    await readJson(req, EmptyRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    await this.target(id, sub, host);
    const participant = await this.d.roomAccess.remove(id, sub);
    this.audit(host, id, 'participant.remove', sub);
    sendJson(res, 200, { participant });
  }
}
