import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hocuspocus } from '@hocuspocus/server';
import {
  BadRequestError,
  CommentRequestSchema,
  ConflictError,
  CreateThreadRequestSchema,
  ForbiddenError,
  NotFoundError,
  ReviewChangesQuerySchema,
  ReviewExportQuerySchema,
  ReviewFileQuerySchema,
  ReviewFileResponseSchema,
  ReviewRefsResponseSchema,
  ReviewChangesResponseSchema,
  ThreadChangeResponseSchema,
  ReviewIdSchema,
  ReviewThreads,
  ThreadStatusRequestSchema,
  canResolveThread,
  exportJson,
  exportMarkdown,
  formatDocName,
  roomReviewDocName,
  sliceLines,
  type AccessClaims,
  type AuditSink,
  type ReviewAuthor,
} from '@coderoom/shared';
import type * as Y from 'yjs';
import type { z } from 'zod';
import type { CollabConfig } from './config.js';
import type { ReviewGit } from './ReviewGit.js';
import type { RoomStore } from './RoomStore.js';
import type { Workspace } from './Workspace.js';
import type { WorkspaceSync } from './WorkspaceSync.js';
import { readJson, sendJson, type Router } from './http.js';

export interface ReviewApiDeps {
  config: CollabConfig;
  rooms: RoomStore;
  workspace: Workspace;
  workspaceSync: WorkspaceSync;
  hocuspocus: Hocuspocus;
  git: ReviewGit;
  audit: AuditSink;
  /** Verifies the bearer token of a request for a room (Api.authorize). */
  authorize: (req: IncomingMessage, roomId: string) => Promise<AccessClaims>;
}

/** Transaction origin of review changes the server makes for a client. */
export const REVIEW_ORIGIN = Symbol('coderoom:review');

function query<S extends z.ZodType>(req: IncomingMessage, schema: S): z.infer<S> {
  const params = Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams);
  const r = schema.safeParse(params);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new BadRequestError(first ? `${first.path.join('.') || 'query'}: ${first.message}` : 'invalid query');
  }
  return r.data;
}

function reviewId(id: string, what: string): string {
  if (!ReviewIdSchema.safeParse(id).success) throw new NotFoundError(`${what} not found`);
  return id;
}

/**
 * Code reviews over REST (SPEC REVIEW1-7): refs, files at a ref and the changed-files list from
 * the workspace's git (any participant), and every change to the review threads. Clients only
 * read the review document (`room:<id>:review:threads` is read-only on /collab); the server
 * writes it here with the caller's identity from the token, so authorship and who may resolve
 * (REV11) are enforced where the document is written.
 */
export class ReviewApi {
  constructor(private readonly d: ReviewApiDeps) {}

  mount(router: Router): this {
    router
      .add('GET', '/api/rooms/:id/review/refs', (req, res, p) => this.refs(req, res, p.id!), {
        summary: "The room workspace's git refs: HEAD, branches, tags, recent commits", tag: 'review', auth: 'bearer', response: ReviewRefsResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('GET', '/api/rooms/:id/review/file', (req, res, p) => this.file(req, res, p.id!), {
        summary: "A file's text at a ref", tag: 'review', auth: 'bearer', query: ReviewFileQuerySchema, response: ReviewFileResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('GET', '/api/rooms/:id/review/changes', (req, res, p) => this.changes(req, res, p.id!), {
        summary: 'Changed files of the working tree against a base, with added and removed line counts', tag: 'review', auth: 'bearer', query: ReviewChangesQuerySchema, response: ReviewChangesResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('GET', '/api/rooms/:id/review/export', (req, res, p) => this.export(req, res, p.id!), {
        summary: 'The review as Markdown or as JSON shaped for pull-request review comments', tag: 'review', auth: 'bearer', query: ReviewExportQuerySchema, produces: 'text/markdown', errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('POST', '/api/rooms/:id/review/threads', (req, res, p) => this.createThread(req, res, p.id!), {
        summary: 'Open a thread on a line range (the code the client saw is checked)', tag: 'review', auth: 'bearer', body: CreateThreadRequestSchema, response: ThreadChangeResponseSchema, status: 201, errors: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
      })
      .add('POST', '/api/rooms/:id/review/threads/:thread/replies', (req, res, p) => this.reply(req, res, p.id!, p.thread!), {
        summary: 'Reply to a thread', tag: 'review', auth: 'bearer', body: CommentRequestSchema, response: ThreadChangeResponseSchema, status: 201, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('POST', '/api/rooms/:id/review/threads/:thread/comments/:comment', (req, res, p) => this.edit(req, res, p.id!, p.thread!, p.comment!), {
        summary: 'Edit a comment (its author only)', tag: 'review', auth: 'bearer', body: CommentRequestSchema, response: ThreadChangeResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('POST', '/api/rooms/:id/review/threads/:thread/status', (req, res, p) => this.setStatus(req, res, p.id!, p.thread!), {
        summary: 'Resolve or reopen a thread (its opener, hosts and editors)', tag: 'review', auth: 'bearer', body: ThreadStatusRequestSchema, response: ThreadChangeResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      });
    return this;
  }

  /** Verifies the token of a request for an existing room. */
  private async claims(req: IncomingMessage, roomId: string): Promise<AccessClaims> {
    const claims = await this.d.authorize(req, roomId);
    if (!(await this.d.rooms.get(roomId))) throw new NotFoundError('room not found');
    return claims;
  }

  /** REVIEW1 */
  private async refs(req: IncomingMessage, res: ServerResponse, roomId: string): Promise<void> {
    await this.claims(req, roomId);
    sendJson(res, 200, await this.d.git.refs(this.d.workspace.dir(roomId)));
  }

  /** REVIEW2: a file as it was at a ref; the path follows the workspace rules (WS6). */
  private async file(req: IncomingMessage, res: ServerResponse, roomId: string): Promise<void> {
    await this.claims(req, roomId);
    const { ref, path } = query(req, ReviewFileQuerySchema);
    await this.d.workspace.resolve(roomId, path);
    const dir = this.d.workspace.dir(roomId);
    const sha = await this.d.git.resolveCommit(dir, ref);
    sendJson(res, 200, await this.d.git.show(dir, ref, sha, path));
  }

  /** REVIEW3: every open file's pending edits are written to disk first, so the counts include them. */
  private async changes(req: IncomingMessage, res: ServerResponse, roomId: string): Promise<void> {
    await this.claims(req, roomId);
    const { base } = query(req, ReviewChangesQuerySchema);
    const dir = this.d.workspace.dir(roomId);
    const sha = await this.d.git.resolveCommit(dir, base);
    const prefix = formatDocName({ roomId, kind: 'file', path: 'x' }).slice(0, -1);
    for (const name of this.d.hocuspocus.documents.keys()) if (name.startsWith(prefix)) await this.d.workspaceSync.flush(name);
    sendJson(res, 200, { base, sha, files: await this.d.git.changes(dir, sha) });
  }

  /** REVIEW4: opens a thread on lines the caller saw; 409 when the file has moved on since. */
  private async createThread(req: IncomingMessage, res: ServerResponse, roomId: string): Promise<void> {
    const claims = await this.claims(req, roomId);
    const body = await readJson(req, CreateThreadRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    if (!(await this.d.rooms.hasFile(roomId, body.path))) throw new NotFoundError(`file ${body.path} not found`);
    const file = await this.d.hocuspocus.openDirectConnection(formatDocName({ roomId, kind: 'file', path: body.path }), { system: true });
    try {
      const fileText = file.document!.getText('content');
      if (sliceLines(fileText.toString(), body.fromLine, body.toLine) !== body.code) throw new ConflictError('the file changed since those lines were chosen; try again');
      const thread = await this.inReview(roomId, (threads) =>
        threads.createThread({ path: body.path, fileText, fromLine: body.fromLine, toLine: body.toLine, author: author(claims), body: body.body }),
      );
      this.audit(claims, 'review.thread.create', thread.id, { path: body.path, fromLine: body.fromLine, toLine: body.toLine });
      sendJson(res, 201, { threadId: thread.id, commentId: thread.comments[0]!.id });
    } finally {
      await file.disconnect();
    }
  }

  /** REVIEW5: anyone in the room may reply (REV4). */
  private async reply(req: IncomingMessage, res: ServerResponse, roomId: string, threadId: string): Promise<void> {
    const claims = await this.claims(req, roomId);
    const { body } = await readJson(req, CommentRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const comment = await this.inReview(roomId, (threads) => threads.reply(reviewId(threadId, 'thread'), author(claims), body));
    this.audit(claims, 'review.reply', threadId);
    sendJson(res, 201, { threadId, commentId: comment.id });
  }

  /** REVIEW5: only a comment's author may edit it (REV4). */
  private async edit(req: IncomingMessage, res: ServerResponse, roomId: string, threadId: string, commentId: string): Promise<void> {
    const claims = await this.claims(req, roomId);
    const { body } = await readJson(req, CommentRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    await this.inReview(roomId, (threads) => threads.editComment(reviewId(threadId, 'thread'), reviewId(commentId, 'comment'), author(claims), body));
    this.audit(claims, 'review.edit', threadId, { commentId });
    sendJson(res, 200, { threadId, commentId });
  }

  /** REVIEW6: resolve or reopen, by whoever REV11 allows. */
  private async setStatus(req: IncomingMessage, res: ServerResponse, roomId: string, threadId: string): Promise<void> {
    const claims = await this.claims(req, roomId);
    const { status } = await readJson(req, ThreadStatusRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    await this.inReview(roomId, (threads) => {
      const thread = threads.get(reviewId(threadId, 'thread'));
      if (!thread) throw new NotFoundError('thread not found');
      if (!canResolveThread(claims.role, claims.sub, thread)) throw new ForbiddenError(`a ${claims.role} may resolve or reopen only threads they opened`);
      if (status === 'resolved') threads.resolve(threadId);
      else threads.reopen(threadId);
    });
    this.audit(claims, `review.${status === 'resolved' ? 'resolve' : 'reopen'}`, threadId);
    sendJson(res, 200, { threadId });
  }

  /** REVIEW7: the review as Markdown or GitHub-review JSON, against the files as they are now. */
  private async export(req: IncomingMessage, res: ServerResponse, roomId: string): Promise<void> {
    const claims = await this.claims(req, roomId);
    const { format } = query(req, ReviewExportQuerySchema);
    const review = await this.d.hocuspocus.openDirectConnection(roomReviewDocName(roomId), { system: true });
    const opened: Array<{ disconnect(): Promise<void> }> = [review];
    try {
      const threads = new ReviewThreads(review.document!);
      const all = threads.list();
      const files = new Map<string, Y.Text>();
      for (const path of new Set(all.map((t) => t.path))) {
        if (!(await this.d.rooms.hasFile(roomId, path))) continue;
        const conn = await this.d.hocuspocus.openDirectConnection(formatDocName({ roomId, kind: 'file', path }), { system: true });
        opened.push(conn);
        files.set(path, conn.document!.getText('content'));
      }
      const text = format === 'json' ? exportJson(all, files) : exportMarkdown(all, files);
      this.audit(claims, 'review.export', roomId, { format, threads: all.length });
      const type = format === 'json' ? 'application/json' : 'text/markdown';
      const name = format === 'json' ? 'review.json' : 'review.md';
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' });
      res.end(text);
    } finally {
      for (const c of opened) await c.disconnect();
    }
  }

  /** Runs a change of the room's review threads as one server transaction in the review document. */
  private async inReview<T>(roomId: string, change: (threads: ReviewThreads) => T): Promise<T> {
    const conn = await this.d.hocuspocus.openDirectConnection(roomReviewDocName(roomId), { system: true });
    try {
      let out!: T;
      await conn.transact((doc) => {
        doc.transact(() => {
          out = change(new ReviewThreads(doc));
        }, REVIEW_ORIGIN);
      });
      return out;
    } finally {
      await conn.disconnect();
    }
  }

  private audit(claims: AccessClaims, action: string, target: string, detail: Record<string, unknown> | null = null): void {
    this.d.audit.append({ at: Date.now(), roomId: claims.room, actor: claims.sub, actorName: claims.name, action, target, detail });
  }
}

function author(claims: AccessClaims): ReviewAuthor {
  return { sub: claims.sub, name: claims.name };
}
