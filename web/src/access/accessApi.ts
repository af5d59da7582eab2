import {
  AcceptInviteResponseSchema,
  AuditListResponseSchema,
  AuthUserResponseSchema,
  CreateInviteResponseSchema,
  InviteListResponseSchema,
  InvitePreviewResponseSchema,
  JoinResponseSchema,
  LobbyListResponseSchema,
  LobbyPollResponseSchema,
  MemberResponseSchema,
  ParticipantListResponseSchema,
  ParticipantResponseSchema,
  SessionListResponseSchema,
  WorkspaceDetailResponseSchema,
  WorkspaceListResponseSchema,
  WorkspaceResponseSchema,
  type CreateInviteRequest,
  type CreateWorkspaceRoomRequest,
  type Role,
  type User,
  type WorkspaceRole,
} from '@coderoom/shared/client';
import { z } from 'zod';
import { ApiError, call } from '../api';

// REST calls of issue 5 (teams and access). Cookie routes need nothing extra (same-origin fetch
// sends the session cookie); room routes also take the room token (`token`), so a guest host works.

const Empty = z.unknown();
const enc = encodeURIComponent;

/** The signed-in account, or null when there is none. */
export async function me(): Promise<User | null> {
  try {
    return (await call(AuthUserResponseSchema, 'GET', '/api/auth/me')).user;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHORIZED') return null;
    throw err;
  }
}

export const signUp = async (body: { email: string; password: string; displayName: string }): Promise<User> => (await call(AuthUserResponseSchema, 'POST', '/api/auth/signup', body)).user;
export const signIn = async (body: { email: string; password: string }): Promise<User> => (await call(AuthUserResponseSchema, 'POST', '/api/auth/signin', body)).user;
export const signOut = (): Promise<unknown> => call(Empty, 'POST', '/api/auth/signout', {});
export const changePassword = (body: { currentPassword: string; newPassword: string }) => call(z.object({ revokedSessions: z.number() }), 'POST', '/api/auth/password', body);
export const listSessions = async () => (await call(SessionListResponseSchema, 'GET', '/api/auth/sessions')).sessions;
export const revokeSession = (id: string): Promise<unknown> => call(Empty, 'POST', `/api/auth/sessions/${enc(id)}/revoke`, {});

export const listWorkspaces = async () => (await call(WorkspaceListResponseSchema, 'GET', '/api/workspaces')).workspaces;
export const createWorkspace = (name: string) => call(WorkspaceResponseSchema, 'POST', '/api/workspaces', { name });
export const getWorkspace = (id: string) => call(WorkspaceDetailResponseSchema, 'GET', `/api/workspaces/${enc(id)}`);
export const setMember = (id: string, email: string, role: WorkspaceRole) => call(MemberResponseSchema, 'POST', `/api/workspaces/${enc(id)}/members`, { email, role });
export const removeMember = (id: string, userId: string): Promise<unknown> => call(Empty, 'POST', `/api/workspaces/${enc(id)}/members/${enc(userId)}/remove`, {});
export const createWorkspaceRoom = (id: string, body: CreateWorkspaceRoomRequest) => call(JoinResponseSchema, 'POST', `/api/workspaces/${enc(id)}/rooms`, body);
export const enterRoom = (roomId: string) => call(JoinResponseSchema, 'POST', `/api/rooms/${enc(roomId)}/enter`, {});

export const createInvite = (roomId: string, body: CreateInviteRequest, token?: string) => call(CreateInviteResponseSchema, 'POST', `/api/rooms/${enc(roomId)}/invites`, body, token);
export const listInvites = async (roomId: string, token?: string) => (await call(InviteListResponseSchema, 'GET', `/api/rooms/${enc(roomId)}/invites`, undefined, token)).invites;
export const revokeInvite = async (roomId: string, inviteId: string, token?: string) => (await call(InviteListResponseSchema, 'POST', `/api/rooms/${enc(roomId)}/invites/${enc(inviteId)}/revoke`, {}, token)).invites;

export const previewInvite = (secret: string) => call(InvitePreviewResponseSchema, 'GET', `/api/invites/${enc(secret)}`);
export const acceptInvite = (secret: string, body: { displayName?: string; sub?: string }) => call(AcceptInviteResponseSchema, 'POST', `/api/invites/${enc(secret)}/accept`, body);
export const pollLobby = (ticket: string, waitSeconds: number) => call(LobbyPollResponseSchema, 'GET', `/api/lobby/${enc(ticket)}?waitSeconds=${waitSeconds}`);

export const listLobby = async (roomId: string, token: string) => (await call(LobbyListResponseSchema, 'GET', `/api/rooms/${enc(roomId)}/lobby`, undefined, token)).waiting;
export const decideLobby = async (roomId: string, entryId: string, decision: 'admit' | 'refuse', token: string) =>
  (await call(LobbyListResponseSchema, 'POST', `/api/rooms/${enc(roomId)}/lobby/${enc(entryId)}/${decision}`, {}, token)).waiting;
export const listParticipants = async (roomId: string, token: string) => (await call(ParticipantListResponseSchema, 'GET', `/api/rooms/${enc(roomId)}/participants`, undefined, token)).participants;
export const changeRole = (roomId: string, sub: string, role: Role, token: string) => call(ParticipantResponseSchema, 'POST', `/api/rooms/${enc(roomId)}/participants/${enc(sub)}/role`, { role }, token);
export const removeParticipant = (roomId: string, sub: string, token: string) => call(ParticipantResponseSchema, 'POST', `/api/rooms/${enc(roomId)}/participants/${enc(sub)}/remove`, {}, token);

/** Which audit log: a room's (hosts, by room token), a workspace's (owners) or the whole (the admin). */
export type AuditScope = { kind: 'room'; roomId: string; token: () => Promise<string> } | { kind: 'workspace'; workspaceId: string } | { kind: 'all' };
export interface AuditFilters {
  from?: number;
  to?: number;
  actor?: string;
  action?: string;
}

function auditUrl(scope: AuditScope, f: AuditFilters, format: 'json' | 'csv' | 'jsonl'): string {
  const base = scope.kind === 'room' ? `/api/rooms/${enc(scope.roomId)}/audit` : scope.kind === 'workspace' ? `/api/workspaces/${enc(scope.workspaceId)}/audit` : '/api/audit';
  const q = new URLSearchParams({ format });
  if (f.from !== undefined) q.set('from', String(f.from));
  if (f.to !== undefined) q.set('to', String(f.to));
  if (f.actor) q.set('actor', f.actor);
  if (f.action) q.set('action', f.action);
  if (format === 'json') q.set('limit', '500');
  return `${base}?${q}`;
}

export async function listAudit(scope: AuditScope, f: AuditFilters) {
  const token = scope.kind === 'room' ? await scope.token() : undefined;
  return (await call(AuditListResponseSchema, 'GET', auditUrl(scope, f, 'json'), undefined, token)).entries;
}

/** Downloads an export (CSV or JSON Lines) as a file. */
export async function downloadAudit(scope: AuditScope, f: AuditFilters, format: 'csv' | 'jsonl'): Promise<void> {
  const headers: Record<string, string> = {};
  if (scope.kind === 'room') headers.authorization = `Bearer ${await scope.token()}`;
  let res: Response;
  try {
    res = await fetch(auditUrl(scope, f, format), { headers });
  } catch {
    throw new ApiError('NETWORK', 0, 'network');
  }
  if (!res.ok) throw new ApiError(res.status === 403 ? 'FORBIDDEN' : 'INTERNAL', res.status, `${res.status}`);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `coderoom-audit.${format}`;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
