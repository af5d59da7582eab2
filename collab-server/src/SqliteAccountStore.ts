import { randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { User } from '@coderoom/shared';
import type { AccountStore, NewSession, NewUser, StoredSession } from './AccountStore.js';
import type { PasswordHash, ScryptParams } from './passwords.js';

/** Bytes of randomness in a user id (16 base64url characters). */
export const USER_ID_BYTES = 12;
/** The credential kind of a local password. */
export const PASSWORD_KIND = 'password';

interface UserRow { id: string; email: string; display_name: string; is_admin: number; created_at: number }
interface CredentialRow { hash: Buffer; salt: Buffer; params: string }
interface SessionRow { id: string; user_id: string; created_at: number; last_seen_at: number; expires_at: number; user_agent: string | null; revoked_at: number | null }

const USER_COLUMNS = 'id, email, display_name, is_admin, created_at';
const SESSION_COLUMNS = 'id, user_id, created_at, last_seen_at, expires_at, user_agent, revoked_at';

function toUser(r: UserRow): User {
  return { id: r.id, email: r.email, displayName: r.display_name, isAdmin: r.is_admin === 1, createdAt: r.created_at };
}

function toSession(r: SessionRow): StoredSession {
  return { id: r.id, userId: r.user_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at, userAgent: r.user_agent, revokedAt: r.revoked_at };
}

/** AccountStore on SQLite. */
export class SqliteAccountStore implements AccountStore {
  private readonly stmts;
  private readonly insertUserTx;

  constructor(db: BetterSqlite3.Database) {
    this.stmts = {
      countUsers: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users'),
      insertUser: db.prepare('INSERT OR IGNORE INTO users (id, email, display_name, is_admin, created_at) VALUES (?, ?, ?, ?, ?)'),
      getUser: db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
      getUserByEmail: db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`),
      listUsers: db.prepare<[], UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, rowid`),
      getCredential: db.prepare<[string, string], CredentialRow>('SELECT hash, salt, params FROM credentials WHERE user_id = ? AND kind = ?'),
      upsertCredential: db.prepare(
        'INSERT INTO credentials (user_id, kind, hash, salt, params, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, kind) DO UPDATE SET hash = excluded.hash, salt = excluded.salt, params = excluded.params, updated_at = excluded.updated_at',
      ),
      insertSession: db.prepare('INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)'),
      getSession: db.prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`),
      touchSession: db.prepare('UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?'),
      listSessions: db.prepare<[string, number], SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, rowid DESC`,
      ),
      revokeSession: db.prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id = ? AND revoked_at IS NULL'),
      revokeSessions: db.prepare("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id != ?"),
    };
    this.insertUserTx = db.transaction((input: NewUser, password: PasswordHash): User | null => {
      const first = this.stmts.countUsers.get()!.n === 0;
      const user: User = { id: randomBytes(USER_ID_BYTES).toString('base64url'), email: input.email, displayName: input.displayName, isAdmin: first || input.isAdmin === true, createdAt: Date.now() };
      if (this.stmts.insertUser.run(user.id, user.email, user.displayName, user.isAdmin ? 1 : 0, user.createdAt).changes !== 1) return null;
      this.writePassword(user.id, password, user.createdAt);
      return user;
    });
  }

  async createUser(input: NewUser, password: PasswordHash): Promise<User | null> {
    // IMMEDIATE: two first sign-ups at once (even from two processes) cannot both become admin.
    return this.insertUserTx.immediate(input, password);
  }

  async getUser(id: string): Promise<User | null> {
    const row = this.stmts.getUser.get(id);
    return row ? toUser(row) : null;
  }

  async getUserByEmail(email: string): Promise<User | null> {
    const row = this.stmts.getUserByEmail.get(email);
    return row ? toUser(row) : null;
  }

  async listUsers(): Promise<User[]> {
    return this.stmts.listUsers.all().map(toUser);
  }

  async getPassword(userId: string): Promise<PasswordHash | null> {
    const row = this.stmts.getCredential.get(userId, PASSWORD_KIND);
    return row ? { hash: row.hash, salt: row.salt, params: JSON.parse(row.params) as ScryptParams } : null;
  }

  async setPassword(userId: string, password: PasswordHash): Promise<void> {
    this.writePassword(userId, password, Date.now());
  }

  private writePassword(userId: string, password: PasswordHash, at: number): void {
    this.stmts.upsertCredential.run(userId, PASSWORD_KIND, password.hash, password.salt, JSON.stringify(password.params), at);
  }

  async createSession(s: NewSession): Promise<void> {
    this.stmts.insertSession.run(s.id, s.userId, s.createdAt, s.createdAt, s.expiresAt, s.userAgent);
  }

  async getSession(id: string): Promise<StoredSession | null> {
    const row = this.stmts.getSession.get(id);
    return row ? toSession(row) : null;
  }

  async touchSession(id: string, at: number): Promise<void> {
    this.stmts.touchSession.run(at, id);
  }

  async listSessions(userId: string, now: number): Promise<StoredSession[]> {
    return this.stmts.listSessions.all(userId, now).map(toSession);
  }

  async revokeSession(userId: string, id: string, at: number): Promise<boolean> {
    return this.stmts.revokeSession.run(at, userId, id).changes === 1;
  }

  async revokeSessions(userId: string, at: number, exceptId = ''): Promise<number> {
    return this.stmts.revokeSessions.run(at, userId, exceptId).changes;
  }
}
