import type pg from 'pg';

/** A PostgreSQL migration: its version and the SQL that brings the schema to it. */
interface PgMigration {
  version: number;
  sql: string;
}

/**
 * PostgreSQL schema history; append only. It mirrors the SQLite schema (Database.ts) version by
 * version. Times are ms since the epoch (BIGINT); `ord` columns keep insertion order where SQLite
 * uses its rowid.
 */
const PG_MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE files (
        room_id TEXT NOT NULL REFERENCES rooms(id),
        path TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (room_id, path)
      );
      CREATE TABLE doc_snapshots (
        name TEXT PRIMARY KEY,
        state BYTEA NOT NULL,
        upto_seq BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE doc_updates (
        name TEXT NOT NULL,
        seq BIGINT NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (name, seq)
      );
      CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        room_id TEXT,
        actor TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        detail JSONB
      );
      CREATE INDEX audit_room_at ON audit(room_id, at);
    `,
  },
  {
    // Accounts: identity (users) apart from credentials, so other sign-in kinds can be added.
    version: 2,
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        ord BIGSERIAL NOT NULL,
        email TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        is_admin BOOLEAN NOT NULL DEFAULT false,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE credentials (
        user_id TEXT NOT NULL REFERENCES users(id),
        kind TEXT NOT NULL,
        hash BYTEA NOT NULL,
        salt BYTEA NOT NULL,
        params TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (user_id, kind)
      );
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        ord BIGSERIAL NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id),
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        user_agent TEXT,
        revoked_at BIGINT
      );
      CREATE INDEX sessions_user ON sessions(user_id, created_at);
    `,
  },
  {
    // Teams and access (SQLite version 3): workspaces, room settings, participants, invites, lobby;
    // audit by workspace, and the audit table made append-only.
    version: 3,
    sql: `
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE workspace_members (
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        user_id TEXT NOT NULL REFERENCES users(id),
        role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
        added_at BIGINT NOT NULL,
        PRIMARY KEY (workspace_id, user_id)
      );
      CREATE INDEX workspace_members_user ON workspace_members(user_id);
      CREATE TABLE room_settings (
        room_id TEXT PRIMARY KEY REFERENCES rooms(id),
        workspace_id TEXT REFERENCES workspaces(id),
        kind TEXT NOT NULL CHECK (kind IN ('review', 'pairing', 'class')),
        require_approval BOOLEAN NOT NULL
      );
      CREATE INDEX room_settings_workspace ON room_settings(workspace_id);
      CREATE TABLE participants (
        room_id TEXT NOT NULL REFERENCES rooms(id),
        sub TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('host', 'editor', 'viewer')),
        joined_at BIGINT NOT NULL,
        removed_at BIGINT,
        PRIMARY KEY (room_id, sub)
      );
      CREATE TABLE invites (
        id TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL UNIQUE,
        room_id TEXT NOT NULL REFERENCES rooms(id),
        role TEXT NOT NULL CHECK (role IN ('host', 'editor', 'viewer')),
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        max_uses INTEGER NOT NULL,
        uses INTEGER NOT NULL DEFAULT 0,
        allow_guests BOOLEAN NOT NULL,
        revoked_at BIGINT
      );
      CREATE INDEX invites_room ON invites(room_id, created_at);
      CREATE TABLE lobby (
        id TEXT PRIMARY KEY,
        ticket_hash TEXT NOT NULL UNIQUE,
        room_id TEXT NOT NULL REFERENCES rooms(id),
        invite_id TEXT NOT NULL REFERENCES invites(id),
        sub TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('host', 'editor', 'viewer')),
        requested_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('waiting', 'admitted', 'refused')),
        decided_at BIGINT,
        decided_by TEXT
      );
      CREATE INDEX lobby_room ON lobby(room_id, status, requested_at);
      ALTER TABLE audit ADD COLUMN workspace_id TEXT;
      CREATE INDEX audit_workspace_at ON audit(workspace_id, at);
      CREATE INDEX audit_at ON audit(at, id);
      -- Append-only: rows can be neither changed nor deleted, nor the table emptied.
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$;
      CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
      CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
    `,
  },
];

/** The newest PostgreSQL schema version this code knows. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;

/** Advisory lock key held while migrating ('CRmg' as an int): nodes starting together migrate one at a time. */
const MIGRATION_LOCK_KEY = 0x43526d67;
/** What a migration run did. */
export interface MigrationResult {
  /** Schema version before. */
  from: number;
  /** Schema version after. */
  to: number;
}

/**
 * Brings the PostgreSQL schema up to `target` (default: the newest). Versions are recorded in
 * `schema_migrations`; each migration runs in its own transaction; a session advisory lock makes
 * nodes that start at the same time migrate one after the other (the later ones find nothing to do).
 */
export async function migratePostgres(pool: pg.Pool, target = PG_SCHEMA_VERSION): Promise<MigrationResult> {
  if (!Number.isInteger(target) || target < 1 || target > PG_SCHEMA_VERSION) throw new Error(`no schema version ${target} (1..${PG_SCHEMA_VERSION})`);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      const from = rows[0]?.v ?? 0;
      if (from > PG_SCHEMA_VERSION) throw new Error(`database schema ${from} is newer than this build (${PG_SCHEMA_VERSION})`);
      let to = from;
      for (const m of PG_MIGRATIONS) {
        if (m.version <= from || m.version > target) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        to = m.version;
      }
      return { from, to };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** Runs `fn` inside a transaction on one pooled connection; rolls back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}

/** SQLSTATE of a unique-constraint violation. */
export const UNIQUE_VIOLATION = '23505';

/** Whether `err` is a PostgreSQL unique violation. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}

/** A Uint8Array as a Buffer over the same memory (what `pg` sends as BYTEA). */
export function toBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
