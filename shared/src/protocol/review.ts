import { z } from 'zod';
import { FilePathSchema } from '../ids.js';
import { CommentBodySchema, LineNumberSchema, ReviewIdSchema, ThreadStatusSchema } from '../review/model.js';

/**
 * REST contract of code reviews (`/api/rooms/:id/review/...`, SPEC REVIEW1-7). Reads need any
 * room token; thread changes are made by the server in the review document on the caller's
 * behalf, so the rules of `canResolveThread` and REV4 hold whatever a client sends.
 */

/** Longest git ref a client may name, in characters. */
export const MAX_REVIEW_REF_CHARS = 200;
/** How many recent commits `GET .../review/refs` lists. */
export const REVIEW_RECENT_COMMITS = 30;

/**
 * A revision a diff is taken against: a branch, tag, commit id or `HEAD`, optionally with `~n` /
 * `^n` suffixes. It may not start with `-` (never read as an option) and has no spaces, `..`,
 * `:` or other revision syntax; the server then checks it names a commit (`rev-parse --verify`).
 */
export const ReviewRefSchema = z
  .string()
  .min(1)
  .max(MAX_REVIEW_REF_CHARS)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._/-]*([~^][0-9]{0,4})*$/, 'invalid git ref')
  .refine((r) => !r.includes('..') && !r.includes('//') && !r.includes('@{') && !/(\/|\.lock)$/.test(r), 'invalid git ref');

/** GET .../review/refs: where the workspace is and what it can be compared with. */
export const ReviewRefsResponseSchema = z.object({
  /** False when the workspace is not a git repository (no diff is possible). */
  repository: z.boolean(),
  /** The checked-out commit and branch (null when detached or not a repository). */
  head: z.object({ sha: z.string(), branch: z.string().nullable() }).nullable(),
  branches: z.array(z.object({ name: z.string(), sha: z.string() })),
  commits: z.array(z.object({ sha: z.string(), subject: z.string(), author: z.string(), time: z.number() })),
});
export type ReviewRefsResponse = z.infer<typeof ReviewRefsResponseSchema>;

/** Query of GET .../review/file. */
export const ReviewFileQuerySchema = z.object({ ref: ReviewRefSchema, path: FilePathSchema }).strict();

/** A file as it was at a commit; `exists` false (and `text` '') when the commit has no such file. */
export const ReviewFileResponseSchema = z.object({ ref: z.string(), sha: z.string(), path: z.string(), exists: z.boolean(), text: z.string() });
export type ReviewFileResponse = z.infer<typeof ReviewFileResponseSchema>;

/** Query of GET .../review/changes. */
export const ReviewChangesQuerySchema = z.object({ base: ReviewRefSchema }).strict();

/** One changed file of the working tree against the base; binary files have null counts. */
export const ChangedFileSchema = z.object({
  path: z.string(),
  added: z.number().int().nonnegative().nullable(),
  removed: z.number().int().nonnegative().nullable(),
  /** `added`: new since the base (untracked files included); `deleted`; `modified`. */
  status: z.enum(['added', 'deleted', 'modified']),
});
export type ChangedFile = z.infer<typeof ChangedFileSchema>;

/** GET .../review/changes: the working tree (pending edits written first) against the base. */
export const ReviewChangesResponseSchema = z.object({ base: z.string(), sha: z.string(), files: z.array(ChangedFileSchema) });
export type ReviewChangesResponse = z.infer<typeof ReviewChangesResponseSchema>;

/**
 * POST .../review/threads: open a thread on lines `fromLine`..`toLine` of a file. `code` is the
 * text of those lines as the client saw them; if the file moved on meanwhile the server answers
 * 409 and changes nothing (the client syncs and tries again).
 */
export const CreateThreadRequestSchema = z
  .object({ path: FilePathSchema, fromLine: LineNumberSchema, toLine: LineNumberSchema, body: CommentBodySchema, code: z.string().max(1_048_576) })
  .strict();
export type CreateThreadRequest = z.infer<typeof CreateThreadRequestSchema>;

/** POST .../review/threads/:thread/replies and .../comments/:comment (edit). */
export const CommentRequestSchema = z.object({ body: CommentBodySchema }).strict();

/** POST .../review/threads/:thread/status */
export const ThreadStatusRequestSchema = z.object({ status: ThreadStatusSchema }).strict();

/** Answers of thread changes: the ids involved. */
export const ThreadChangeResponseSchema = z.object({ threadId: ReviewIdSchema, commentId: ReviewIdSchema.optional() });

/** Query of GET .../review/export. */
export const ReviewExportQuerySchema = z.object({ format: z.enum(['markdown', 'json']) }).strict();
