import { z } from 'zod';
import { DisplayNameSchema, nameSchema } from '../names.js';
import { FilePathSchema, RoomIdSchema } from '../ids.js';
import { RoleSchema } from '../roles.js';

/** Version of the REST control-plane contract. */
export const CONTROL_API_VERSION = 1;
/** Longest room name, in characters. */
export const MAX_ROOM_NAME_CHARS = 100;

/** A room's display name. */
export const RoomNameSchema = nameSchema(MAX_ROOM_NAME_CHARS);

/** POST /api/rooms: create a room; the creator gets a host token back. */
export const CreateRoomRequestSchema = z.object({ name: RoomNameSchema, displayName: DisplayNameSchema }).strict();
export type CreateRoomRequest = z.infer<typeof CreateRoomRequestSchema>;

/** A git branch, tag or commit: no leading `-`, no `..`, no trailing `/`, `.` or `.lock`. */
export const GitRefSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._/-]{0,199}$/, 'invalid git ref')
  .refine((r) => !r.includes('..') && !r.includes('//') && !/(\/|\.|\.lock)$/.test(r), 'invalid git ref');

/** Where a room's workspace is cloned from: an absolute path on the server, or a URL. */
export const GitSourceSchema = z
  .string()
  .min(1)
  .max(2048)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s) && !s.startsWith('-'), 'invalid git source');

/** POST /api/rooms/from-git: create a room whose workspace is a clone of a git repository at `ref`. */
export const CreateRoomFromGitRequestSchema = z
  .object({ name: RoomNameSchema, displayName: DisplayNameSchema, source: GitSourceSchema, ref: GitRefSchema.optional() })
  .strict();
export type CreateRoomFromGitRequest = z.infer<typeof CreateRoomFromGitRequestSchema>;

/** A file of a workspace as imported: `openable` false for large, binary and symlinked files. */
export const WorkspaceFileSchema = z.object({ path: z.string(), openable: z.boolean(), reason: z.string().optional() });
export type WorkspaceFile = z.infer<typeof WorkspaceFileSchema>;

/** A room as the API shows it. */
export const RoomSchema = z.object({ id: RoomIdSchema, name: z.string(), createdAt: z.number() });
export type Room = z.infer<typeof RoomSchema>;

/** Answer of POST /api/rooms and POST /api/rooms/:id/join. */
export const JoinResponseSchema = z.object({ room: RoomSchema, token: z.string(), role: RoleSchema, sub: z.string(), expiresAt: z.number() });
export type JoinResponse = z.infer<typeof JoinResponseSchema>;

/**
 * POST /api/rooms/:id/join: join by link. Without accounts (a later issue) joining by link
 * makes you an editor, or a viewer when asked for; `sub` keeps your identity across refreshes.
 */
export const JoinRoomRequestSchema = z
  .object({ displayName: DisplayNameSchema, role: z.enum(['editor', 'viewer']).default('editor'), sub: z.string().regex(/^guest:[A-Za-z0-9_-]{8,64}$/).optional() })
  .strict();
export type JoinRoomRequest = z.infer<typeof JoinRoomRequestSchema>;

/** POST /api/rooms/:id/token: refresh a still-valid token (sent as Bearer) before it expires. */
export const RefreshResponseSchema = z.object({ token: z.string(), expiresAt: z.number() });

/** POST /api/rooms/:id/files: create an empty file. */
export const CreateFileRequestSchema = z.object({ path: FilePathSchema }).strict();
/** POST /api/rooms/:id/files/rename: rename a file, keeping its content and history. */
export const RenameFileRequestSchema = z.object({ from: FilePathSchema, to: FilePathSchema }).strict();
/** POST /api/rooms/:id/files/delete: delete a file. */
export const DeleteFileRequestSchema = z.object({ path: FilePathSchema }).strict();
