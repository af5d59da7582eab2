import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt parameters (RFC 7914). N = 2^15, r = 8, p = 1 is OWASP's recommended minimum: about
 * 32 MiB of memory (128 · N · r bytes) and some tens of ms per hash. Each stored hash keeps
 * the parameters it was made with, so these can be raised later without breaking old hashes.
 */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelization. */
  p: number;
  /** Length of the derived key, in bytes. */
  keylen: number;
}

/** The parameters new hashes are made with. */
export const SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 15, r: 8, p: 1, keylen: 64 });
/** Bytes of random salt per hash. */
export const SALT_BYTES = 16;

/** A password hash as stored: the derived key, its salt and the parameters that made it. */
export interface PasswordHash {
  hash: Buffer;
  salt: Buffer;
  params: ScryptParams;
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // maxmem must exceed 128·N·r (Node's default, 32 MiB, is exactly that for our parameters).
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 2 * 128 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, params.keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password with a fresh salt (scrypt runs on libuv's thread pool, off the event loop). */
export async function hashPassword(password: string, params: ScryptParams = SCRYPT_PARAMS): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES);
  return { hash: await derive(password, salt, params), salt, params: { ...params } };
}

/** Whether `password` matches `stored`, compared in constant time. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const key = await derive(password, stored.salt, stored.params);
  return key.length === stored.hash.length && timingSafeEqual(key, stored.hash);
}

let dummy: Promise<PasswordHash> | null = null;

/**
 * Spends the same work as a real check against a hash nobody can match: used when the email
 * is unknown, so the answer's timing does not tell which accounts exist.
 */
export async function verifyNothing(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(32).toString('base64url'));
  await verifyPassword(password, await dummy);
  return false;
}
