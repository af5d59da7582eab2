import type { User } from '@coderoom/shared';
import type { PasswordHash } from './passwords.js';

/**
 * Accounts, their credentials and their sessions. Identity (`users`) is kept apart from how
 * one proves it (`credentials`, today only kind `password`), so other sign-in methods such as
 * OIDC can be added as further credential kinds. Every implementation passes
 * `test/AccountStore.contract.ts`.
 */
export interface AccountStore {
  /**
   * Creates an account with a password. It is an admin when `isAdmin` is set or when it is the
   * first account of the instance (decided atomically). Null when the email is taken.
   */
  createUser(input: NewUser, password: PasswordHash): Promise<User | null>;
  /** The account, or null. */
  getUser(id: string): Promise<User | null>;
  /** The account with this (lower-cased) email, or null. */
  getUserByEmail(email: string): Promise<User | null>;
  /** Every account, oldest first. */
  listUsers(): Promise<User[]>;
  /** The account's password hash, or null when it has none. */
  getPassword(userId: string): Promise<PasswordHash | null>;
  /** Sets (or replaces) the account's password hash. */
  setPassword(userId: string, password: PasswordHash): Promise<void>;
  /** Stores a new session. */
  createSession(session: NewSession): Promise<void>;
  /** The session with this id (the SHA-256 of its secret), live or not, or null. */
  getSession(id: string): Promise<StoredSession | null>;
  /** Records that the session was used at `at`. */
  touchSession(id: string, at: number): Promise<void>;
  /** The account's sessions that are neither revoked nor expired at `now`, newest first. */
  listSessions(userId: string, now: number): Promise<StoredSession[]>;
  /** Revokes one session of the account; false when it is not the account's or already revoked. */
  revokeSession(userId: string, id: string, at: number): Promise<boolean>;
  /** Revokes every live session of the account except `exceptId`; returns how many. */
  revokeSessions(userId: string, at: number, exceptId?: string): Promise<number>;
}

/** What a new account needs. */
export interface NewUser {
  /** Lower-cased email. */
  email: string;
  displayName: string;
  /** Make it an admin even if it is not the first account. */
  isAdmin?: boolean;
}

/** What a new session needs. */
export interface NewSession {
  /** SHA-256 of the cookie secret, base64url: the secret itself is never stored. */
  id: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  userAgent: string | null;
}

/** A session as stored. */
export interface StoredSession extends NewSession {
  lastSeenAt: number;
  revokedAt: number | null;
}
