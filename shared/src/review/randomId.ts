/** Bytes of randomness in a review id (16 base64url characters). */
const REVIEW_ID_BYTES = 12;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A random 16-character base64url id from the platform CSPRNG (browser and Node alike). */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(REVIEW_ID_BYTES));
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64URL[(n >> 18) & 63]! + BASE64URL[(n >> 12) & 63]! + BASE64URL[(n >> 6) & 63]! + BASE64URL[n & 63]!;
  }
  return out;
}
