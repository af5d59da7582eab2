import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, open, readdir, readFile, readlink, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { isWriteBackTemp, sha256 as textSha256 } from '@coderoom/collab-server';
import { BadRequestError, NotFoundError } from '@coderoom/shared';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, MANIFEST_NAME, PARTS, PartDigest, SQLITE_SIDE_SUFFIXES, partOf, symlinkStaysInside, type EntryFacts, type Manifest, type PartName } from './ArchiveLayout.js';
import { SqliteDatabasePart, type DatabasePart } from './DatabasePart.js';
import { formatBytes, type Progress } from './Progress.js';

/** Files up to this size are read whole into memory (an exact copy even if rewritten meanwhile); larger ones are streamed. */
const WHOLE_READ_MAX_BYTES = 64 * 1024 * 1024;
/** Tries at reading a workspace file and its sync record as a matching pair before taking them as they are. */
const PAIR_ATTEMPTS = 20;
/** Pause between those tries. */
const PAIR_RETRY_MS = 50;
/** Bytes at the end of a streamed recording searched for its last complete line. */
const CAST_TAIL_BYTES = 64 * 1024;

/** Header facts of an entry: permission bits, time and owner. */
interface Meta {
  mode: number;
  mtime?: Date;
  uid?: number;
  gid?: number;
}

/** The version of this build, recorded in the manifest. */
export const CODEROOM_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface BackupOptions {
  /** The data dir of the hub (it may be running). */
  dataDir: string;
  /** Where the archive goes (written atomically, mode 0600). */
  out: string;
  /** The hub's database. */
  database: DatabasePart;
  progress: Progress;
}

/** What was written. */
export interface BackupResult {
  manifest: Manifest;
  /** Size of the archive file in bytes. */
  bytes: number;
  /** Things left out or taken as they were, one line each (no contents). */
  warnings: string[];
}

/**
 * `coderoom backup`: an online, consistent backup of a data dir into one gzip'd tar. The
 * database through its online backup (a snapshot while the hub writes), then keys, recordings,
 * workspaces and workspace sync records, then `manifest.json` with per-part checksums.
 */
export async function createBackup(opts: BackupOptions): Promise<BackupResult> {
  const dataDir = resolve(opts.dataDir);
  const out = resolve(opts.out);
  const { database, progress } = opts;
  if (!database.exists()) throw new NotFoundError(`no CodeRoom database in ${dataDir}`);
  if (isInside(dataDir, out)) throw new BadRequestError('--out must be outside the data dir');
  const tag = randomBytes(6).toString('hex');
  const tmp = `${out}.${tag}.tmp`;
  const dumps: string[] = [];
  const handle = await open(tmp, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new NotFoundError(`directory of ${out} does not exist`) : err;
  });
  const pack = tar.pack();
  // The write stream closes the handle when done.
  const written = pipeline(pack, createGzip(), handle.createWriteStream());
  written.catch(() => undefined);
  const archive = new ArchiveWriter(pack, progress);
  try {
    const dump = `${out}.${tag}.db.tmp`;
    dumps.push(dump);
    const facts = await database.dump(dump, (p) => progress.update(`database: ${p.done}/${p.total} ${p.unit} copied`));
    progress.line(`database: snapshot taken (${database.kind}, schema ${facts.schemaVersion})`);
    await archive.file(PARTS[database.part].top, dump, { mode: 0o600 });

    const ptyAudit = new SqliteDatabasePart(join(dataDir, PARTS.ptyAudit.top), false);
    if (ptyAudit.exists()) {
      const auditDump = `${out}.${tag}.pty-audit.tmp`;
      dumps.push(auditDump);
      await ptyAudit.dump(auditDump, (p) => progress.update(`pty audit: ${p.done}/${p.total} ${p.unit} copied`));
      await archive.file(PARTS.ptyAudit.top, auditDump, { mode: 0o600 });
    }

    await archive.tree(dataDir, PARTS.keys.top);
    await archive.tree(dataDir, PARTS.recordings.top);
    await archive.workspaces(dataDir);
    await archive.tree(dataDir, PARTS.workspaceSync.top, (rel) => archive.has(rel) || rel.endsWith('.tmp'));

    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      coderoomVersion: CODEROOM_VERSION,
      database: { kind: database.kind, schemaVersion: facts.schemaVersion },
      parts: archive.summaries(),
      counts: { ...facts.counts, recordings: archive.castFiles, workspaceFiles: archive.workspaceFiles },
    };
    await archive.buffer(null, MANIFEST_NAME, Buffer.from(JSON.stringify(manifest, null, 2)), { mode: 0o600 });
    pack.finalize();
    await written;
    await syncFile(tmp);
    await rename(tmp, out);
    await syncFile(dirname(out));
    const { size } = await lstat(out);
    progress.line(`backup written: ${out} (${formatBytes(size)}, ${archive.totalEntries} entries)`);
    return { manifest, bytes: size, warnings: archive.warnings };
  } catch (err) {
    pack.destroy(err as Error);
    await written.catch(() => undefined);
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  } finally {
    for (const d of dumps) for (const f of [d, ...SQLITE_SIDE_SUFFIXES.map((x) => d + x)]) await rm(f, { force: true });
  }
}

/** Adds entries to the tar, keeping one PartDigest per part. */
class ArchiveWriter {
  private readonly digests = new Map<PartName, PartDigest>();
  private readonly added = new Set<string>();
  totalEntries = 0;
  totalBytes = 0;
  castFiles = 0;
  workspaceFiles = 0;
  readonly warnings: string[] = [];

  constructor(
    private readonly pack: tar.Pack,
    private readonly progress: Progress,
  ) {}

  has(path: string): boolean {
    return this.added.has(path);
  }

  summaries(): Manifest['parts'] {
    const out: Manifest['parts'] = {};
    for (const [name, d] of this.digests) out[name] = d.result();
    return out;
  }

  /** Walks `dataDir/top` and adds what is in it; `skip` leaves paths out. */
  async tree(dataDir: string, top: string, skip: (rel: string) => boolean = () => false, onFile?: (rel: string, abs: string, st: Stats) => Promise<void>): Promise<void> {
    const root = join(dataDir, top);
    const st = await lstat(root).catch(() => null);
    if (!st?.isDirectory()) return;
    await this.dir(top, st);
    const walk = async (rel: string): Promise<void> => {
      const names = (await readdir(join(dataDir, rel)).catch(() => [] as string[])).sort();
      for (const name of names) {
        const childRel = `${rel}/${name}`;
        if (skip(childRel)) continue;
        const abs = join(dataDir, childRel);
        const cst = await lstat(abs).catch(() => null);
        if (!cst) continue; // gone meanwhile
        if (cst.isDirectory()) {
          await this.dir(childRel, cst);
          await walk(childRel);
        } else if (cst.isFile()) {
          if (onFile) await onFile(childRel, abs, cst);
          else await this.file(childRel, abs, cst);
        } else if (cst.isSymbolicLink() && top === PARTS.workspaces.top) {
          const target = await readlink(abs).catch(() => null);
          if (target !== null && symlinkStaysInside(childRel, target)) await this.symlink(childRel, target, cst);
          else this.warn(`left out ${childRel}: a symbolic link leading outside its workspace`);
        } else if (cst.isSymbolicLink()) {
          // Elsewhere (keys mounted from a Kubernetes Secret are links) a link to a file is kept as that file.
          const tst = await stat(abs).catch(() => null);
          if (tst?.isFile()) await this.file(childRel, abs, tst);
          else if (!name.startsWith('..')) this.warn(`left out ${childRel}: a symbolic link to no regular file`);
        } else {
          this.warn(`left out ${childRel}: not a regular file, directory or symbolic link`);
        }
      }
    };
    await walk(top);
  }

  /**
   * Workspaces, each mirrored file with its sync record: read as a pair that agrees (the record
   * names the file's contents), so a restored hub knows the file is in step with its document
   * and the document (from the database snapshot) wins, as after any restart (collab-server WS2).
   */
  async workspaces(dataDir: string): Promise<void> {
    await this.tree(dataDir, PARTS.workspaces.top, (rel) => isWriteBackTemp(basename(rel)), async (rel, abs, st) => {
      const [, roomId, ...rest] = rel.split('/');
      const recordRel = `${PARTS.workspaceSync.top}/${roomId}/${createHash('sha256').update(rest.join('/')).digest('hex')}.json`;
      const recordAbs = join(dataDir, recordRel);
      const hasRecord = await lstat(recordAbs).then((s) => s.isFile(), () => false);
      this.workspaceFiles += 1;
      if (!hasRecord || st.size > WHOLE_READ_MAX_BYTES) {
        await this.file(rel, abs, st);
        return;
      }
      const pair = await readPair(abs, recordAbs);
      if (!pair) return;
      if (!pair.agree) this.warn(`${rel} kept changing during the backup; on restore it counts as changed on disk and is merged into its document`);
      await this.buffer(rel, rel, pair.file, st);
      if (pair.record) await this.buffer(recordRel, recordRel, pair.record, { mode: 0o600 });
    });
  }

  /** Adds a file from disk; a recording is cut after its last complete line (it may be being written). */
  async file(rel: string, abs: string, meta: Meta): Promise<void> {
    const handle = await open(abs, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (!handle) return;
    try {
      const { size } = await handle.stat();
      const isCast = rel.startsWith(`${PARTS.recordings.top}/`) && rel.endsWith('.cast');
      if (isCast) this.castFiles += 1;
      if (size <= WHOLE_READ_MAX_BYTES) {
        let buf = await handle.readFile();
        if (isCast && buf.length > 0 && buf[buf.length - 1] !== 0x0a) buf = buf.subarray(0, buf.lastIndexOf(0x0a) + 1);
        await this.buffer(rel, rel, buf, meta);
        return;
      }
      const length = isCast ? await completeLines(handle, size) : size;
      const hash = createHash('sha256');
      let done: () => void;
      let failed: (err: Error) => void;
      const finished = new Promise<void>((res, rej) => ((done = res), (failed = rej)));
      const entry = this.pack.entry({ ...header(meta), name: rel, type: 'file', size: length }, (err) => (err ? failed(err) : done()));
      let got = 0;
      for await (const chunk of createReadStream('', { fd: handle, start: 0, end: length - 1, autoClose: false }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        got += chunk.length;
        if (!entry.write(chunk)) await once(entry, 'drain');
        this.tick(chunk.length);
      }
      if (got !== length) throw new Error(`${rel} shrank while it was read (${got} of ${length} bytes); run the backup again`);
      (entry as unknown as { end(): void }).end();
      await finished;
      this.count(rel, meta, { type: 'file', size: length, sha256: hash.digest('hex') });
    } finally {
      await handle.close();
    }
  }

  /** Adds a file from memory; `rel` null for the manifest (in no part). */
  async buffer(rel: string | null, name: string, buf: Buffer, meta: Meta): Promise<void> {
    await new Promise<void>((res, rej) => this.pack.entry({ ...header(meta), name, type: 'file', size: buf.length }, buf, (err) => (err ? rej(err) : res())));
    this.tick(buf.length);
    if (rel !== null) this.count(rel, meta, { type: 'file', size: buf.length, sha256: createHash('sha256').update(buf).digest('hex') });
  }

  private async dir(rel: string, st: Stats): Promise<void> {
    await new Promise<void>((res, rej) => this.pack.entry({ ...header(st), name: rel, type: 'directory' }, (err) => (err ? rej(err) : res())));
    this.count(rel, st, { type: 'directory', size: 0, sha256: '' });
  }

  private async symlink(rel: string, target: string, st: Stats): Promise<void> {
    const meta = { mode: 0o777, mtime: st.mtime, uid: st.uid, gid: st.gid };
    await new Promise<void>((res, rej) => this.pack.entry({ ...header(meta), name: rel, type: 'symlink', linkname: target }, (err) => (err ? rej(err) : res())));
    this.count(rel, meta, { type: 'symlink', size: 0, sha256: createHash('sha256').update(target).digest('hex') });
  }

  private count(rel: string, meta: Meta, facts: Pick<EntryFacts, 'type' | 'size' | 'sha256'>): void {
    const part = partOf(rel)!;
    let d = this.digests.get(part);
    if (!d) this.digests.set(part, (d = new PartDigest()));
    d.add({ ...facts, path: rel, mode: meta.mode & 0o777, uid: meta.uid ?? 0, gid: meta.gid ?? 0 });
    this.added.add(rel);
    this.totalEntries += 1;
  }

  private tick(bytes: number): void {
    this.totalBytes += bytes;
    this.progress.update(`archiving: ${this.totalEntries} entries, ${formatBytes(this.totalBytes)}`);
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.progress.line(`warning: ${message}`);
  }
}

/** The tar header fields of `meta`: permission bits only (never setuid), time, owner. */
function header(meta: Meta): { mode: number; mtime: Date; uid: number; gid: number } {
  return { mode: meta.mode & 0o777, mtime: meta.mtime ?? new Date(), uid: meta.uid ?? 0, gid: meta.gid ?? 0 };
}

/** A workspace file and its sync record, read until the record names the file's contents (or tries run out). */
async function readPair(fileAbs: string, recordAbs: string): Promise<{ file: Buffer; record: Buffer | null; agree: boolean } | null> {
  const readOrNull = (p: string) => readFile(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  let last: { file: Buffer; record: Buffer | null } | null = null;
  for (let i = 0; i < PAIR_ATTEMPTS; i++) {
    const file = await readOrNull(fileAbs);
    if (!file) return null;
    const record = await readOrNull(recordAbs);
    if (!record) return { file, record, agree: true };
    last = { file, record };
    try {
      const known = (JSON.parse(record.toString('utf8')) as { diskSha256?: unknown }).diskSha256;
      if (Array.isArray(known) && known.includes(textSha256(file.toString('utf8')))) return { ...last, agree: true };
    } catch {
      // A record being replaced is renamed into place whole; an unreadable one is taken as it is.
    }
    await new Promise((r) => setTimeout(r, PAIR_RETRY_MS));
  }
  return last && { ...last, agree: false };
}

/** Length of a file's first `size` bytes up to and including its last newline in the last CAST_TAIL_BYTES. */
async function completeLines(handle: import('node:fs/promises').FileHandle, size: number): Promise<number> {
  const start = Math.max(0, size - CAST_TAIL_BYTES);
  const buf = Buffer.alloc(size - start);
  const { bytesRead } = await handle.read(buf, 0, buf.length, start);
  const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
  return nl < 0 ? size : start + nl + 1;
}

/** fsync a file (or directory) by name. */
async function syncFile(path: string): Promise<void> {
  const h = await open(path, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
