import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { z } from 'zod';
import { BadRequestError } from '@coderoom/shared';

/** What a backup archive says it is (`manifest.json` `format`). */
export const BACKUP_FORMAT = 'coderoom-backup';
/** Layout version of the archive; a build restores only the versions it knows. */
export const BACKUP_FORMAT_VERSION = 1;
/** Name of the manifest: the last entry of every archive (it carries the checksums of all before it). */
export const MANIFEST_NAME = 'manifest.json';
/** Largest manifest accepted, in bytes. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Longest entry path accepted, in bytes. */
export const MAX_PATH_BYTES = 4096;

/**
 * The parts of a data dir that are state, by the top-level name they live under (the archive
 * uses the data dir's own relative paths). Everything else in a data dir is not CodeRoom's.
 */
export const PARTS = {
  /** The hub's SQLite database (rooms, files, document snapshots and update logs, audit, accounts). */
  database: { top: 'coderoom.db', kind: 'database' },
  /** The hub's PostgreSQL schema as `pg_dump -Fc` wrote it, when DATABASE_URL is set (then there is no `coderoom.db`). */
  pgDump: { top: 'coderoom.pgdump', kind: 'database' },
  /** The standalone pty gateway's audit database, when it ran on this data dir. */
  ptyAudit: { top: 'pty-audit.sqlite', kind: 'database' },
  /** The control plane's signing key pair: tokens signed before a restore still verify after it. */
  keys: { top: 'keys', kind: 'tree' },
  /** Terminal recordings, `recordings/<roomId>/<id>.cast`. */
  recordings: { top: 'recordings', kind: 'tree' },
  /** Room workspaces (files mirrored from documents, and whatever terminals left there). */
  workspaces: { top: 'workspaces', kind: 'tree' },
  /** What the hub last knew of each mirrored workspace file (collab-server SyncRecords). */
  workspaceSync: { top: 'workspace-sync', kind: 'tree' },
} as const;

export type PartName = keyof typeof PARTS;
export const PART_NAMES = Object.keys(PARTS) as PartName[];

/** Files SQLite keeps beside a database; stale ones must never sit beside a restored database. */
export const SQLITE_SIDE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** The part an archive path (or data dir relative path) belongs to, or null. */
export function partOf(path: string): PartName | null {
  const top = path.split('/', 1)[0]!;
  for (const name of PART_NAMES) {
    const part = PARTS[name];
    if (part.kind === 'database' ? path === part.top : top === part.top) return name;
  }
  return null;
}

/** Bounds a restore enforces on an archive before anything lands in the data dir. */
export interface ArchiveLimits {
  /** Largest single entry, in bytes. */
  maxEntryBytes: number;
  /** Largest sum of all entries, in bytes. */
  maxTotalBytes: number;
  /** Most entries. */
  maxEntries: number;
}

/** Defaults: generous for a team's hub, small enough to stop a decompression bomb. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntryBytes: 64 * 1024 ** 3,
  maxTotalBytes: 256 * 1024 ** 3,
  maxEntries: 2_000_000,
};

/** One archive entry as the manifest's checksums cover it. */
export interface EntryFacts {
  type: 'file' | 'directory' | 'symlink';
  path: string;
  /** Permission bits (0o777 at most). */
  mode: number;
  /** Owner (a restore as root keeps it for workspaces, which shells may own as PTY_USER). */
  uid: number;
  gid: number;
  size: number;
  /** SHA-256 (hex) of the content of a file; of the link target of a symlink; empty for a directory. */
  sha256: string;
}

/** Running checksum of one part: SHA-256 over one line per entry (type, mode, owner, size, content hash, path), in archive order. */
export class PartDigest {
  private readonly hash = createHash('sha256');
  entries = 0;
  bytes = 0;

  add(e: EntryFacts): void {
    this.hash.update(`${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.size} ${e.sha256} ${JSON.stringify(e.path)}\n`);
    this.entries += 1;
    this.bytes += e.size;
  }

  result(): PartSummary {
    return { entries: this.entries, bytes: this.bytes, sha256: this.hash.copy().digest('hex') };
  }
}

const PartSummarySchema = z
  .object({
    /** Entries of the part (files, directories, symlinks). */
    entries: z.number().int().nonnegative(),
    /** Bytes of file content. */
    bytes: z.number().int().nonnegative(),
    /** PartDigest of the part. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type PartSummary = z.infer<typeof PartSummarySchema>;

/** `manifest.json`: what the archive holds and the checksums a restore verifies before writing anything. */
export const ManifestSchema = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    formatVersion: z.number().int().positive(),
    /** When the backup was taken (ISO 8601). */
    createdAt: z.iso.datetime(),
    /** Version of the CodeRoom build that took it. */
    coderoomVersion: z.string().min(1).max(64),
    /** The database the backup holds: its kind and schema version. */
    database: z.object({ kind: z.string().min(1).max(32), schemaVersion: z.number().int().nonnegative() }).strict(),
    /** Per part: entries, bytes and checksum. Parts with nothing in them are absent. */
    parts: z.partialRecord(z.enum(PART_NAMES as [PartName, ...PartName[]]), PartSummarySchema),
    /** What the backup holds, counted (rooms, users, audit rows, documents, recordings, workspace files, ...). */
    counts: z.record(z.string().regex(/^[A-Za-z]{1,64}$/), z.number().int().nonnegative()),
  })
  .strict();
export type Manifest = z.infer<typeof ManifestSchema>;

/** Whether a symlink at archive path `path` pointing to `target` stays inside its room's workspace. */
export function symlinkStaysInside(path: string, target: string): boolean {
  const segs = path.split('/');
  if (segs[0] !== PARTS.workspaces.top || segs.length < 3) return false;
  if (target === '' || target.includes('\0') || posix.isAbsolute(target)) return false;
  const room = `${segs[0]}/${segs[1]}/`;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  return resolved.startsWith(room) && resolved.length > room.length;
}

/**
 * Checks an entry path from an archive: relative, `/`-separated, no empty, `.` or `..`
 * segment, no NUL, within MAX_PATH_BYTES, and under one of the PARTS. Returns its part.
 */
export function checkEntryPath(path: string): PartName {
  const shown = JSON.stringify(path.slice(0, 200));
  if (path.length === 0 || Buffer.byteLength(path) > MAX_PATH_BYTES) throw new BadRequestError(`archive entry ${shown}: empty or too long a path`);
  if (path.includes('\0')) throw new BadRequestError(`archive entry ${shown}: NUL in its path`);
  if (path.startsWith('/')) throw new BadRequestError(`archive entry ${shown}: absolute path`);
  for (const seg of path.split('/')) {
    if (seg === '..') throw new BadRequestError(`archive entry ${shown}: path leaves the data dir ("..")`);
    if (seg === '' || seg === '.') throw new BadRequestError(`archive entry ${shown}: path is not normalized`);
  }
  const part = partOf(path);
  if (!part) throw new BadRequestError(`archive entry ${shown}: not part of a CodeRoom data dir`);
  return part;
}
