import { z } from 'zod';
import { DisplayNameSchema, nameSchema } from '../names.js';
import { RoleSchema } from '../roles.js';
import { RoomIdSchema } from '../ids.js';
import { JoinResponseSchema, RoomNameSchema, RoomSchema } from './control.js';
import { EmailSchema } from './accounts.js';

/**
 * Teams and access (issue 5): workspaces, room kinds, invites, the lobby, participants and the
 * audit log. Request schemas are strict (unknown fields are refused); the REST routes are listed
 * in collab-server/SPEC.md (TEAM, INV, LOBBY, PART, AUDIT rules) and in /api/openapi.json.
 */

/** Longest workspace name, in characters. */
export const MAX_WORKSPACE_NAME_CHARS = 100;
/** Shortest and longest invite lifetime, in seconds (one minute to 30 days). */
export const MIN_INVITE_TTL_SECONDS = 60;
export const MAX_INVITE_TTL_SECONDS = 30 * 24 * 3600;
/** Most uses one invite may allow. */
export const MAX_INVITE_USES = 1000;
/** Longest a lobby status request waits for the host's decision, in seconds. */
export const MAX_LOBBY_WAIT_SECONDS = 30;
/** Most audit rows one request returns (exports stream up to this many too). */
export const MAX_AUDIT_ROWS = 100_000;

/** A member's role in a workspace: owners manage members and rooms and host every room. */
export const WorkspaceRoleSchema = z.enum(['owner', 'member']);
export type WorkspaceRole = z.infer<typeof WorkspaceRoleSchema>;

/**
 * A room's kind, a preset of defaults (`ROOM_PRESETS`): `review` (everyone edits),
 * `pairing` (everyone edits and drives every terminal), `class` (watchers are read-only, the host
 * holds terminal control).
 */
export const RoomKindSchema = z.enum(['review', 'pairing', 'class']);
export type RoomKind = z.infer<typeof RoomKindSchema>;

/** What a room kind implies for the people in it. */
export interface RoomPreset {
  /** Role of workspace members (not owners) who open the room. */
  memberRole: Exclude<z.infer<typeof RoleSchema>, 'host'>;
  /** Role an invite gets when the request names none. */
  inviteRole: Exclude<z.infer<typeof RoleSchema>, 'host'>;
  /** Whether editors get `terminal:*:drive` (write to every terminal of the room). */
  editorsDriveTerminals: boolean;
}

/** The presets; hosts always drive every terminal (pty-gateway). */
export const ROOM_PRESETS: Readonly<Record<RoomKind, RoomPreset>> = {
  review: { memberRole: 'editor', inviteRole: 'editor', editorsDriveTerminals: false },
  pairing: { memberRole: 'editor', inviteRole: 'editor', editorsDriveTerminals: true },
  class: { memberRole: 'viewer', inviteRole: 'viewer', editorsDriveTerminals: false },
};

/** The grant that lets a token write to every terminal of its room (pty-gateway reads it). */
export const DRIVE_ALL_TERMINALS_GRANT = 'terminal:*:drive';

/** A workspace id (16 base64url characters). */
export const WorkspaceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{10,40}$/, 'invalid workspace id');
/** An invite, lobby entry or user id in a path. */
export const OpaqueIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'invalid id');
/** An invite secret or lobby ticket: 22 to 64 base64url characters (at least 128 bits). */
export const SecretSchema = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, 'invalid secret');
/** A participant's subject: `user:<id>` for accounts, `guest:<random>` for guests. */
export const SubjectSchema = z.string().regex(/^(user|guest):[A-Za-z0-9_-]{8,64}$/, 'invalid subject');

/** A workspace as the API shows it. */
export const WorkspaceSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.number() });
export type Workspace = z.infer<typeof WorkspaceSchema>;

/** A workspace member as the API shows it. */
export const WorkspaceMemberSchema = z.object({ userId: z.string(), email: z.string(), displayName: z.string(), role: WorkspaceRoleSchema, addedAt: z.number() });
export type WorkspaceMember = z.infer<typeof WorkspaceMemberSchema>;

/** How a room is entered: its workspace (null for rooms made by link), kind and whether the host approves each newcomer. */
export const RoomAccessSchema = z.object({ workspaceId: z.string().nullable(), kind: RoomKindSchema, requireApproval: z.boolean(), joinByLink: z.boolean() });
export type RoomAccess = z.infer<typeof RoomAccessSchema>;

/** POST /api/workspaces: create a workspace; the caller becomes its owner. */
export const CreateWorkspaceRequestSchema = z.object({ name: nameSchema(MAX_WORKSPACE_NAME_CHARS) }).strict();
/** Answer of POST /api/workspaces. */
export const WorkspaceResponseSchema = z.object({ workspace: WorkspaceSchema, role: WorkspaceRoleSchema });
/** Answer of GET /api/workspaces: the caller's workspaces with their role in each. */
export const WorkspaceListResponseSchema = z.object({ workspaces: z.array(WorkspaceSchema.extend({ role: WorkspaceRoleSchema })) });
/** Answer of GET /api/workspaces/:id. */
export const WorkspaceDetailResponseSchema = z.object({
  workspace: WorkspaceSchema,
  role: WorkspaceRoleSchema,
  members: z.array(WorkspaceMemberSchema),
  rooms: z.array(RoomSchema.extend({ access: RoomAccessSchema })),
});

/** POST /api/workspaces/:id/members: add an existing account (by email) or change its role. */
export const SetMemberRequestSchema = z.object({ email: EmailSchema, role: WorkspaceRoleSchema }).strict();
/** Answer of POST /api/workspaces/:id/members. */
export const MemberResponseSchema = z.object({ member: WorkspaceMemberSchema });

/** POST /api/workspaces/:id/rooms: create a room of a kind in the workspace; the caller hosts it. */
export const CreateWorkspaceRoomRequestSchema = z
  .object({ name: RoomNameSchema, kind: RoomKindSchema, requireApproval: z.boolean().default(false) })
  .strict();
export type CreateWorkspaceRoomRequest = z.infer<typeof CreateWorkspaceRoomRequestSchema>;

/** Answer of GET /api/rooms/:id. */
export const RoomResponseSchema = z.object({ room: RoomSchema, access: RoomAccessSchema });

/** POST /api/rooms/:id/invites: make an invite link to the room (hosts). */
export const CreateInviteRequestSchema = z
  .object({
    /** Role of whoever uses it; the room kind's `inviteRole` when absent. */
    role: RoleSchema.optional(),
    /** Lifetime in seconds. */
    expiresInSeconds: z.number().int().min(MIN_INVITE_TTL_SECONDS).max(MAX_INVITE_TTL_SECONDS),
    /** How many people may use it. */
    maxUses: z.number().int().min(1).max(MAX_INVITE_USES),
    /** Whether people without an account may use it. */
    allowGuests: z.boolean(),
  })
  .strict();
export type CreateInviteRequest = z.infer<typeof CreateInviteRequestSchema>;

/** An invite as hosts see it (never the secret, which only its creator gets, once). */
export const InviteSchema = z.object({
  id: z.string(),
  roomId: z.string(),
  role: RoleSchema,
  createdAt: z.number(),
  createdBy: z.string(),
  expiresAt: z.number(),
  maxUses: z.number(),
  uses: z.number(),
  allowGuests: z.boolean(),
  revokedAt: z.number().nullable(),
});
export type Invite = z.infer<typeof InviteSchema>;

/** Answer of POST /api/rooms/:id/invites: `path` is the link to share (`/invite/<secret>`). */
export const CreateInviteResponseSchema = z.object({ invite: InviteSchema, secret: z.string(), path: z.string() });
/** Answer of GET /api/rooms/:id/invites. */
export const InviteListResponseSchema = z.object({ invites: z.array(InviteSchema) });

/** Answer of GET /api/invites/:secret: what the link leads to, before it is used. */
export const InvitePreviewResponseSchema = z.object({
  room: z.object({ id: RoomIdSchema, name: z.string() }),
  kind: RoomKindSchema,
  role: RoleSchema,
  allowGuests: z.boolean(),
  requireApproval: z.boolean(),
  expiresAt: z.number(),
});

/** POST /api/invites/:secret/accept: use an invite. Guests send a display name (and their earlier `sub`). */
export const AcceptInviteRequestSchema = z
  .object({ displayName: DisplayNameSchema.optional(), sub: z.string().regex(/^guest:[A-Za-z0-9_-]{8,64}$/).optional() })
  .strict();
export type AcceptInviteRequest = z.infer<typeof AcceptInviteRequestSchema>;

/** A waiting place in a room's lobby: `ticket` is the secret the waiting person polls with. */
export const LobbyTicketSchema = z.object({ id: z.string(), ticket: z.string(), path: z.string() });

/** Answer of POST /api/invites/:secret/accept: in at once (200), or waiting in the lobby (202). */
export const AcceptInviteResponseSchema = z.discriminatedUnion('status', [
  JoinResponseSchema.extend({ status: z.literal('joined') }),
  z.object({ status: z.literal('waiting'), lobby: LobbyTicketSchema }),
]);

/** State of a lobby entry. */
export const LobbyStatusSchema = z.enum(['waiting', 'admitted', 'refused']);
export type LobbyStatus = z.infer<typeof LobbyStatusSchema>;

/** GET /api/lobby/:ticket query: wait up to `waitSeconds` for a decision (long poll). */
export const LobbyPollQuerySchema = z.object({ waitSeconds: z.coerce.number().int().min(0).max(MAX_LOBBY_WAIT_SECONDS).default(0) }).strict();

/** Answer of GET /api/lobby/:ticket: when admitted it carries the room token. */
export const LobbyPollResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('waiting') }),
  z.object({ status: z.literal('refused') }),
  JoinResponseSchema.extend({ status: z.literal('admitted') }),
]);

/** A person waiting in a room's lobby, as hosts see them. */
export const LobbyEntrySchema = z.object({ id: z.string(), sub: z.string(), name: z.string(), role: RoleSchema, requestedAt: z.number(), status: LobbyStatusSchema });
export type LobbyEntry = z.infer<typeof LobbyEntrySchema>;
/** Answer of GET /api/rooms/:id/lobby: the waiting entries, oldest first. */
export const LobbyListResponseSchema = z.object({ waiting: z.array(LobbyEntrySchema) });

/** Someone who has been given a token to a room. */
export const ParticipantSchema = z.object({ sub: z.string(), name: z.string(), role: RoleSchema, joinedAt: z.number(), removedAt: z.number().nullable() });
export type Participant = z.infer<typeof ParticipantSchema>;
/** Answer of GET /api/rooms/:id/participants. */
export const ParticipantListResponseSchema = z.object({ participants: z.array(ParticipantSchema) });
/** POST /api/rooms/:id/participants/:sub/role: change a participant's role (applies to open connections at once). */
export const ChangeRoleRequestSchema = z.object({ role: RoleSchema }).strict();
/** Answer of the role and remove routes. */
export const ParticipantResponseSchema = z.object({ participant: ParticipantSchema });

/**
 * A stateless message (Hocuspocus `sendStateless`, JSON text) the server sends on a participant's
 * open document connections when a host changes their role (`access.role`), so the client can
 * make its editor read-only or editable at once.
 */
export const AccessNoticeSchema = z.object({ type: z.literal('access.role'), role: RoleSchema });
export type AccessNotice = z.infer<typeof AccessNoticeSchema>;

/** An empty JSON body, for actions that take no input. */
export const EmptyRequestSchema = z.object({}).strict();

/** Output formats of the audit log: a JSON page, or a streamed CSV or JSON Lines export. */
export const AuditFormatSchema = z.enum(['json', 'csv', 'jsonl']);

/** Query of the audit routes: filter by time (ms since the epoch, inclusive), person (actor), and kind (action, or `prefix.*`). */
export const AuditQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    actor: z.string().min(1).max(128).optional(),
    action: z.string().regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, 'action must be like room.join or room.*').max(64).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_AUDIT_ROWS).default(1000),
    format: AuditFormatSchema.default('json'),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/** One audit row as the API shows it. */
export const AuditEntrySchema = z.object({
  id: z.number(),
  at: z.number(),
  roomId: z.string().nullable(),
  workspaceId: z.string().nullable(),
  actor: z.string(),
  actorName: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
/** Answer of the audit routes with `format=json`: newest first. */
export const AuditListResponseSchema = z.object({ entries: z.array(AuditEntrySchema) });
