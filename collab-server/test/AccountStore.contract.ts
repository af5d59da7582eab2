import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword, type AccountStore } from '../src/index.js';

/** The AccountStore contract, run against every implementation. */
export function accountStoreContract(label: string, make: () => Promise<AccountStore> | AccountStore): void {
  describe(`AccountStore contract: ${label}`, () => {
    it('ACC1 users: the first account is admin, later ones only when asked; emails are unique', async () => {
      const store = await make();
      const pw = await hashPassword('first password');
      const a = await store.createUser({ email: 'a@example.com', displayName: 'Ann' }, pw);
      const b = await store.createUser({ email: 'b@example.com', displayName: 'Bo' }, pw);
      const c = await store.createUser({ email: 'c@example.com', displayName: 'Cy', isAdmin: true }, pw);
      expect(a).toMatchObject({ email: 'a@example.com', displayName: 'Ann', isAdmin: true });
      expect(b?.isAdmin).toBe(false);
      expect(c?.isAdmin).toBe(true);
      expect(a!.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(a!.id).not.toBe(b!.id);
      expect(await store.createUser({ email: 'a@example.com', displayName: 'Again' }, pw)).toBeNull();
      expect(await store.getUser(a!.id)).toEqual(a);
      expect(await store.getUserByEmail('b@example.com')).toEqual(b);
      expect(await store.getUserByEmail('nobody@example.com')).toBeNull();
      expect(await store.getUser('doesnotexist0000')).toBeNull();
      expect((await store.listUsers()).map((u) => u.email)).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    });

    it('ACC1 credentials keep hash, salt and scrypt parameters; setPassword replaces them', async () => {
      const store = await make();
      const user = (await store.createUser({ email: 'a@example.com', displayName: 'Ann' }, await hashPassword('first password')))!;
      const stored = (await store.getPassword(user.id))!;
      expect(stored.params).toEqual({ N: 2 ** 15, r: 8, p: 1, keylen: 64 });
      expect(stored.salt.length).toBe(16);
      expect(await verifyPassword('first password', stored)).toBe(true);
      await store.setPassword(user.id, await hashPassword('second password'));
      const changed = (await store.getPassword(user.id))!;
      expect(await verifyPassword('second password', changed)).toBe(true);
      expect(await verifyPassword('first password', changed)).toBe(false);
      expect(await store.getPassword('doesnotexist0000')).toBeNull();
    });

    it('ACC6 sessions: list shows live ones newest first; revoke is per account; revokeSessions keeps one', async () => {
      const store = await make();
      const pw = await hashPassword('first password');
      const a = (await store.createUser({ email: 'a@example.com', displayName: 'Ann' }, pw))!;
      const b = (await store.createUser({ email: 'b@example.com', displayName: 'Bo' }, pw))!;
      const now = Date.now();
      await store.createSession({ id: 's1', userId: a.id, createdAt: now - 3000, expiresAt: now + 60_000, userAgent: 'UA1' });
      await store.createSession({ id: 's2', userId: a.id, createdAt: now - 2000, expiresAt: now + 60_000, userAgent: null });
      await store.createSession({ id: 's3', userId: a.id, createdAt: now - 1000, expiresAt: now + 60_000, userAgent: null });
      await store.createSession({ id: 'old', userId: a.id, createdAt: now - 9000, expiresAt: now - 1, userAgent: null });
      await store.createSession({ id: 'b1', userId: b.id, createdAt: now, expiresAt: now + 60_000, userAgent: null });
      expect(await store.getSession('s1')).toEqual({ id: 's1', userId: a.id, createdAt: now - 3000, lastSeenAt: now - 3000, expiresAt: now + 60_000, userAgent: 'UA1', revokedAt: null });
      expect(await store.getSession('nope')).toBeNull();
      await store.touchSession('s1', now);
      expect((await store.getSession('s1'))!.lastSeenAt).toBe(now);
      expect((await store.listSessions(a.id, now)).map((s) => s.id)).toEqual(['s3', 's2', 's1']);

      expect(await store.revokeSession(b.id, 's1', now)).toBe(false);
      expect(await store.revokeSession(a.id, 's1', now)).toBe(true);
      expect(await store.revokeSession(a.id, 's1', now)).toBe(false);
      expect((await store.getSession('s1'))!.revokedAt).toBe(now);
      expect(await store.revokeSessions(a.id, now, 's3')).toBe(2); // s2 and the expired one
      expect((await store.listSessions(a.id, now)).map((s) => s.id)).toEqual(['s3']);
      expect(await store.revokeSessions(a.id, now)).toBe(1);
      expect(await store.listSessions(a.id, now)).toEqual([]);
      expect((await store.listSessions(b.id, now)).map((s) => s.id)).toEqual(['b1']);
    });
  });
}
