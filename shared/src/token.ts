import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, createLocalJWKSet, type JWK, type JSONWebKeySet, type CryptoKey } from 'jose';
import { z } from 'zod';
import { RoleSchema } from './roles.js';
import { RoomIdSchema } from './ids.js';
import { UnauthorizedError } from './errors.js';
import { DisplayNameSchema } from './names.js';

/** Signing algorithm of every access token. */
export const TOKEN_ALG = 'EdDSA';
/** `iss` and `aud` of every access token. */
export const TOKEN_ISSUER = 'coderoom';
/** Default lifetime of an access token, in seconds. */
export const DEFAULT_TOKEN_TTL_SECONDS = 15 * 60;
/** Longest token accepted from a client, in characters. */
export const MAX_TOKEN_CHARS = 4096;

/**
 * The claims every plane reads from an access token. `grants` is reserved for per-resource
 * grants (terminal control) that later issues add; planes ignore grants they do not know.
 */
export const AccessClaimsSchema = z.object({
  /** Subject: a user id, or `guest:<random>` for people without an account. */
  sub: z.string().min(1).max(128),
  /** Display name shown to others. */
  name: DisplayNameSchema,
  /** The one room this token admits to. */
  room: RoomIdSchema,
  /** Role in that room. */
  role: RoleSchema,
  /** Extra grants, e.g. `terminal:<id>:drive`. */
  grants: z.array(z.string().max(128)).max(64).default([]),
  /** Expiry, seconds since the epoch. */
  exp: z.number().int(),
});
export type AccessClaims = z.infer<typeof AccessClaimsSchema>;

/** What the issuer needs to mint a token (exp is computed). */
export type AccessTokenInput = Omit<AccessClaims, 'exp' | 'grants'> & { grants?: string[] };

/** Ed25519 key pair of the control plane, kept in `<dataDir>/keys/signing.jwk.json`. */
export class TokenIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    readonly kid: string,
  ) {}

  /** Loads the key pair from the data directory, generating it on first use. */
  static async open(dataDir: string): Promise<TokenIssuer> {
    const dir = join(dataDir, 'keys');
    const file = join(dir, 'signing.jwk.json');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    let stored: { kid: string; privateJwk: JWK; publicJwk: JWK };
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALG, { extractable: true, crv: 'Ed25519' });
      const kid = `k${Date.now().toString(36)}`;
      stored = { kid, privateJwk: await exportJWK(privateKey), publicJwk: { ...(await exportJWK(publicKey)), kid, alg: TOKEN_ALG, use: 'sig' } };
      try {
        // 'wx': if another process (the CLI beside a running hub) won the race, read its key instead.
        writeFileSync(file, JSON.stringify(stored), { flag: 'wx', mode: 0o600 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
      }
    }
    const privateKey = (await importJWK(stored.privateJwk, TOKEN_ALG)) as CryptoKey;
    return new TokenIssuer(privateKey, stored.publicJwk, stored.kid);
  }

  /** The public keys, as served at `/api/.well-known/jwks.json`. */
  jwks(): JSONWebKeySet {
    return { keys: [this.publicJwk] };
  }

  /** Signs an access token. */
  async sign(input: AccessTokenInput, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS): Promise<string> {
    const { sub, name, room, role, grants = [] } = input;
    return new SignJWT({ name, room, role, grants })
      .setProtectedHeader({ alg: TOKEN_ALG, kid: this.kid, typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.privateKey);
  }
}

/** Verifies tokens against a key set; no database call. */
export class TokenVerifier {
  private readonly keys: ReturnType<typeof createLocalJWKSet>;

  constructor(jwks: JSONWebKeySet) {
    this.keys = createLocalJWKSet(jwks);
  }

  /**
   * A verifier with the public key the control plane keeps in `<dataDir>/keys/signing.jwk.json`
   * (for planes running on their own). Throws with the file's path when it cannot be read.
   */
  static fromDataDir(dataDir: string): TokenVerifier {
    const file = join(dataDir, 'keys', 'signing.jwk.json');
    try {
      const { publicJwk } = JSON.parse(readFileSync(file, 'utf8')) as { publicJwk: JWK };
      return new TokenVerifier({ keys: [publicJwk] });
    } catch (err) {
      throw new Error(`cannot read the public key from ${file} (written by the control plane): ${(err as Error).message}`);
    }
  }

  /** Returns the claims, or throws UnauthorizedError with the reason. */
  async verify(token: unknown): Promise<AccessClaims> {
    if (typeof token !== 'string' || token.length === 0) throw new UnauthorizedError('missing token');
    if (token.length > MAX_TOKEN_CHARS) throw new UnauthorizedError('token too long');
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.keys, { algorithms: [TOKEN_ALG], issuer: TOKEN_ISSUER, audience: TOKEN_ISSUER }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new UnauthorizedError(code === 'ERR_JWT_EXPIRED' ? 'token expired' : 'invalid token');
    }
    const claims = AccessClaimsSchema.safeParse(payload);
    if (!claims.success) throw new UnauthorizedError('token claims are invalid');
    return claims.data;
  }
}
