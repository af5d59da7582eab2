import { closeSync, existsSync, openSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { SCHEMA_VERSION } from '@coderoom/collab-server';
import { BadRequestError, parseEnv } from '@coderoom/shared';
import { SQLITE_SIDE_SUFFIXES, type PartName } from './ArchiveLayout.js';
import { PgDatabasePart } from './PgDatabasePart.js';

/** Pages copied per step of SQLite's online backup before a restart is seen (4 MiB of 4 KiB pages). */
const BACKUP_STEP_PAGES = 1024;

/** Progress of a database dump. */
export interface DumpProgress {
  done: number;
  total: number;
  /** What `done` and `total` count, e.g. `pages`. */
  unit: string;
}

/** What a dump holds: schema version and counts for the manifest. */
export interface DatabaseFacts {
  schemaVersion: number;
  counts: Record<string, number>;
}

/**
 * One database a backup holds: SQLite (the file in the data dir, SqliteDatabasePart) or
 * PostgreSQL (`pg_dump -Fc` / `pg_restore`, PgDatabasePart).
 */
export interface DatabasePart {
  /** The kind the manifest names (`sqlite`, `postgres`). */
  readonly kind: string;
  /** The archive entry (PARTS) its dump is stored as. */
  readonly part: PartName;
  /** Whether there is a database to back up. */
  exists(): boolean;
  /** Null when no process holds the database open, else why it is in use. */
  inUse(): Promise<string | null>;
  /** Writes a consistent snapshot of the live database to `file` (online: a hub may be writing). */
  dump(file: string, onProgress: (p: DumpProgress) => void): Promise<DatabaseFacts>;
  /** Checks a dump taken from an archive (integrity, schema this build can open) before anything is installed. */
  verify(file: string): Promise<DatabaseFacts>;
  /**
   * Refuses (ConflictError / BadRequestError) to restore the verified dump `file` into this
   * database as it is now: a database outside the data dir must be empty unless `force`.
   */
  checkTarget(file: string, force: boolean): Promise<void>;
  /** Makes a verified dump the database; its data dir files (if any) were moved away before. */
  install(file: string, force: boolean, onProgress: (p: DumpProgress) => void): Promise<void>;
}

/** Counts a CodeRoom database reports, by manifest name (SQL both SQLite and PostgreSQL run). */
export const CODEROOM_COUNTS: Record<string, string> = {
  rooms: 'SELECT count(*) AS n FROM rooms',
  files: 'SELECT count(*) AS n FROM files',
  documents: 'SELECT count(*) AS n FROM (SELECT name FROM doc_snapshots UNION SELECT name FROM doc_updates) AS d',
  users: 'SELECT count(*) AS n FROM users',
  sessions: 'SELECT count(*) AS n FROM sessions',
  auditRows: 'SELECT count(*) AS n FROM audit',
};

/** A SQLite database file of the data dir (`coderoom.db`, or the standalone pty gateway's audit). */
export class SqliteDatabasePart implements DatabasePart {
  readonly kind = 'sqlite';
  readonly part: PartName;

  constructor(
    /** The database file in the data dir. */
    readonly file: string,
    /** Whether this is the hub's database (schema-versioned, counted). */
    private readonly coderoom: boolean,
  ) {
    this.part = coderoom ? 'database' : 'ptyAudit';
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  /**
   * Every connection to a WAL database holds a shared lock on its file while open (the hub holds
   * one for its lifetime; the kernel drops it when the process dies, even on SIGKILL). Asking for
   * an exclusive lock is refused while any is held.
   */
  async inUse(): Promise<string | null> {
    if (!this.exists()) return null;
    const db = new BetterSqlite3(this.file, { fileMustExist: true });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      return null;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return `${this.file} is open in another process (a running hub?)`;
      // Not a database at all (damaged, or some other file): nothing can be serving from it.
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return null;
      throw err;
    } finally {
      db.close();
    }
  }

  async dump(file: string, onProgress: (p: DumpProgress) => void): Promise<DatabaseFacts> {
    const db = new BetterSqlite3(this.file, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      // Created here with mode 0600: the copy holds password hashes and sessions.
      closeSync(openSync(file, 'wx', 0o600));
      let step = BACKUP_STEP_PAGES;
      let lastRemaining = Infinity;
      await db.backup(file, {
        progress: ({ totalPages, remainingPages }) => {
          // A write by another connection between steps restarts SQLite's backup (a step then
          // makes no headway): copy the rest in one step, or a busy hub would keep it restarting.
          if (remainingPages >= lastRemaining) step = totalPages;
          lastRemaining = remainingPages;
          onProgress({ done: totalPages - remainingPages, total: totalPages, unit: 'pages' });
          return step;
        },
      });
    } finally {
      db.close();
    }
    // The copy is a WAL database; make it one self-contained file (the hub turns WAL on again when it opens it).
    const copy = new BetterSqlite3(file, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    return this.verify(file);
  }

  async verify(file: string): Promise<DatabaseFacts> {
    let db: BetterSqlite3.Database;
    try {
      db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    } catch (err) {
      throw new BadRequestError(`database in the archive cannot be opened: ${(err as Error).message}`);
    }
    try {
      const check = (() => {
        try {
          return db.pragma('quick_check', { simple: true });
        } catch (err) {
          return (err as Error).message;
        }
      })();
      if (check !== 'ok') throw new BadRequestError(`database in the archive is damaged: ${String(check)}`);
      if (!this.coderoom) return { schemaVersion: 0, counts: {} };
      const version = (db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
      if (version > SCHEMA_VERSION) throw new BadRequestError(`database in the archive has schema ${version}, newer than this build (${SCHEMA_VERSION}): restore with a newer CodeRoom`);
      const counts: Record<string, number> = {};
      for (const [name, sql] of Object.entries(CODEROOM_COUNTS)) counts[name] = (db.prepare(sql).get() as { n: number }).n;
      return { schemaVersion: version, counts };
    } finally {
      db.close();
    }
  }

  /** The data dir's own emptiness check (restoreBackup) covers a database file inside it. */
  async checkTarget(): Promise<void> {}

  async install(file: string): Promise<void> {
    for (const suffix of SQLITE_SIDE_SUFFIXES) await rm(this.file + suffix, { force: true });
    await rename(file, this.file);
  }
}

const DatabaseEnvSchema = z.object({
  /** Set when the hub keeps its state in PostgreSQL. */
  DATABASE_URL: z.string().optional(),
});

/** The database a data dir's hub uses, from the same environment the hub reads. */
export function databasePartFor(env: Record<string, string | undefined>, dataDir: string): DatabasePart {
  const { DATABASE_URL } = parseEnv(DatabaseEnvSchema, env);
  // Never echo the URL: it carries the database password.
  if (DATABASE_URL) {
    if (!/^postgres(ql)?:\/\/\S+$/.test(DATABASE_URL)) throw new BadRequestError('DATABASE_URL must be a postgres:// or postgresql:// URL');
    return new PgDatabasePart(DATABASE_URL);
  }
  return new SqliteDatabasePart(join(dataDir, 'coderoom.db'), true);
}
