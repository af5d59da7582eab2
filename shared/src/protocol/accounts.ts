import { z } from 'zod';
import { DisplayNameSchema } from '../names.js';

/**
 * Password rules: at least `MIN_PASSWORD_CHARS` and at most `MAX_PASSWORD_CHARS` characters
 * (UTF-16 code units, as JavaScript counts them). Nothing else is required: length is what
 * makes a password strong, and composition rules only make it harder to remember. A password
 * is never trimmed or otherwise changed.
 */
export const MIN_PASSWORD_CHARS = 10;
/** Longest password, in characters (bounds the work hashing it). */
export const MAX_PASSWORD_CHARS = 256;
/** Longest email address, in characters (RFC 5321 path limit). */
export const MAX_EMAIL_CHARS = 254;

/** A password as the rules above allow it. */
export const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_CHARS, `password must be at least ${MIN_PASSWORD_CHARS} characters`)
  .max(MAX_PASSWORD_CHARS, `password must be at most ${MAX_PASSWORD_CHARS} characters`);

/** An email address: trimmed and lower-cased, so it identifies one account whatever its case. */
export const EmailSchema = z.string().trim().max(MAX_EMAIL_CHARS).toLowerCase().pipe(z.email('not a valid email address'));

/** POST /api/auth/signup: create a local account (and sign in). The first account of an instance is its admin. */
export const SignUpRequestSchema = z.object({ email: EmailSchema, password: PasswordSchema, displayName: DisplayNameSchema }).strict();
export type SignUpRequest = z.infer<typeof SignUpRequestSchema>;

/**
 * POST /api/auth/signin: sign in with email and password; sets the session cookie. Only the
 * length limit is checked here, so a password set under older rules still signs in.
 */
export const SignInRequestSchema = z.object({ email: EmailSchema, password: z.string().min(1).max(MAX_PASSWORD_CHARS) }).strict();
export type SignInRequest = z.infer<typeof SignInRequestSchema>;

/** POST /api/auth/password: change one's password; every other session of the account is revoked. */
export const ChangePasswordRequestSchema = z.object({ currentPassword: z.string().min(1).max(MAX_PASSWORD_CHARS), newPassword: PasswordSchema }).strict();
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;

/** An account as the API shows it. */
export const UserSchema = z.object({ id: z.string(), email: z.string(), displayName: z.string(), isAdmin: z.boolean(), createdAt: z.number() });
export type User = z.infer<typeof UserSchema>;

/** Answer of signup, signin and GET /api/auth/me. */
export const AuthUserResponseSchema = z.object({ user: UserSchema });

/** One session in GET /api/auth/sessions; `current` marks the one making the request. */
export const SessionInfoSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  expiresAt: z.number(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** Answer of GET /api/auth/sessions: the account's live sessions, newest first. */
export const SessionListResponseSchema = z.object({ sessions: z.array(SessionInfoSchema) });
