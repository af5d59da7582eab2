import { z } from 'zod';
import { FilePathSchema } from '../ids.js';
import { DisplayNameSchema } from '../names.js';

/**
 * The review model inside the room's review document (`roomReviewDocName`):
 *
 *   Y.Map 'threads': thread id → Y.Map {
 *     id, path, anchorStart, anchorEnd, quotedCode, startLine, endLine, status, createdBy, createdAt,
 *     comments: Y.Array of Y.Map { id, author, body, createdAt, editedAt }
 *   }
 *
 * The anchors are Yjs relative positions (Y.encodeRelativePosition) into the `content` Y.Text of the
 * file's own document, so they follow the code as it is edited. The schemas below are the plain
 * shapes a reader gets back; everything read from the shared document is validated against them.
 */

/** The name of the Y.Map of threads inside the review document. */
export const REVIEW_THREADS_MAP = 'threads';

/** Longest comment body, in characters. */
export const MAX_COMMENT_BODY_CHARS = 20_000;

/** Most lines one thread may cover. */
export const MAX_THREAD_LINES = 1_000;

/** Longest user id (`sub` of the access token), in characters. */
export const MAX_SUB_CHARS = 200;

/** Thread and comment ids: 16 characters of base64url (see `randomId`). */
export const ReviewIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'invalid review id');

/** Who wrote something: the token's `sub` and display name. */
export const ReviewAuthorSchema = z.object({ sub: z.string().min(1).max(MAX_SUB_CHARS), name: DisplayNameSchema });
export type ReviewAuthor = z.infer<typeof ReviewAuthorSchema>;

/** A comment body: Markdown, not blank. */
export const CommentBodySchema = z
  .string()
  .max(MAX_COMMENT_BODY_CHARS)
  .refine((s) => s.trim() !== '', 'comment body is required');

/** Times are milliseconds since the epoch. */
const TimeMsSchema = z.number().int().nonnegative();

/** A 1-based line number. */
export const LineNumberSchema = z.number().int().min(1);

/** An encoded Yjs relative position. */
const EncodedPositionSchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected an encoded relative position');

/** `open` until someone resolves it; a resolved thread can be reopened. */
export const ThreadStatusSchema = z.enum(['open', 'resolved']);
export type ThreadStatus = z.infer<typeof ThreadStatusSchema>;

/** One comment of a thread; the first one opens it. */
export const ReviewCommentSchema = z.object({
  id: ReviewIdSchema,
  author: ReviewAuthorSchema,
  body: CommentBodySchema,
  createdAt: TimeMsSchema,
  /** When the author last edited the body, or null. */
  editedAt: TimeMsSchema.nullable(),
});
export type ReviewComment = z.infer<typeof ReviewCommentSchema>;

/** A thread as a plain object. */
export const ReviewThreadSchema = z
  .object({
    id: ReviewIdSchema,
    path: FilePathSchema,
    /** Encoded relative position before the first character of the first line. */
    anchorStart: EncodedPositionSchema,
    /** Encoded relative position after the last character of the last line. */
    anchorEnd: EncodedPositionSchema,
    /** The code of the range when the thread was opened; kept for when that code is deleted. */
    quotedCode: z.string(),
    /** The range when the thread was opened (1-based, inclusive). */
    startLine: LineNumberSchema,
    endLine: LineNumberSchema,
    status: ThreadStatusSchema,
    createdBy: ReviewAuthorSchema,
    createdAt: TimeMsSchema,
    comments: z.array(ReviewCommentSchema).min(1),
  })
  .refine((t) => t.endLine >= t.startLine, 'endLine before startLine');
export type ReviewThread = z.infer<typeof ReviewThreadSchema>;

/** Where a thread's code is now, recomputed from its anchors against the file's current text. */
export interface ThreadLocation {
  /** Current range, 1-based and inclusive; for an outdated thread, where its code used to be. */
  startLine: number;
  endLine: number;
  /** The current code of those lines; '' when outdated. */
  code: string;
  /** The anchored code was deleted (or the anchors cannot be found in this text). */
  outdated: boolean;
}

/** A thread together with its current location. */
export interface LocatedThread {
  thread: ReviewThread;
  location: ThreadLocation;
}
