import { z } from 'zod';

/** Room ids: 10–40 characters of [A-Za-z0-9_-] (the hub makes 16-character base64url ids). */
export const RoomIdSchema = z.string().regex(/^[A-Za-z0-9_-]{10,40}$/, 'invalid room id');
export type RoomId = z.infer<typeof RoomIdSchema>;

/** Longest file path inside a room, in characters. */
export const MAX_FILE_PATH_CHARS = 512;

/**
 * A file path inside a room: relative, '/'-separated, no empty, '.' or '..' segments, no
 * control characters, no backslashes.
 */
export const FilePathSchema = z
  .string()
  .min(1)
  .max(MAX_FILE_PATH_CHARS)
  .refine((p) => !/[\u0000-\u001f\u007f\\]/.test(p), 'control characters and backslashes are not allowed')
  .refine((p) => p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), 'path segments must be non-empty and not . or ..');

/** Kinds of document a room holds. */
/** `file`: a text file; `meta`: room state the server alone writes (e.g. the file index). */
/** `review`: the room's review threads, which participants write (see `roomReviewDocName`). */
export const DocKindSchema = z.enum(['file', 'meta', 'review']);
export type DocKind = z.infer<typeof DocKindSchema>;

/** A parsed document name `room:<roomId>:<kind>:<path>`. */
export interface DocName {
  roomId: RoomId;
  kind: DocKind;
  path: string;
}

/** Formats a document name. */
export function formatDocName(d: DocName): string {
  return `room:${d.roomId}:${d.kind}:${d.path}`;
}

/** Parses a document name; returns null when it is not a valid one. */
export function parseDocName(name: string): DocName | null {
  const m = /^room:([^:]+):([^:]+):(.+)$/s.exec(name);
  if (!m) return null;
  const roomId = RoomIdSchema.safeParse(m[1]);
  const kind = DocKindSchema.safeParse(m[2]);
  const path = FilePathSchema.safeParse(m[3]);
  if (!roomId.success || !kind.success || !path.success) return null;
  return { roomId: roomId.data, kind: kind.data, path: path.data };
}

/** The room's file index: a Y.Map path → FileEntry that only the server writes. */
export function roomIndexDocName(roomId: RoomId): string {
  return formatDocName({ roomId, kind: 'meta', path: 'files' });
}

/** The room's review document: threads anchored to files (see `shared/src/review/`). */
export function roomReviewDocName(roomId: RoomId): string {
  return formatDocName({ roomId, kind: 'review', path: 'threads' });
}

/** The name of the Y.Map inside the index document. */
export const FILE_INDEX_MAP = 'files';

/** One entry of the room's file index. */
export interface FileEntry {
  /** Creation time, ms since the epoch. */
  createdAt: number;
  /** Display name of whoever created it. */
  createdBy: string;
}
