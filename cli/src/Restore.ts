import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lchown, lstat, mkdir, open, readdir, rename, rm, symlink, utimes } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { AppError, BadRequestError, ConflictError, NotFoundError } from '@coderoom/shared';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  DEFAULT_ARCHIVE_LIMITS,
  MANIFEST_NAME,
  MAX_MANIFEST_BYTES,
  ManifestSchema,
  PARTS,
  PART_NAMES,
  PartDigest,
  SQLITE_SIDE_SUFFIXES,
  checkEntryPath,
  symlinkStaysInside,
  type ArchiveLimits,
  type Manifest,
  type PartName,
} from './ArchiveLayout.js';
import { SqliteDatabasePart, type DatabasePart, type DumpProgress } from './DatabasePart.js';
import { formatBytes, type Progress } from './Progress.js';

/** Entries of a data dir that do not make it "not empty" (a fresh ext4 volume has one). */
const IGNORED_IN_EMPTY_CHECK = new Set(['lost+found']);
/** Prefix of the directory inside the target where an archive is unpacked and verified. */
export const STAGING_PREFIX = '.coderoom-restore-';

export interface RestoreOptions {
  /** The archive `coderoom backup` wrote. */
  from: string;
  /** The data dir to restore into: empty (or missing) unless `force`. */
  dataDir: string;
  /** Replace the CodeRoom state of a non-empty data dir. */
  force: boolean;
  /** The target's database. */
  database: DatabasePart;
  progress: Progress;
  limits?: ArchiveLimits;
}

/**
 * `coderoom restore`: unpacks an archive into a staging directory inside the target, checks
 * every entry (paths, types, sizes), every part checksum against the manifest and the database's
 * integrity, and only then moves the state into place. A bad archive changes nothing.
 */
export async function restoreBackup(opts: RestoreOptions): Promise<Manifest> {
  const from = resolve(opts.from);
  const dataDir = resolve(opts.dataDir);
  const { database, progress } = opts;
  const ptyAudit = new SqliteDatabasePart(join(dataDir, PARTS.ptyAudit.top), false);
  const limits = opts.limits ?? DEFAULT_ARCHIVE_LIMITS;
  const archiveStat = await lstat(from).catch(() => null);
  if (!archiveStat?.isFile()) throw new NotFoundError(`no archive file at ${from}`);

  const existing = await readdir(dataDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    if (err.code === 'ENOTDIR') throw new BadRequestError(`${dataDir} is not a directory`);
    throw err;
  });
  await refuseIfInUse(database, ptyAudit);
  const present = (existing ?? []).filter((n) => !IGNORED_IN_EMPTY_CHECK.has(n));
  if (present.length > 0 && !opts.force) {
    throw new ConflictError(`${dataDir} is not empty (${present.length} entries); restore only into an empty data dir, or pass --force to replace its CodeRoom state`);
  }
  if (existing === null) await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const staging = join(dataDir, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
  await mkdir(staging, { mode: 0o700 });
  try {
    const manifest = await unpack(from, staging, limits, progress);
    if (manifest.database.kind !== database.kind) {
      throw new BadRequestError(`archive holds a ${manifest.database.kind} database; this hub uses ${database.kind} (${database.kind === 'postgres' ? 'DATABASE_URL is set' : 'DATABASE_URL is not set'}): restore with the same kind of database`);
    }
    if (!manifest.parts[database.part]) throw new BadRequestError('archive holds no database');
    const stagedDump = join(staging, PARTS[database.part].top);
    const facts = await database.verify(stagedDump);
    if (facts.schemaVersion !== manifest.database.schemaVersion) throw new BadRequestError('database in the archive does not match its manifest (schema version)');
    for (const [name, n] of Object.entries(facts.counts)) {
      if (manifest.counts[name] !== n) throw new BadRequestError(`database in the archive does not match its manifest (${name})`);
    }
    const stagedAudit = join(staging, PARTS.ptyAudit.top);
    if (manifest.parts.ptyAudit) await new SqliteDatabasePart(stagedAudit, false).verify(stagedAudit);
    progress.line(`archive verified: ${describeCounts(manifest)}`);

    // The archive may have taken long to read: check again right before anything moves.
    await refuseIfInUse(database, ptyAudit);
    await database.checkTarget(stagedDump, opts.force);
    await install(staging, dataDir, database, ptyAudit, opts.force, progress);
    progress.line(`restored into ${dataDir}`);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
    if (existing === null) {
      // We made the data dir: a failed restore leaves it as it was (absent).
      const left = await readdir(dataDir).catch(() => []);
      if (left.length === 0) await rm(dataDir, { recursive: true, force: true });
    }
  }
}

async function refuseIfInUse(...databases: DatabasePart[]): Promise<void> {
  for (const db of databases) {
    const why = await db.inUse();
    if (why) throw new ConflictError(`a hub is using this data dir (${why}); stop it before restoring`);
  }
}

/** Reads the whole archive into `staging`, checking each entry; returns the verified manifest. */
async function unpack(from: string, staging: string, limits: ArchiveLimits, progress: Progress): Promise<Manifest> {
  const extract = tar.extract();
  const input = createReadStream(from);
  const flowing = pipeline(input, createGunzip(), extract);
  flowing.catch(() => undefined);
  const digests = new Map<PartName, PartDigest>();
  const seen = new Map<string, 'file' | 'directory' | 'symlink'>();
  const links: { path: string; target: string }[] = [];
  const dirModes: { path: string; mode: number }[] = [];
  // As root, workspace files keep their owners (shells may run as PTY_USER); otherwise the restoring user owns everything.
  const asRoot = process.getuid?.() === 0;
  const owners: { path: string; uid: number; gid: number }[] = [];
  let manifestText: string | null = null;
  let entries = 0;
  let total = 0;
  const it = extract[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await it.next().catch((err: unknown) => {
        throw corrupt(err);
      });
      if (next.done) break;
      const entry = next.value;
      const h = entry.header;
      if (manifestText !== null) throw new BadRequestError('archive has entries after its manifest');
      if (h.name === MANIFEST_NAME) {
        if (h.type !== 'file' || (h.size ?? 0) > MAX_MANIFEST_BYTES) throw new BadRequestError('archive manifest is not a file, or too large');
        manifestText = (await readAll(entry)).toString('utf8');
        continue;
      }
      const type = h.type ?? 'file';
      if (type !== 'file' && type !== 'directory' && type !== 'symlink') throw new BadRequestError(`archive entry ${JSON.stringify(h.name.slice(0, 200))}: ${type} entries are not allowed`);
      const path = type === 'directory' ? h.name.replace(/\/$/, '') : h.name;
      const part = checkEntryPath(path);
      const shown = JSON.stringify(path.slice(0, 200));
      if (++entries > limits.maxEntries) throw new BadRequestError(`archive has more than ${limits.maxEntries} entries`);
      const size = type === 'file' ? (h.size ?? 0) : 0;
      if (size > limits.maxEntryBytes) throw new BadRequestError(`archive entry ${shown} is ${size} bytes, over the limit of ${limits.maxEntryBytes}`);
      total += size;
      if (total > limits.maxTotalBytes) throw new BadRequestError(`archive content is over the limit of ${limits.maxTotalBytes} bytes`);
      if (seen.has(path)) throw new BadRequestError(`archive entry ${shown} appears twice`);
      const segs = path.split('/');
      for (let i = 1; i < segs.length; i++) {
        const kind = seen.get(segs.slice(0, i).join('/'));
        if (kind && kind !== 'directory') throw new BadRequestError(`archive entry ${shown} lies under a ${kind}`);
      }
      const isDbPart = PARTS[part].kind === 'database';
      if (isDbPart ? type !== 'file' : path === PARTS[part].top && type !== 'directory') throw new BadRequestError(`archive entry ${shown} has the wrong type (${type})`);
      seen.set(path, type);
      const mode = (h.mode ?? 0o600) & 0o777;
      const dest = join(staging, ...segs);
      let sha256 = '';
      if (type === 'directory') {
        await mkdir(dest, { recursive: true, mode: 0o700 });
        dirModes.push({ path: dest, mode: part === 'keys' ? 0o700 : mode | 0o700 });
      } else if (type === 'symlink') {
        const target = h.linkname ?? '';
        if (!symlinkStaysInside(path, target)) throw new BadRequestError(`archive entry ${shown}: symbolic link leads outside its workspace`);
        links.push({ path: dest, target });
        sha256 = createHash('sha256').update(target).digest('hex');
      } else {
        sha256 = await writeEntry(entry, dest, part === 'keys' || isDbPart ? 0o600 : mode);
        if (h.mtime) await utimes(dest, h.mtime, h.mtime);
      }
      const uid = h.uid ?? 0;
      const gid = h.gid ?? 0;
      if (part === 'workspaces' && asRoot) owners.push({ path: dest, uid, gid });
      let d = digests.get(part);
      if (!d) digests.set(part, (d = new PartDigest()));
      d.add({ type, path, mode: type === 'symlink' ? 0o777 : mode, uid, gid, size, sha256 });
      progress.update(`reading archive: ${entries} entries, ${formatBytes(total)}`);
    }
    await flowing.catch((err: unknown) => {
      throw corrupt(err);
    });
  } catch (err) {
    input.destroy();
    extract.destroy();
    throw err;
  }
  if (manifestText === null) throw new BadRequestError('archive has no manifest: it is truncated or not a CodeRoom backup');
  const manifest = parseManifest(manifestText);
  for (const name of PART_NAMES) {
    const want = manifest.parts[name];
    const got = digests.get(name)?.result();
    if (!want && !got) continue;
    if (!want || !got || want.sha256 !== got.sha256 || want.entries !== got.entries || want.bytes !== got.bytes) {
      throw new BadRequestError(`archive does not match its manifest (part ${name}): it was changed or damaged after the backup`);
    }
  }
  if (!manifest.parts.database && !manifest.parts.pgDump) throw new BadRequestError('archive holds no database');
  for (const l of links) {
    await mkdir(dirname(l.path), { recursive: true, mode: 0o700 });
    await symlink(l.target, l.path);
  }
  for (const d of dirModes.reverse()) await chmod(d.path, d.mode);
  for (const o of owners) await lchown(o.path, o.uid, o.gid);
  return manifest;
}

function parseManifest(text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadRequestError('archive manifest is not valid JSON');
  }
  const head = json as { format?: unknown; formatVersion?: unknown };
  if (head?.format !== BACKUP_FORMAT) throw new BadRequestError('archive is not a CodeRoom backup (manifest format)');
  if (head.formatVersion !== BACKUP_FORMAT_VERSION) throw new BadRequestError(`archive format version ${String(head.formatVersion)} is not supported by this build (${BACKUP_FORMAT_VERSION})`);
  const r = ManifestSchema.safeParse(json);
  if (!r.success) throw new BadRequestError(`archive manifest is invalid: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
  return r.data;
}

/** Writes an entry's content to a new file; returns its SHA-256. */
async function writeEntry(entry: AsyncIterable<unknown>, dest: string, mode: number): Promise<string> {
  await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
  const hash = createHash('sha256');
  const handle = await open(dest, 'wx', mode);
  try {
    for await (const chunk of guarded(entry)) {
      hash.update(chunk);
      await handle.write(chunk);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

async function readAll(entry: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of guarded(entry)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** An entry's chunks, with a stream failure (cut archive, bad gzip) reported as a damaged archive. */
async function* guarded(entry: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
  // tar-stream yields its entries' content as Buffers.
  const it = entry[Symbol.asyncIterator]();
  for (;;) {
    const next = await it.next().catch((err: unknown) => {
      throw corrupt(err);
    });
    if (next.done) return;
    yield next.value as Buffer;
  }
}

function corrupt(err: unknown): Error {
  if (err instanceof AppError) return err;
  return new BadRequestError(`archive is truncated or damaged: ${(err as Error).message ?? String(err)}`);
}

/** Moves the verified state from staging into the data dir, replacing what is there when forced. */
async function install(staging: string, dataDir: string, database: DatabasePart, ptyAudit: DatabasePart, force: boolean, progress: Progress): Promise<void> {
  const onProgress = (p: DumpProgress) => progress.update(`database: ${p.done}/${p.total} ${p.unit} restored`);
  const old = join(dataDir, `${STAGING_PREFIX}old-${randomBytes(6).toString('hex')}`);
  const moved: string[] = [];
  const installed: string[] = [];
  if (force) {
    await mkdir(old, { mode: 0o700 });
    for (const name of PART_NAMES) {
      const top = PARTS[name].top;
      const names = PARTS[name].kind === 'database' ? [top, ...SQLITE_SIDE_SUFFIXES.map((s) => top + s)] : [top];
      for (const n of names) {
        try {
          await rename(join(dataDir, n), join(old, n));
          moved.push(n);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    }
  }
  try {
    // The database first: a PostgreSQL restore that fails (in one transaction) then leaves the data dir as it was.
    const dbTop = PARTS[database.part].top;
    const names = (await readdir(staging)).sort((a, b) => Number(b === dbTop) - Number(a === dbTop));
    for (const name of names) {
      if (name === PARTS.pgDump.top) {
        await database.install(join(staging, name), force, onProgress);
        continue;
      }
      // Without --force the dir was empty: anything there now appeared during the restore (a hub starting?).
      if (!force && (await lstat(join(dataDir, name)).catch(() => null))) throw new ConflictError(`${join(dataDir, name)} appeared during the restore; nothing was replaced`);
      if (name === PARTS.database.top) await database.install(join(staging, name), force, onProgress);
      else if (name === PARTS.ptyAudit.top) await ptyAudit.install(join(staging, name), force, onProgress);
      else await rename(join(staging, name), join(dataDir, name));
      installed.push(name);
    }
  } catch (err) {
    // Take out what was moved in and put back what was there.
    for (const n of installed) await rm(join(dataDir, n), { recursive: true, force: true });
    for (const n of moved) await rename(join(old, n), join(dataDir, n)).catch(() => undefined);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}

function describeCounts(m: Manifest): string {
  return Object.entries(m.counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
}
