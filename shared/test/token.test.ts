import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SignJWT, generateKeyPair } from 'jose';
import { TokenIssuer, TokenVerifier, UnauthorizedError } from '../src/index.js';

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'coderoom-token-'));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const claims = { sub: 'guest:abcdefgh', name: 'Ann', room: 'room0000000001', role: 'editor' as const };

describe('access tokens', () => {
  it('TOKEN1 keys are generated once, kept private (0600) and reused by every opener', async () => {
    const d = dir();
    const a = await TokenIssuer.open(d);
    const b = await TokenIssuer.open(d);
    expect(a.kid).toBe(b.kid);
    expect(statSync(join(d, 'keys', 'signing.jwk.json')).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(a.jwks())).not.toContain('"d"'); // no private part in the JWKS
    const token = await a.sign(claims);
    expect(await new TokenVerifier(b.jwks()).verify(token)).toMatchObject({ ...claims, grants: [] });
  });

  it('TOKEN2 expired, forged, wrong-algorithm, garbage and claim-less tokens are UNAUTHORIZED', async () => {
    const issuer = await TokenIssuer.open(dir());
    const verifier = new TokenVerifier(issuer.jwks());
    const other = await TokenIssuer.open(dir());
    const hs = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).setIssuer('coderoom').setAudience('coderoom').setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(32)));
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const noRoom = await new SignJWT({ name: 'A', role: 'host' }).setProtectedHeader({ alg: 'EdDSA', kid: issuer.kid }).setSubject('s').setIssuer('coderoom').setAudience('coderoom').setExpirationTime('1h').sign(privateKey);
    const badRole = await issuer.sign({ ...claims, role: 'admin' as never });
    const cases: [unknown, string][] = [
      [await issuer.sign(claims, -1), 'token expired'],
      [await other.sign(claims), 'invalid token'],
      [hs, 'invalid token'],
      [noRoom, 'invalid token'],
      [badRole, 'token claims are invalid'],
      ['', 'missing token'],
      [undefined, 'missing token'],
      [42, 'missing token'],
      ['a.b.c', 'invalid token'],
      ['x'.repeat(5000), 'token too long'],
    ];
    for (const [token, message] of cases) {
      const err = await verifier.verify(token).catch((e: unknown) => e);
      expect(err, String(token).slice(0, 30)).toBeInstanceOf(UnauthorizedError);
      expect((err as Error).message).toBe(message);
    }
  });
});
