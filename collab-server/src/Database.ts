import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/** A migration: its version and the SQL that brings the schema to it. */
interface Migration {
  version: number;
  sql: string;
}

/** Schema history; append only. */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE files (
        room_id TEXT NOT NULL REFERENCES rooms(id),
        path TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (room_id, path)
      );
      CREATE TABLE doc_snapshots (
        name TEXT PRIMARY KEY,
        state BLOB NOT NULL,
        upto_seq INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE doc_updates (
        name TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (name, seq)
      ) WITHOUT ROWID;
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        room_id TEXT,
        actor TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT
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
        email TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        is_admin INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE credentials (
        user_id TEXT NOT NULL REFERENCES users(id),
        kind TEXT NOT NULL,
        hash BLOB NOT NULL,
        salt BLOB NOT NULL,
        params TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, kind)
      );
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        user_agent TEXT,
        revoked_at INTEGER
      );
      CREATE INDEX sessions_user ON sessions(user_id, created_at);
    `,
  },
  {
    // Teams and access: workspaces, room settings, participants, invites, lobby; audit by workspace.
    version: 3,
    sql: `
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE workspace_members (
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        user_id TEXT NOT NULL REFERENCES users(id),
        role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
        added_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, user_id)
      );
      CREATE INDEX workspace_members_user ON workspace_members(user_id);
      CREATE TABLE room_settings (
        room_id TEXT PRIMARY KEY REFERENCES rooms(id),
        workspace_id TEXT REFERENCES workspaces(id),
        kind TEXT NOT NULL CHECK (kind IN ('review', 'pairing', 'class')),
        require_approval INTEGER NOT NULL
      );
      CREATE INDEX room_settings_workspace ON room_settings(workspace_id);
      CREATE TABLE participants (
        room_id TEXT NOT NULL REFERENCES rooms(id),
        sub TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('host', 'editor', 'viewer')),
        joined_at INTEGER NOT NULL,
        removed_at INTEGER,
        PRIMARY KEY (room_id, sub)
      );
      CREATE TABLE invites (
        id TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL UNIQUE,
        room_id TEXT NOT NULL REFERENCES rooms(id),
        role TEXT NOT NULL CHECK (role IN ('host', 'editor', 'viewer')),
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        max_uses INTEGER NOT NULL,
        uses INTEGER NOT NULL DEFAULT 0,
        allow_guests INTEGER NOT NULL,
        revoked_at INTEGER
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
        requested_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('waiting', 'admitted', 'refused')),
        decided_at INTEGER,
        decided_by TEXT
      );
      CREATE INDEX lobby_room ON lobby(room_id, status, requested_at);
      ALTER TABLE audit ADD COLUMN workspace_id TEXT;
      CREATE INDEX audit_workspace_at ON audit(workspace_id, at);
      CREATE INDEX audit_at ON audit(at);
      -- Append-only: rows can be neither changed nor deleted (a backup restore replaces the file).
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    `,
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Opens the SQLite database (WAL) and brings its schema up to date. Safe to open from several processes. */
export function openDatabase(file: string, synchronous: 'FULL' | 'NORMAL' = 'FULL'): BetterSqlite3.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: BetterSqlite3.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  // IMMEDIATE: two processes starting at once must not both run a migration.
  db.transaction(() => {
    const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > SCHEMA_VERSION) throw new Error(`database schema ${current} is newer than this build (${SCHEMA_VERSION})`);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(m.version);
    }
  }).immediate();
}
