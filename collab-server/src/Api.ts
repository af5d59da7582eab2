import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Hocuspocus } from '@hocuspocus/server';
import {
  ConflictError,
  CreateFileRequestSchema,
  CreateRoomFromGitRequestSchema,
  CreateRoomRequestSchema,
  DeleteFileRequestSchema,
  ForbiddenError,
  JoinResponseSchema,
  JoinRoomRequestSchema,
  NotFoundError,
  RefreshResponseSchema,
  RenameFileRequestSchema,
  RoomResponseSchema,
  canEdit,
  formatDocName,
  type AccessClaims,
  type AuditSink,
  type Logger,
  type Room,
  type TokenIssuer,
  type TokenVerifier,
} from '@coderoom/shared';
import { z } from 'zod';
import type { CollabConfig } from './config.js';
import type { DocumentStore } from './DocumentStore.js';
import type { DurableLog } from './DurableLog.js';
import type { FileIndex } from './FileIndex.js';
import type { GitImport } from './GitImport.js';
import type { Workspace } from './Workspace.js';
import type { WorkspaceSync } from './WorkspaceSync.js';
import type { RoomStore } from './RoomStore.js';
import { bearerToken, readJson, Router, sendJson } from './http.js';
import { userSub, type RoomAccess } from './RoomAccess.js';
import { roomAccess } from './WorkspaceStore.js';

/** How long eviction of a deleted document waits for Hocuspocus to unload it. */
const EVICT_TIMEOUT_MS = 2000;

export interface ApiDeps {
  config: CollabConfig;
  logger: Logger;
  rooms: RoomStore;
  documents: DocumentStore;
  durableLog: DurableLog;
  fileIndex: FileIndex;
  workspace: Workspace;
  workspaceSync: WorkspaceSync;
  gitImport: GitImport;
  hocuspocus: Hocuspocus;
  issuer: TokenIssuer;
  verifier: TokenVerifier;
  audit: AuditSink;
  roomAccess: RoomAccess;
}

const FileSchema = z.object({ path: z.string(), createdAt: z.number(), createdBy: z.string() });

/** The REST control plane under /api (documented in collab-server/SPEC.md, API rules). */
export class Api {
  readonly router = new Router();

  constructor(private readonly d: ApiDeps) {
    const roomsTag = 'rooms';
    const filesTag = 'files';
    this.router
      .add('GET', '/api/.well-known/jwks.json', (_req, res) => sendJson(res, 200, d.issuer.jwks()), {
        summary: 'Public keys that verify room tokens (JWKS)', tag: 'tokens', auth: 'none', response: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
      })
      .add('POST', '/api/rooms', (req, res) => this.createRoom(req, res), {
        summary: 'Create a room joined by link; the caller hosts it (as their account when signed in)', tag: roomsTag, auth: 'none', body: CreateRoomRequestSchema, response: JoinResponseSchema, status: 201,
      })
      .add('POST', '/api/rooms/from-git', (req, res) => this.createRoomFromGit(req, res), {
        summary: 'Create a room whose workspace is a clone of a git repository', tag: roomsTag, auth: 'none', body: CreateRoomFromGitRequestSchema, response: JoinResponseSchema, status: 201,
      })
      .add('GET', '/api/rooms/:id', (_req, res, p) => this.getRoom(res, p.id!), {
        summary: 'A room and how it is entered', tag: roomsTag, auth: 'none', response: RoomResponseSchema, errors: ['NOT_FOUND'],
      })
      .add('POST', '/api/rooms/:id/join', (req, res, p) => this.join(req, res, p.id!), {
        summary: 'Join a room made by link (rooms of a workspace are entered by invite)', tag: roomsTag, auth: 'none', body: JoinRoomRequestSchema, response: JoinResponseSchema, errors: ['NOT_FOUND', 'FORBIDDEN'],
      })
      .add('POST', '/api/rooms/:id/token', (req, res, p) => this.refresh(req, res, p.id!), {
        summary: 'Refresh a still-valid token; re-checks the participant (removed: 403) and takes their current role', tag: 'tokens', auth: 'bearer', response: RefreshResponseSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('GET', '/api/rooms/:id/files', (req, res, p) => this.listFiles(req, res, p.id!), {
        summary: "The room's files", tag: filesTag, auth: 'bearer', response: z.object({ files: z.array(FileSchema) }), errors: ['FORBIDDEN', 'NOT_FOUND'],
      })
      .add('POST', '/api/rooms/:id/files', (req, res, p) => this.createFile(req, res, p.id!), {
        summary: 'Create an empty file (hosts and editors)', tag: filesTag, auth: 'bearer', body: CreateFileRequestSchema, response: z.object({ file: FileSchema }), status: 201, errors: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
      })
      .add('POST', '/api/rooms/:id/files/rename', (req, res, p) => this.renameFile(req, res, p.id!), {
        summary: 'Rename a file, keeping its content and history', tag: filesTag, auth: 'bearer', body: RenameFileRequestSchema, response: RenameFileRequestSchema, errors: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
      })
      .add('POST', '/api/rooms/:id/files/delete', (req, res, p) => this.deleteFile(req, res, p.id!), {
        summary: 'Delete a file', tag: filesTag, auth: 'bearer', body: DeleteFileRequestSchema, response: DeleteFileRequestSchema, errors: ['FORBIDDEN', 'NOT_FOUND'],
      });
  }

  /**
   * Verifies the bearer token of a request for `roomId` and takes the participant's current
   * role (a removed participant is FORBIDDEN); optionally requires edit rights.
   */
  async authorize(req: IncomingMessage, roomId: string, needEdit = false): Promise<AccessClaims> {
    const verified = await this.d.verifier.verify(bearerToken(req));
    if (verified.room !== roomId) throw new ForbiddenError('token is for another room');
    const claims = { ...verified, role: await this.d.roomAccess.currentRole(roomId, verified.sub, verified.role) };
    if (needEdit && !canEdit(claims.role)) throw new ForbiddenError(`role ${claims.role} cannot change files`);
    return claims;
  }

  private room(id: string): Promise<Room> {
    return this.d.roomAccess.room(id);
  }

  /** The caller's subject: their account's when signed in, else the guest id they send back or a new one. */
  private async subject(req: IncomingMessage, guestSub?: string): Promise<string> {
    const user = await this.d.roomAccess.optionalUser(req);
    if (user) return userSub(user);
    return guestSub ?? `guest:${randomBytes(12).toString('base64url')}`;
  }

  private audit(claims: Pick<AccessClaims, 'sub' | 'name' | 'room'>, action: string, target: string | null, detail: Record<string, unknown> | null = null): void {
    this.d.audit.append({ at: Date.now(), roomId: claims.room, actor: claims.sub, actorName: claims.name, action, target, detail });
  }

  private async createRoom(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req, CreateRoomRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const sub = await this.subject(req);
    const room = await this.d.rooms.create(body.name);
    const out = await this.d.roomAccess.issue(room, sub, body.displayName, 'host');
    this.audit({ sub, name: body.displayName, room: room.id }, 'room.create', room.id, { name: room.name });
    sendJson(res, 201, out);
  }

  /** WS9: a room whose workspace is a clone of a git repository; its tracked text files become room files. */
  private async createRoomFromGit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req, CreateRoomFromGitRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    // Clone before the room exists, so a failed clone leaves nothing behind.
    const staging = await this.d.gitImport.clone(body.source, body.ref);
    let room: Room;
    try {
      room = await this.d.rooms.create(body.name);
      await rename(staging, this.d.workspace.dir(room.id));
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
    const files = await this.d.gitImport.list(this.d.workspace.dir(room.id));
    const sub = await this.subject(req);
    const entry = { createdAt: Date.now(), createdBy: body.displayName };
    const openable = files.filter((f) => f.openable);
    for (const f of openable) await this.d.rooms.addFile(room.id, { path: f.path, ...entry });
    await this.d.fileIndex.update(room.id, (map) => {
      for (const f of openable) map.set(f.path, entry);
    });
    const out = await this.d.roomAccess.issue(room, sub, body.displayName, 'host');
    this.audit({ sub, name: body.displayName, room: room.id }, 'room.create', room.id, { name: room.name, source: body.source, ref: body.ref ?? null, files: openable.length });
    sendJson(res, 201, { ...out, files });
  }

  private async getRoom(res: ServerResponse, id: string): Promise<void> {
    const room = await this.room(id);
    sendJson(res, 200, { room, access: roomAccess(await this.d.roomAccess.settings(id)) });
  }

  private async join(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const room = await this.room(id);
    const body = await readJson(req, JoinRoomRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    if ((await this.d.roomAccess.settings(id)).workspaceId !== null) throw new ForbiddenError('this room is entered by invite');
    const sub = await this.subject(req, body.sub);
    // Someone coming back keeps the role a host gave them (API1).
    const known = await this.d.roomAccess.currentRole(id, sub, body.role);
    const out = await this.d.roomAccess.issue(room, sub, body.displayName, known);
    this.audit({ sub, name: body.displayName, room: room.id }, 'room.join', room.id, { role: out.role, via: 'link' });
    sendJson(res, 200, out);
  }

  private async refresh(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const room = await this.room(id);
    const claims = await this.authorize(req, id);
    const out = await this.d.roomAccess.sign(room, claims);
    sendJson(res, 200, { token: out.token, expiresAt: out.expiresAt });
  }

  private async listFiles(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await this.room(id);
    await this.authorize(req, id);
    sendJson(res, 200, { files: await this.d.rooms.listFiles(id) });
  }

  private async createFile(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await this.room(id);
    const claims = await this.authorize(req, id, true);
    const { path } = await readJson(req, CreateFileRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const entry = { path, createdAt: Date.now(), createdBy: claims.name };
    const docName = formatDocName({ roomId: id, kind: 'file', path });
    await this.evict(docName);
    if (!(await this.d.rooms.addFile(id, entry))) throw new ConflictError(`file ${path} already exists`);
    // A file's document starts empty even if an older file of the same name left data behind.
    await this.d.documents.delete(docName);
    await this.d.fileIndex.update(id, (map) => map.set(path, { createdAt: entry.createdAt, createdBy: entry.createdBy }));
    this.audit(claims, 'file.create', path);
    sendJson(res, 201, { file: entry });
  }

  private async renameFile(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await this.room(id);
    const claims = await this.authorize(req, id, true);
    const { from, to } = await readJson(req, RenameFileRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    if (from === to) throw new ConflictError('source and target are the same');
    if (!(await this.d.rooms.hasFile(id, from))) throw new NotFoundError(`file ${from} not found`);
    if (await this.d.rooms.hasFile(id, to)) throw new ConflictError(`file ${to} already exists`);
    const fromDoc = formatDocName({ roomId: id, kind: 'file', path: from });
    const toDoc = formatDocName({ roomId: id, kind: 'file', path: to });
    const [fromDisk, toDisk] = [await this.d.workspace.resolve(id, from), await this.d.workspace.resolve(id, to)];
    if (await exists(toDisk)) throw new ConflictError(`${to} already exists in the workspace`);
    if (!(await this.d.rooms.renameFile(id, from, to))) throw new ConflictError('file changed concurrently');
    // Close editors of the old name first so no update lands after the copy; they reconnect to the new name.
    this.d.hocuspocus.closeConnections(fromDoc);
    await this.d.workspaceSync.flush(fromDoc);
    await this.d.workspaceSync.forget(fromDoc);
    if (await exists(fromDisk)) {
      await mkdir(dirname(toDisk), { recursive: true });
      await rename(fromDisk, toDisk);
    }
    await this.evict(toDoc);
    // Stop logging the old name, then wait for its appends and compactions still on their way (WAL3).
    this.d.durableLog.detach(fromDoc);
    await this.d.durableLog.settle(fromDoc);
    await this.d.documents.delete(toDoc);
    await this.d.documents.copy(fromDoc, toDoc);
    await this.d.documents.delete(fromDoc);
    const entry = { createdAt: Date.now(), createdBy: claims.name };
    await this.d.fileIndex.update(id, (map) => {
      const old = map.get(from);
      map.delete(from);
      map.set(to, old ?? entry);
    });
    await this.evict(fromDoc);
    this.audit(claims, 'file.rename', from, { to });
    sendJson(res, 200, { from, to });
  }

  private async deleteFile(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await this.room(id);
    const claims = await this.authorize(req, id, true);
    const { path } = await readJson(req, DeleteFileRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    if (!(await this.d.rooms.removeFile(id, path))) throw new NotFoundError(`file ${path} not found`);
    const docName = formatDocName({ roomId: id, kind: 'file', path });
    this.d.hocuspocus.closeConnections(docName);
    this.d.durableLog.detach(docName);
    await this.d.workspaceSync.forget(docName);
    await unlink(await this.d.workspace.resolve(id, path)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await this.d.durableLog.settle(docName);
    await this.d.documents.delete(docName);
    await this.d.fileIndex.update(id, (map) => map.delete(path));
    await this.evict(docName);
    this.audit(claims, 'file.delete', path);
    sendJson(res, 200, { path });
  }

  /** Makes sure no stale in-memory copy of a document, nor an append of one still on its way, outlives its deletion. */
  private async evict(name: string): Promise<void> {
    await this.unload(name);
    await this.d.durableLog.settle(name);
  }

  private async unload(name: string): Promise<void> {
    const deadline = Date.now() + EVICT_TIMEOUT_MS;
    for (;;) {
      const doc = this.d.hocuspocus.documents.get(name);
      if (!doc) return;
      this.d.hocuspocus.closeConnections(name);
      this.d.durableLog.detach(name);
      this.d.workspaceSync.detach(name);
      await this.d.hocuspocus.unloadDocument(doc);
      if (!this.d.hocuspocus.documents.has(name)) return;
      if (Date.now() > deadline) {
        this.d.logger.warn({ documentName: name }, 'evict() | document still loaded');
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Whether something exists at a path (a dangling symlink counts: it is not replaced). */
async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => err.code !== 'ENOENT',
  );
}
