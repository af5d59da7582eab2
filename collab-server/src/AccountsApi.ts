import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import {
  ChangePasswordRequestSchema,
  ConflictError,
  NotFoundError,
  RateLimitedError,
  SignInRequestSchema,
  SignUpRequestSchema,
  UnauthorizedError,
  AuthUserResponseSchema,
  SessionListResponseSchema,
  type AuditSink,
  type SessionInfo,
  type User,
} from '@coderoom/shared';
import { z } from 'zod';
import type { AccountStore, StoredSession } from './AccountStore.js';
import type { CollabConfig } from './config.js';
import { hashPassword, verifyNothing, verifyPassword } from './passwords.js';
import { RateLimiter } from './RateLimiter.js';
import { isHttps, readCookie, readJson, requireSameOrigin, sendJson, type Router } from './http.js';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'coderoom_session';
/** Bytes of randomness in a session secret (43 base64url characters). */
export const SESSION_SECRET_BYTES = 32;
/** Failed sign-ins allowed per email address per window. */
export const SIGNIN_FAILURES_PER_EMAIL = 10;
/** Failed sign-ins allowed per client IP per window (higher: a team may share one NAT address). */
export const SIGNIN_FAILURES_PER_IP = 30;
/** The sign-in rate-limit window, in ms. */
export const SIGNIN_WINDOW_MS = 15 * 60 * 1000;
/** Sign-ups allowed per client IP per window (ACC12). */
export const SIGNUPS_PER_IP = 20;
/** The sign-up rate-limit window, in ms. */
export const SIGNUP_WINDOW_MS = 60 * 60 * 1000;
/** Longest User-Agent kept with a session, in characters. */
const MAX_USER_AGENT_CHARS = 256;
/** The one answer to a wrong email or password: it never tells which was wrong. */
const WRONG_CREDENTIALS = 'wrong email or password';

const SESSION_SECRET_RE = /^[A-Za-z0-9_-]{43}$/;

export interface AccountsApiDeps {
  config: CollabConfig;
  accounts: AccountStore;
  audit: AuditSink;
}

/** A signed-in request: the account and the session it came with. */
export interface Authenticated {
  user: User;
  session: StoredSession;
}

/** The stored id of a session: SHA-256 of its secret, so a database leak gives no live cookies. */
export function sessionId(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/**
 * Local accounts and cookie sessions under /api/auth (collab-server/SPEC.md, Accounts rules).
 * Every state-changing route passes `requireSameOrigin` (CSRF).
 */
export class AccountsApi {
  private readonly failuresByEmail = new RateLimiter(SIGNIN_FAILURES_PER_EMAIL, SIGNIN_WINDOW_MS);
  private readonly failuresByIp = new RateLimiter(SIGNIN_FAILURES_PER_IP, SIGNIN_WINDOW_MS);
  private readonly signUpsByIp = new RateLimiter(SIGNUPS_PER_IP, SIGNUP_WINDOW_MS);

  constructor(private readonly d: AccountsApiDeps) {}

  /** Adds the /api/auth routes to `router`. */
  mount(router: Router): this {
    const tag = 'auth';
    router
      .add('POST', '/api/auth/signup', (req, res) => this.signUp(req, res), {
        summary: 'Create a local account and sign in (the first account is the instance admin); rate limited per IP', tag, auth: 'none', body: SignUpRequestSchema, response: AuthUserResponseSchema, status: 201, errors: ['CONFLICT', 'FORBIDDEN', 'RATE_LIMITED'],
      })
      .add('POST', '/api/auth/signin', (req, res) => this.signIn(req, res), {
        summary: 'Sign in; sets the session cookie; failures are rate limited per email and IP', tag, auth: 'none', body: SignInRequestSchema, response: AuthUserResponseSchema, errors: ['UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED'],
      })
      .add('POST', '/api/auth/signout', (req, res) => this.signOut(req, res), {
        summary: 'Revoke the current session and clear the cookie', tag, auth: 'cookie', response: z.object({}), errors: ['FORBIDDEN'],
      })
      .add('GET', '/api/auth/me', async (req, res) => sendJson(res, 200, { user: (await this.authenticate(req)).user }), {
        summary: 'The signed-in account', tag, auth: 'cookie', response: AuthUserResponseSchema,
      })
      .add('POST', '/api/auth/password', (req, res) => this.changePassword(req, res), {
        summary: 'Change the password; every other session is revoked', tag, auth: 'cookie', body: ChangePasswordRequestSchema, response: z.object({ revokedSessions: z.number() }), errors: ['FORBIDDEN', 'RATE_LIMITED'],
      })
      .add('GET', '/api/auth/sessions', (req, res) => this.listSessions(req, res), {
        summary: "The account's live sessions", tag, auth: 'cookie', response: SessionListResponseSchema,
      })
      .add('POST', '/api/auth/sessions/:id/revoke', (req, res, p) => this.revokeSession(req, res, p.id!), {
        summary: 'Revoke one of the account\'s sessions', tag, auth: 'cookie', response: z.object({ id: z.string() }), errors: ['FORBIDDEN', 'NOT_FOUND'],
      });
    return this;
  }

  /** The account and session of a request's cookie, or throws UNAUTHORIZED. */
  async authenticate(req: IncomingMessage): Promise<Authenticated> {
    const secret = readCookie(req, SESSION_COOKIE);
    if (secret === null || !SESSION_SECRET_RE.test(secret)) throw new UnauthorizedError('not signed in');
    const now = Date.now();
    const session = await this.d.accounts.getSession(sessionId(secret));
    if (!session || session.revokedAt !== null || session.expiresAt <= now) throw new UnauthorizedError('session expired or revoked');
    const user = await this.d.accounts.getUser(session.userId);
    if (!user) throw new UnauthorizedError('session expired or revoked');
    await this.d.accounts.touchSession(session.id, now);
    return { user, session: { ...session, lastSeenAt: now } };
  }

  private audit(user: Pick<User, 'id' | 'displayName'> | null, action: string, target: string | null, detail: Record<string, unknown> | null = null): void {
    const actor = user ? `user:${user.id}` : 'anonymous';
    this.d.audit.append({ at: Date.now(), roomId: null, actor, actorName: user?.displayName ?? '', action, target, detail });
  }

  /** Starts a session for `user` and sets its cookie. */
  private async startSession(req: IncomingMessage, res: ServerResponse, user: User): Promise<void> {
    const secret = randomBytes(SESSION_SECRET_BYTES).toString('base64url');
    const ttl = this.d.config.SESSION_TTL_SECONDS;
    const now = Date.now();
    const userAgent = req.headers['user-agent']?.slice(0, MAX_USER_AGENT_CHARS) ?? null;
    await this.d.accounts.createSession({ id: sessionId(secret), userId: user.id, createdAt: now, expiresAt: now + ttl * 1000, userAgent });
    this.setCookie(req, res, secret, ttl);
  }

  private setCookie(req: IncomingMessage, res: ServerResponse, value: string, maxAgeSeconds: number): void {
    const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
    if (isHttps(req)) parts.push('Secure');
    res.setHeader('set-cookie', parts.join('; '));
  }

  private clearCookie(req: IncomingMessage, res: ServerResponse): void {
    this.setCookie(req, res, '', 0);
  }

  private async signUp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requireSameOrigin(req, this.d.config.ALLOWED_ORIGINS);
    // Every attempt counts, so the limit also bounds probing which emails are taken.
    const ip = req.socket.remoteAddress ?? 'unknown';
    if (this.signUpsByIp.isLimited(ip)) throw new RateLimitedError('too many sign-ups from this address; try again later');
    this.signUpsByIp.hit(ip);
    const body = await readJson(req, SignUpRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    if (await this.d.accounts.getUserByEmail(body.email)) throw new ConflictError('an account with this email exists');
    const user = await this.d.accounts.createUser({ email: body.email, displayName: body.displayName }, await hashPassword(body.password));
    if (!user) throw new ConflictError('an account with this email exists');
    this.audit(user, 'auth.signup', body.email, { isAdmin: user.isAdmin });
    await this.startSession(req, res, user);
    sendJson(res, 201, { user });
  }

  private async signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requireSameOrigin(req, this.d.config.ALLOWED_ORIGINS);
    const { email, password } = await readJson(req, SignInRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    const ip = req.socket.remoteAddress ?? 'unknown';
    if (this.failuresByEmail.isLimited(email) || this.failuresByIp.isLimited(ip)) {
      this.audit(null, 'auth.signin_failed', email, { ip, reason: 'rate_limited' });
      throw new RateLimitedError('too many failed sign-ins; try again later');
    }
    const user = await this.d.accounts.getUserByEmail(email);
    const stored = user ? await this.d.accounts.getPassword(user.id) : null;
    const ok = stored ? await verifyPassword(password, stored) : await verifyNothing(password);
    if (!user || !ok) {
      this.failuresByEmail.hit(email);
      this.failuresByIp.hit(ip);
      this.audit(null, 'auth.signin_failed', email, { ip, reason: user ? 'wrong_password' : 'unknown_email' });
      throw new UnauthorizedError(WRONG_CREDENTIALS);
    }
    this.failuresByEmail.reset(email);
    await this.startSession(req, res, user);
    this.audit(user, 'auth.signin', email, { ip });
    sendJson(res, 200, { user });
  }

  private async signOut(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requireSameOrigin(req, this.d.config.ALLOWED_ORIGINS);
    const { user, session } = await this.authenticate(req);
    await this.d.accounts.revokeSession(user.id, session.id, Date.now());
    this.audit(user, 'auth.signout', null);
    this.clearCookie(req, res);
    sendJson(res, 200, {});
  }

  private async changePassword(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requireSameOrigin(req, this.d.config.ALLOWED_ORIGINS);
    const { user, session } = await this.authenticate(req);
    const body = await readJson(req, ChangePasswordRequestSchema, this.d.config.API_MAX_BODY_BYTES);
    // Guessing the current password with a stolen cookie counts against the sign-in limit.
    if (this.failuresByEmail.isLimited(user.email)) throw new RateLimitedError('too many failed attempts; try again later');
    const stored = await this.d.accounts.getPassword(user.id);
    if (!stored || !(await verifyPassword(body.currentPassword, stored))) {
      this.failuresByEmail.hit(user.email);
      throw new UnauthorizedError('current password is wrong');
    }
    await this.d.accounts.setPassword(user.id, await hashPassword(body.newPassword));
    const revoked = await this.d.accounts.revokeSessions(user.id, Date.now(), session.id);
    this.audit(user, 'auth.password_change', user.email, { revokedSessions: revoked });
    sendJson(res, 200, { revokedSessions: revoked });
  }

  private async listSessions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { user, session } = await this.authenticate(req);
    const sessions: SessionInfo[] = (await this.d.accounts.listSessions(user.id, Date.now())).map((s) => ({
      id: s.id,
      createdAt: s.createdAt,
      lastSeenAt: s.id === session.id ? session.lastSeenAt : s.lastSeenAt,
      expiresAt: s.expiresAt,
      userAgent: s.userAgent,
      current: s.id === session.id,
    }));
    sendJson(res, 200, { sessions });
  }

  private async revokeSession(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    requireSameOrigin(req, this.d.config.ALLOWED_ORIGINS);
    const { user, session } = await this.authenticate(req);
    if (!(await this.d.accounts.revokeSession(user.id, id, Date.now()))) throw new NotFoundError('session not found');
    this.audit(user, 'auth.session_revoke', id, { current: id === session.id });
    if (id === session.id) this.clearCookie(req, res);
    sendJson(res, 200, { id });
  }
}
