import * as Y from 'yjs';
import { z } from 'zod';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import { FilePathSchema } from '../ids.js';
import { createAnchor, locateThread } from './anchor.js';
import { lineCount } from './lines.js';
import {
  CommentBodySchema,
  LineNumberSchema,
  MAX_THREAD_LINES,
  REVIEW_THREADS_MAP,
  ReviewAuthorSchema,
  ReviewCommentSchema,
  ReviewThreadSchema,
  type LocatedThread,
  type ReviewAuthor,
  type ReviewComment,
  type ReviewThread,
  type ThreadLocation,
  type ThreadStatus,
} from './model.js';
import { comparePaths, summarizeThreads, type ReviewOverview } from './overview.js';
import { randomId } from './randomId.js';

/** What opening a thread takes; `fileText` is the `content` Y.Text of the file's document. */
export interface CreateThreadInput {
  path: string;
  fileText: Y.Text;
  fromLine: number;
  toLine: number;
  author: ReviewAuthor;
  body: string;
}

/** Injectable clock and id source (tests make them deterministic). */
export interface ReviewThreadsOptions {
  /** Milliseconds since the epoch. */
  now?: () => number;
  randomId?: () => string;
}

/** The files of a room by path, as their `content` Y.Text (see `ReviewThreads.locateAll`). */
export type FileTexts = ReadonlyMap<string, Y.Text>;

const CreateThreadInputSchema = z
  .object({ path: FilePathSchema, fromLine: LineNumberSchema, toLine: LineNumberSchema, author: ReviewAuthorSchema, body: CommentBodySchema })
  .refine((i) => i.toLine >= i.fromLine, 'toLine before fromLine')
  .refine((i) => i.toLine - i.fromLine < MAX_THREAD_LINES, `a thread covers at most ${MAX_THREAD_LINES} lines`);

type YThread = Y.Map<unknown>;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new BadRequestError(r.error.issues[0]?.message ?? 'invalid input');
  return r.data;
}

function commentToY(c: ReviewComment): Y.Map<unknown> {
  return new Y.Map<unknown>(Object.entries(c));
}

/** Reads a thread out of the shared map; null when it is not a well-formed thread (REV10). */
function threadFromY(value: unknown): ReviewThread | null {
  if (!(value instanceof Y.Map)) return null;
  const comments: unknown = value.get('comments');
  const raw = {
    ...Object.fromEntries(value.entries()),
    comments: comments instanceof Y.Array ? comments.toArray().map((c: unknown) => (c instanceof Y.Map ? Object.fromEntries(c.entries()) : c)) : comments,
  };
  const r = ReviewThreadSchema.safeParse(raw);
  return r.success ? r.data : null;
}

/**
 * The review threads of a room, over its review document (`roomReviewDocName`). Every change is
 * one Yjs transaction on that document, so it reaches every client the document syncs with; every
 * read validates what it finds there. Permissions by role are the server's job; this class enforces
 * only what holds for everyone (a comment is edited by its author alone).
 */
export class ReviewThreads {
  readonly doc: Y.Doc;
  private readonly threads: Y.Map<YThread>;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(reviewDoc: Y.Doc, options: ReviewThreadsOptions = {}) {
    this.doc = reviewDoc;
    this.threads = reviewDoc.getMap<YThread>(REVIEW_THREADS_MAP);
    this.now = options.now ?? Date.now;
    this.newId = options.randomId ?? randomId;
  }

  /** Opens a thread on lines `fromLine`..`toLine` of a file with a first comment (REV1, REV6). */
  createThread(input: CreateThreadInput): ReviewThread {
    const { path, fromLine, toLine, author, body } = parse(CreateThreadInputSchema, input);
    const { fileText } = input;
    if (!(fileText instanceof Y.Text) || !fileText.doc) throw new BadRequestError('fileText must be the Y.Text of an open document');
    const lines = lineCount(fileText.toString());
    if (toLine > lines) throw new BadRequestError(`line ${toLine} is past the end of ${path} (${lines} lines)`);
    const createdAt = this.now();
    const comment: ReviewComment = { id: this.newId(), author, body, createdAt, editedAt: null };
    const thread: ReviewThread = {
      id: this.newId(),
      path,
      ...createAnchor(fileText, fromLine, toLine),
      startLine: fromLine,
      endLine: toLine,
      status: 'open',
      createdBy: author,
      createdAt,
      comments: [comment],
    };
    parse(ReviewThreadSchema, thread);
    this.doc.transact(() => {
      const y = new Y.Map<unknown>();
      for (const [key, value] of Object.entries(thread)) if (key !== 'comments') y.set(key, value);
      y.set('comments', Y.Array.from([commentToY(comment)]));
      this.threads.set(thread.id, y);
    });
    return thread;
  }

  /** Adds a comment to a thread (REV4). */
  reply(threadId: string, author: ReviewAuthor, body: string): ReviewComment {
    const comment = parse(ReviewCommentSchema, { id: this.newId(), author, body, createdAt: this.now(), editedAt: null });
    const y = this.yThread(threadId);
    this.doc.transact(() => (y.get('comments') as Y.Array<Y.Map<unknown>>).push([commentToY(comment)]));
    return comment;
  }

  /** Changes a comment's body; only its author may (REV4). */
  editComment(threadId: string, commentId: string, editor: ReviewAuthor, body: string): ReviewComment {
    const newBody = parse(CommentBodySchema, body);
    const comments = this.yThread(threadId).get('comments') as Y.Array<Y.Map<unknown>>;
    const y = comments.toArray().find((c) => c instanceof Y.Map && c.get('id') === commentId);
    const current = y ? ReviewCommentSchema.safeParse(Object.fromEntries(y.entries())) : null;
    if (!y || !current?.success) throw new NotFoundError('comment not found');
    if (current.data.author.sub !== parse(ReviewAuthorSchema, editor).sub) throw new ForbiddenError('only its author can edit a comment');
    const editedAt = this.now();
    this.doc.transact(() => {
      y.set('body', newBody);
      y.set('editedAt', editedAt);
    });
    return { ...current.data, body: newBody, editedAt };
  }

  /** Marks a thread resolved; resolving a resolved thread changes nothing (REV5). */
  resolve(threadId: string): void {
    this.setStatus(threadId, 'resolved');
  }

  /** Opens a resolved thread again (REV5). */
  reopen(threadId: string): void {
    this.setStatus(threadId, 'open');
  }

  /** One thread, or undefined. */
  get(threadId: string): ReviewThread | undefined {
    return threadFromY(this.threads.get(threadId)) ?? undefined;
  }

  /** All threads, or those of one file, by path, then line at creation, then age. */
  list(path?: string): ReviewThread[] {
    const out: ReviewThread[] = [];
    for (const value of this.threads.values()) {
      const t = threadFromY(value);
      if (t && (path === undefined || t.path === path)) out.push(t);
    }
    return out.sort((a, b) => comparePaths(a.path, b.path) || a.startLine - b.startLine || a.createdAt - b.createdAt || comparePaths(a.id, b.id));
  }

  /** Where a thread's code is now in `fileText` (REV1, REV2). */
  locate(thread: ReviewThread, fileText: Y.Text): ThreadLocation {
    return locateThread(thread, fileText);
  }

  /** Every thread (or those of one file) with its location; see `locateAll`. */
  locateAll(files: FileTexts, path?: string): LocatedThread[] {
    return locateAll(this.list(path), files);
  }

  /** Open/resolved/outdated counts per file and for the review (REV7); see `locateAll`. */
  overview(files: FileTexts): ReviewOverview {
    return summarizeThreads(this.locateAll(files));
  }

  /** Calls `listener` after every change to the threads; returns the unsubscribe function. */
  observe(listener: () => void): () => void {
    const handler = (): void => listener();
    this.threads.observeDeep(handler);
    return () => this.threads.unobserveDeep(handler);
  }

  private yThread(threadId: string): YThread {
    const y = this.threads.get(threadId);
    if (!(y instanceof Y.Map) || !threadFromY(y)) throw new NotFoundError('thread not found');
    return y;
  }

  private setStatus(threadId: string, status: ThreadStatus): void {
    const y = this.yThread(threadId);
    if (y.get('status') !== status) this.doc.transact(() => y.set('status', status));
  }
}

/**
 * Locates threads against the room's files. A thread whose file is not in `files` counts as
 * outdated (its code is gone from the room), so pass every file that exists, synced.
 */
export function locateAll(threads: readonly ReviewThread[], files: FileTexts): LocatedThread[] {
  return threads.map((thread) => {
    const fileText = files.get(thread.path);
    const location = fileText ? locateThread(thread, fileText) : { startLine: thread.startLine, endLine: thread.endLine, code: '', outdated: true };
    return { thread, location };
  });
}
