import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import diff from 'fast-diff';
import * as Y from 'yjs';
import type { Extension, afterUnloadDocumentPayload, onAuthenticatePayload, onLoadDocumentPayload } from '@hocuspocus/server';
import { BadRequestError, formatDocName, parseDocName, type Logger } from '@coderoom/shared';
import { LOAD_ORIGIN, isDestroyed } from './DurableLog.js';
import { denied } from './Authorizer.js';
import { sha256, type SyncRecords } from './SyncRecords.js';

/** The write-back's temporary file for a file named `name` (WS4): hidden, beside it, renamed into place. */
function writeBackTempName(name: string): string {
  return `.${name}.${randomBytes(6).toString('hex')}.coderoom-tmp`;
}

/** Whether a directory entry is a write-back temporary file: not state, so backups and listings skip it. */
export function isWriteBackTemp(name: string): boolean {
  return /^\..*\.coderoom-tmp$/.test(name);
}
import type { Workspace } from './Workspace.js';

/** Transaction origin of edits the server makes from disk (logged like any edit). */
export const WORKSPACE_ORIGIN = Symbol('coderoom:workspace');

export interface WorkspaceSyncOptions {
  /** Write a changed document back this many ms after its first unwritten change. */
  writeDebounceMs: number;
  /** Check each open file on disk for outside changes every this many ms. */
  pollMs: number;
}

/** What identifies a version of a file on disk without reading it. */
interface DiskStamp {
  mtimeMs: number;
  size: number;
  ino: number;
}

/** Per open file document: how it relates to its file on disk. */
interface SyncState {
  doc: Y.Doc;
  roomId: string;
  path: string;
  /** Text of the file as last written or read by us; null while the file is missing. */
  lastDisk: string | null;
  /** Encoded document state whose text is exactly `lastDisk` (the common ancestor of a merge). */
  base: Uint8Array | null;
  stamp: DiskStamp | null;
  writeTimer: NodeJS.Timeout | null;
  pollTimer: NodeJS.Timeout;
  /** Disk work of this document runs one step at a time. */
  chain: Promise<void>;
  busy: boolean;
  listener: (update: Uint8Array, origin: unknown) => void;
  warned: string | null;
}

/**
 * Hocuspocus extension mirroring `room:<id>:file:<path>` documents to the room's workspace
 * directory (SPEC WS1-WS8): seeds a new document from disk, writes edits back (debounced,
 * atomic rename), and merges outside changes into the open document as minimal edits.
 *
 * Outside changes are detected by polling `stat` (mtime, size, inode) of each open file: it
 * sees in-place writes and rename-replacements (`sed -i`, `git checkout`, formatters) alike,
 * needs no inotify watch budget, and behaves the same on every filesystem.
 */
export class WorkspaceSync implements Extension {
  readonly extensionName = 'WorkspaceSync';
  /** After DurableLog (1000) has loaded the stored state, before FileIndex (500). */
  readonly priority = 750;
  private readonly docs = new Map<string, SyncState>();
  private closed = false;

  constructor(
    private readonly workspace: Workspace,
    private readonly records: SyncRecords,
    private readonly options: WorkspaceSyncOptions,
    private readonly logger: Logger,
  ) {}

  /** Refuses to open large and binary files (WS7). Runs after the Authorizer has admitted the connection. */
  async onAuthenticate({ documentName }: onAuthenticatePayload): Promise<void> {
    const name = parseDocName(documentName);
    if (!name || name.kind !== 'file') return;
    try {
      const disk = await this.workspace.read(await this.workspace.resolve(name.roomId, name.path));
      if (disk.kind === 'unopenable') throw new BadRequestError(`${name.path}: ${disk.message}`);
    } catch (err) {
      throw denied(err);
    }
  }

  async onLoadDocument({ document, documentName }: onLoadDocumentPayload): Promise<void> {
    const name = parseDocName(documentName);
    if (!name || name.kind !== 'file' || this.closed) return;
    const abs = await this.workspace.resolve(name.roomId, name.path);
    const disk = await this.workspace.read(abs);
    if (disk.kind === 'unopenable') {
      this.logger.warn({ documentName, reason: disk.reason }, 'onLoadDocument() | not mirrored');
      return;
    }
    const text = document.getText('content');
    const record = disk.kind === 'text' ? await this.records.load(name.roomId, name.path) : null;
    const stored = document.store.clients.size > 0;
    // WS2: disk unchanged since the server last wrote or read it: the document (which may hold
    // acknowledged edits made after that write, e.g. before a crash) wins and is written back.
    const diskUnchanged = disk.kind === 'text' && stored && record !== null && record.diskSha256.includes(sha256(disk.text));
    const state: SyncState = {
      doc: document,
      roomId: name.roomId,
      path: name.path,
      lastDisk: null,
      // A record of an older file of this name must not be the base of a new document.
      base: stored ? (record?.base ?? null) : null,
      stamp: null,
      writeTimer: null,
      pollTimer: setInterval(() => this.poll(state), this.options.pollMs),
      chain: Promise.resolve(),
      busy: false,
      listener: (_update, origin) => {
        if (origin !== LOAD_ORIGIN) this.scheduleWrite(state);
      },
      warned: null,
    };
    state.pollTimer.unref();
    if (disk.kind === 'text') {
      if (diskUnchanged) {
        state.lastDisk = disk.text;
        state.stamp = stampOf(disk);
        if (text.toString() === disk.text) state.base = Y.encodeStateAsUpdate(document);
      } else {
        // WS1: a new document is seeded from disk. WS2: a stored one takes changes made on disk
        // while it was closed as edits (three-way from the record's base when there is one).
        this.merge(state, disk.text, stampOf(disk));
      }
      await this.records.save(state.roomId, state.path, { diskSha256: [sha256(disk.text)], base: state.base! });
    }
    document.on('update', state.listener);
    // The previous incarnation may still be unloading (flushing): its timers stop here.
    if (this.docs.has(documentName)) this.detach(documentName);
    this.docs.set(documentName, state);
    if (text.toString() !== state.lastDisk && text.length > 0) this.scheduleWrite(state);
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    await this.flush(documentName);
    // A client may have brought the document back while this flushed: only the unloaded incarnation goes.
    const state = this.docs.get(documentName);
    if (state && isDestroyed(state.doc)) this.detach(documentName);
  }

  /** Stops mirroring a document without writing it (it is being deleted or renamed). */
  detach(documentName: string): void {
    const state = this.docs.get(documentName);
    if (!state) return;
    clearInterval(state.pollTimer);
    if (state.writeTimer) clearTimeout(state.writeTimer);
    state.doc.off('update', state.listener);
    this.docs.delete(documentName);
  }

  /** Stops mirroring a document and drops its sync record (the file is deleted or renamed). */
  async forget(documentName: string): Promise<void> {
    this.detach(documentName);
    const name = parseDocName(documentName);
    if (name) await this.records.delete(name.roomId, name.path);
  }

  /** Writes a document's pending changes now and waits for its disk work to finish. */
  async flush(documentName: string): Promise<void> {
    const state = this.docs.get(documentName);
    if (!state) return;
    if (state.writeTimer) {
      clearTimeout(state.writeTimer);
      state.writeTimer = null;
      this.enqueue(state, () => this.write(state));
    }
    await state.chain;
  }

  /** Flushes and stops mirroring every document; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const name of [...this.docs.keys()]) {
      await this.flush(name);
      this.detach(name);
    }
  }

  private scheduleWrite(state: SyncState): void {
    if (state.writeTimer || this.docs.get(docNameOf(state)) !== state) return;
    state.writeTimer = setTimeout(() => {
      state.writeTimer = null;
      this.enqueue(state, () => this.write(state));
    }, this.options.writeDebounceMs);
  }

  private poll(state: SyncState): void {
    if (state.busy) return;
    this.enqueue(state, () => this.mergeFromDisk(state));
  }

  private enqueue(state: SyncState, step: () => Promise<void>): void {
    state.chain = state.chain.then(async () => {
      state.busy = true;
      try {
        await step();
      } catch (err) {
        this.logger.error({ err, roomId: state.roomId, path: state.path }, 'WorkspaceSync | disk step failed');
      } finally {
        state.busy = false;
      }
    });
  }

  /** WS3: merges an outside change of the file into the document, as edits on top of it. */
  private async mergeFromDisk(state: SyncState): Promise<void> {
    if (this.docs.get(docNameOf(state)) !== state) return;
    // The poll's common case, nothing changed, costs one stat; the path checks (WS6) run before
    // anything is read.
    const st = await stat(this.workspace.pathOf(state.roomId, state.path)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    // WS5: a file removed on disk is left alone; the next edit writes it back.
    if (!st || (state.stamp && sameStamp(st, state.stamp))) return;
    const disk = await this.workspace.read(await this.workspace.resolve(state.roomId, state.path));
    if (disk.kind !== 'text') {
      if (disk.kind === 'unopenable' && state.warned !== disk.reason) {
        state.warned = disk.reason;
        this.logger.warn({ roomId: state.roomId, path: state.path, reason: disk.reason }, 'mergeFromDisk() | disk version not merged');
      }
      return;
    }
    state.warned = null;
    if (disk.text === state.lastDisk) {
      state.stamp = stampOf(disk);
      return;
    }
    this.merge(state, disk.text, stampOf(disk));
    await this.records.save(state.roomId, state.path, { diskSha256: [sha256(disk.text)], base: state.base! });
    this.logger.debug({ roomId: state.roomId, path: state.path }, 'mergeFromDisk() | merged');
  }

  /**
   * WS3: makes `diskText` part of the document as edits on top of it. Three-way when a base is
   * known: replay the disk's change (base text → disk) on a fork at the base, then apply the
   * fork's update, which Yjs merges with every edit made since. Two-way (document text → disk)
   * otherwise. Afterwards the fork (or document) state is the new base.
   */
  private merge(state: SyncState, diskText: string, stamp: DiskStamp): void {
    const text = state.doc.getText('content');
    if (state.base === null) {
      if (text.toString() !== diskText) Y.transact(state.doc, () => applyDiff(text, text.toString(), diskText), WORKSPACE_ORIGIN);
      state.base = Y.encodeStateAsUpdate(state.doc);
    } else {
      const fork = new Y.Doc();
      Y.applyUpdate(fork, state.base);
      const forkText = fork.getText('content');
      const before = Y.encodeStateVector(fork);
      applyDiff(forkText, forkText.toString(), diskText);
      Y.applyUpdate(state.doc, Y.encodeStateAsUpdate(fork, before), WORKSPACE_ORIGIN);
      state.base = Y.encodeStateAsUpdate(fork);
      fork.destroy();
    }
    state.lastDisk = diskText;
    state.stamp = stamp;
  }

  /** WS4: writes the document to disk atomically (temporary file in the same directory + rename). */
  private async write(state: SyncState): Promise<void> {
    if (this.docs.get(docNameOf(state)) !== state) return;
    // Never overwrite a disk change we have not seen: merge it first (WS3).
    await this.mergeFromDisk(state);
    const content = state.doc.getText('content').toString();
    if (content === state.lastDisk) return;
    const base = Y.encodeStateAsUpdate(state.doc);
    const abs = await this.workspace.resolve(state.roomId, state.path);
    await mkdir(dirname(abs), { recursive: true });
    const tmp = join(dirname(abs), writeBackTempName(basename(abs)));
    const mode = await stat(abs).then((s) => s.mode & 0o7777, () => null);
    // The record names both versions until the rename is done, so a crash in between is no "outside change".
    const known = [content, ...(state.lastDisk === null ? [] : [state.lastDisk])].map(sha256);
    await this.records.save(state.roomId, state.path, { diskSha256: known, base });
    try {
      await writeFile(tmp, content, { flag: 'wx' });
      if (mode !== null) await chmod(tmp, mode);
      await rename(tmp, abs);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const st = await stat(abs);
    state.stamp = { mtimeMs: st.mtimeMs, size: st.size, ino: st.ino };
    state.lastDisk = content;
    state.base = base;
    this.logger.debug({ roomId: state.roomId, path: state.path, bytes: st.size }, 'write() | written');
  }
}

/** Applies the minimal edit turning `from` (the current text of `text`) into `to`. */
export function applyDiff(text: Y.Text, from: string, to: string): void {
  let at = 0;
  for (const [op, s] of diff(from, to)) {
    if (op === diff.EQUAL) at += s.length;
    else if (op === diff.DELETE) text.delete(at, s.length);
    else {
      text.insert(at, s);
      at += s.length;
    }
  }
}

function stampOf(d: DiskStamp): DiskStamp {
  return { mtimeMs: d.mtimeMs, size: d.size, ino: d.ino };
}

function sameStamp(a: DiskStamp, b: DiskStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}

function docNameOf(state: SyncState): string {
  return formatDocName({ roomId: state.roomId, kind: 'file', path: state.path });
}
