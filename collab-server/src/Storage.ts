import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { PgAuditLog, createPgPool, type AuditLog, type Logger } from '@coderoom/shared';
import type { CollabConfig } from './config.js';
import { openDatabase } from './Database.js';
import type { DocumentStore } from './DocumentStore.js';
import type { RoomStore } from './RoomStore.js';
import type { AccountStore } from './AccountStore.js';
import type { WorkspaceStore } from './WorkspaceStore.js';
import type { RoomAccessStore } from './RoomAccessStore.js';
import { SqliteDocumentStore } from './SqliteDocumentStore.js';
import { SqliteRoomStore } from './SqliteRoomStore.js';
import { SqliteAccountStore } from './SqliteAccountStore.js';
import { SqliteAuditLog } from './SqliteAuditLog.js';
import { SqliteWorkspaceStore } from './SqliteWorkspaceStore.js';
import { SqliteRoomAccessStore } from './SqliteRoomAccessStore.js';
import { PgDocumentStore } from './PgDocumentStore.js';
import { PgRoomStore } from './PgRoomStore.js';
import { PgAccountStore } from './PgAccountStore.js';
import { PgWorkspaceStore } from './PgWorkspaceStore.js';
import { PgRoomAccessStore } from './PgRoomAccessStore.js';
import { migratePostgres } from './Postgres.js';

/** How long a readiness probe of the database may take. */
const STORAGE_CHECK_TIMEOUT_MS = 2000;
/** How long shutdown waits for queued audit events. */
const AUDIT_FLUSH_TIMEOUT_MS = 5000;

/** Every store of the control plane and documents, on one database. */
export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  readonly documents: DocumentStore;
  readonly rooms: RoomStore;
  readonly accounts: AccountStore;
  readonly audit: AuditLog;
  readonly workspaces: WorkspaceStore;
  readonly access: RoomAccessStore;
  /** Null when the database answers, else why not. */
  check(): Promise<string | null>;
  /** Flushes and closes; idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the configured storage and brings its schema up to date: PostgreSQL when `DATABASE_URL`
 * is set (migrations under an advisory lock), else SQLite at `DATA_DIR/coderoom.db`.
 */
export async function openStorage(config: CollabConfig, logger: Logger): Promise<Storage> {
  if (config.DATABASE_URL) {
    const pool = createPgPool(config.DATABASE_URL, config.PG_POOL_MAX);
    // An idle client's error (e.g. the server restarted) must not crash the process; the pool replaces it.
    pool.on('error', (err) => logger.warn({ err: err.message }, 'pool | idle connection error'));
    try {
      const { from, to } = await migratePostgres(pool);
      if (from !== to) logger.info({ from, to }, 'openStorage() | PostgreSQL schema migrated');
    } catch (err) {
      await pool.end();
      throw err;
    }
    return postgresStorage(pool, logger);
  }
  return sqliteStorage(openDatabase(join(config.DATA_DIR, 'coderoom.db'), config.SQLITE_SYNCHRONOUS));
}

function sqliteStorage(db: BetterSqlite3.Database): Storage {
  return {
    kind: 'sqlite',
    documents: new SqliteDocumentStore(db),
    rooms: new SqliteRoomStore(db),
    accounts: new SqliteAccountStore(db),
    audit: new SqliteAuditLog(db),
    workspaces: new SqliteWorkspaceStore(db),
    access: new SqliteRoomAccessStore(db),
    async check() {
      try {
        db.prepare('SELECT 1').get();
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

function postgresStorage(pool: pg.Pool, logger: Logger): Storage {
  const audit = new PgAuditLog(pool, logger.child({ component: 'PgAuditLog' }));
  let closing: Promise<void> | null = null;
  return {
    kind: 'postgres',
    documents: new PgDocumentStore(pool),
    rooms: new PgRoomStore(pool),
    accounts: new PgAccountStore(pool),
    audit,
    workspaces: new PgWorkspaceStore(pool),
    access: new PgRoomAccessStore(pool),
    async check() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('no answer from PostgreSQL'), STORAGE_CHECK_TIMEOUT_MS)));
      try {
        return await Promise.race([pool.query('SELECT 1').then(() => null), timeout]);
      } catch (err) {
        return (err as Error).message;
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing ??= (async () => {
        await audit.flush(AUDIT_FLUSH_TIMEOUT_MS);
        audit.close();
        await pool.end();
      })();
      return closing;
    },
  };
}
