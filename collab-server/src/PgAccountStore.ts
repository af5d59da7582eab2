import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { User } from '@coderoom/shared';
import type { AccountStore, NewSession, NewUser, StoredSession } from './AccountStore.js';
import type { PasswordHash, ScryptParams } from './passwords.js';
import { inTransaction } from './Postgres.js';
import { PASSWORD_KIND, USER_ID_BYTES } from './SqliteAccountStore.js';

interface UserRow { id: string; email: string; display_name: string; is_admin: boolean; created_at: number }
interface SessionRow { id: string; user_id: string; created_at: number; last_seen_at: number; expires_at: number; user_agent: string | null; revoked_at: number | null }

const USER_COLUMNS = 'id, email, display_name, is_admin, created_at';
const SESSION_COLUMNS = 'id, user_id, created_at, last_seen_at, expires_at, user_agent, revoked_at';
/** Advisory lock key taken while creating an account ('CRus'): the first-account-is-admin check and the insert are one step. */
const CREATE_USER_LOCK_KEY = 0x43527573;
const UPSERT_CREDENTIAL =
  'INSERT INTO credentials (user_id, kind, hash, salt, params, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, kind) DO UPDATE SET hash = excluded.hash, salt = excluded.salt, params = excluded.params, updated_at = excluded.updated_at';

function toUser(r: UserRow): User {
  return { id: r.id, email: r.email, displayName: r.display_name, isAdmin: r.is_admin, createdAt: r.created_at };
}

function toSession(r: SessionRow): StoredSession {
  return { id: r.id, userId: r.user_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at, userAgent: r.user_agent, revokedAt: r.revoked_at };
}

function credentialParams(userId: string, password: PasswordHash, at: number): unknown[] {
  return [userId, PASSWORD_KIND, password.hash, password.salt, JSON.stringify(password.params), at];
}

/** AccountStore on PostgreSQL. */
export class PgAccountStore implements AccountStore {
  constructor(private readonly pool: pg.Pool) {}

  async createUser(input: NewUser, password: PasswordHash): Promise<User | null> {
    // Two first sign-ups at once (even on two nodes) cannot both become admin.
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [CREATE_USER_LOCK_KEY]);
      const { rows } = await c.query<{ first: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM users) AS first');
      const user: User = { id: randomBytes(USER_ID_BYTES).toString('base64url'), email: input.email, displayName: input.displayName, isAdmin: rows[0]!.first || input.isAdmin === true, createdAt: Date.now() };
      const inserted = await c.query('INSERT INTO users (id, email, display_name, is_admin, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
        user.id,
        user.email,
        user.displayName,
        user.isAdmin,
        user.createdAt,
      ]);
      if (inserted.rowCount !== 1) return null;
      await c.query(UPSERT_CREDENTIAL, credentialParams(user.id, password, user.createdAt));
      return user;
    });
  }

  async getUser(id: string): Promise<User | null> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async getUserByEmail(email: string): Promise<User | null> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async listUsers(): Promise<User[]> {
    const { rows } = await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, ord`);
    return rows.map(toUser);
  }

  async getPassword(userId: string): Promise<PasswordHash | null> {
    const { rows } = await this.pool.query<{ hash: Buffer; salt: Buffer; params: string }>('SELECT hash, salt, params FROM credentials WHERE user_id = $1 AND kind = $2', [userId, PASSWORD_KIND]);
    const row = rows[0];
    return row ? { hash: row.hash, salt: row.salt, params: JSON.parse(row.params) as ScryptParams } : null;
  }

  async setPassword(userId: string, password: PasswordHash): Promise<void> {
    await this.pool.query(UPSERT_CREDENTIAL, credentialParams(userId, password, Date.now()));
  }

  async createSession(s: NewSession): Promise<void> {
    await this.pool.query('INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent, revoked_at) VALUES ($1, $2, $3, $3, $4, $5, NULL)', [
      s.id,
      s.userId,
      s.createdAt,
      s.expiresAt,
      s.userAgent,
    ]);
  }

  async getSession(id: string): Promise<StoredSession | null> {
    const { rows } = await this.pool.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`, [id]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  async touchSession(id: string, at: number): Promise<void> {
    await this.pool.query('UPDATE sessions SET last_seen_at = greatest(last_seen_at, $1) WHERE id = $2', [at, id]);
  }

  async listSessions(userId: string, now: number): Promise<StoredSession[]> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, ord DESC`,
      [userId, now],
    );
    return rows.map(toSession);
  }

  async revokeSession(userId: string, id: string, at: number): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND id = $3 AND revoked_at IS NULL', [at, userId, id]);
    return rowCount === 1;
  }

  async revokeSessions(userId: string, at: number, exceptId = ''): Promise<number> {
    const { rowCount } = await this.pool.query('UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3', [at, userId, exceptId]);
    return rowCount ?? 0;
  }
}
