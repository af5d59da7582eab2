import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, RateLimiter, SIGNIN_FAILURES_PER_EMAIL, SIGNIN_FAILURES_PER_IP } from '../src/index.js';
import { call, expectError, PASSWORD, signIn, signUp, startServer } from './helpers.js';

/** Instance-wide audit rows (room_id NULL), oldest first, read through a second connection. */
function auditRows(dataDir: string): { actor: string; action: string; target: string | null; detail: string | null }[] {
  const db = openDatabase(join(dataDir, 'coderoom.db'));
  try {
    return db.prepare('SELECT actor, action, target, detail FROM audit WHERE room_id IS NULL ORDER BY id').all() as never;
  } finally {
    db.close();
  }
}

describe('accounts API', () => {
  it('ACC2 signup: first account is admin, later ones are not; cookie is set; email is case-insensitive and unique', async () => {
    const { url } = await startServer();
    const first = await call(url, 'POST', '/api/auth/signup', { body: { email: '  Ann@Example.COM ', password: PASSWORD, displayName: 'Ann' } });
    expect(first.status).toBe(201);
    expect(first.body.user).toMatchObject({ email: 'ann@example.com', displayName: 'Ann', isAdmin: true });
    expect(first.body.user).not.toHaveProperty('password');
    expect(first.session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const second = await signUp(url, 'bo@example.com', 'Bo');
    expect(second.user.isAdmin).toBe(false);
    expectError(await call(url, 'POST', '/api/auth/signup', { body: { email: 'ANN@example.com', password: PASSWORD, displayName: 'Other' } }), 'CONFLICT');
    expect((await call(url, 'GET', '/api/auth/me', { cookie: first.session! })).body.user.email).toBe('ann@example.com');
  });

  it('ACC2 signup refuses bad input with 400 and creates nothing', async () => {
    const { url } = await startServer();
    for (const body of [
      { email: 'not-an-email', password: PASSWORD, displayName: 'A' },
      { email: 'a@example.com', password: 'short', displayName: 'A' },
      { email: 'a@example.com', password: 'x'.repeat(257), displayName: 'A' },
      { email: 'a@example.com', password: PASSWORD, displayName: '' },
      { email: 'a@example.com', password: PASSWORD, displayName: 'A', isAdmin: true },
      { email: 'a@example.com', password: PASSWORD },
    ]) {
      const r = await call(url, 'POST', '/api/auth/signup', { body });
      expectError(r, 'BAD_REQUEST');
      expect(r.setCookie).toBeNull();
    }
    expectError(await call(url, 'POST', '/api/auth/signup', { body: { email: 'a@example.com', password: PASSWORD, displayName: 'A' }, contentType: 'text/plain' }), 'BAD_REQUEST');
    // Nothing was created: the next sign-up is still the first, so admin.
    expect((await signUp(url, 'a@example.com', 'A')).user.isAdmin).toBe(true);
  });

  it('ACC3 signin sets an HttpOnly SameSite=Lax cookie for SESSION_TTL_SECONDS; Secure behind https', async () => {
    const { url } = await startServer({ SESSION_TTL_SECONDS: '3600' });
    await signUp(url);
    const r = await call(url, 'POST', '/api/auth/signin', { body: { email: 'ANN@example.com', password: PASSWORD } });
    expect(r.status).toBe(200);
    expect(r.body.user.email).toBe('ann@example.com');
    const attrs = r.setCookie!.split('; ');
    expect(attrs).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=3600']));
    expect(attrs).not.toContain('Secure');
    const secure = await call(url, 'POST', '/api/auth/signin', { body: { email: 'ann@example.com', password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
    expect(secure.setCookie!.split('; ')).toContain('Secure');
    expect((await call(url, 'GET', '/api/auth/me', { cookie: r.session! })).status).toBe(200);
  });

  it('ACC3 wrong password and unknown email get the same 401; bad input gets 400', async () => {
    const { url } = await startServer();
    await signUp(url);
    const wrong = await call(url, 'POST', '/api/auth/signin', { body: { email: 'ann@example.com', password: 'wrong password!' } });
    const unknown = await call(url, 'POST', '/api/auth/signin', { body: { email: 'nobody@example.com', password: PASSWORD } });
    expectError(wrong, 'UNAUTHORIZED');
    expectError(unknown, 'UNAUTHORIZED');
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    expect(wrong.setCookie).toBeNull();
    expectError(await call(url, 'POST', '/api/auth/signin', { body: { email: 'ann@example.com' } }), 'BAD_REQUEST');
    expectError(await call(url, 'POST', '/api/auth/signin', { body: { email: 'ann@example.com', password: '' } }), 'BAD_REQUEST');
  });

  it('ACC4 me answers 401 without a cookie, with a forged one, and after the session expires', async () => {
    const { url } = await startServer({ SESSION_TTL_SECONDS: '1' });
    const { cookie } = await signUp(url);
    expect((await call(url, 'GET', '/api/auth/me', { cookie })).status).toBe(200);
    expectError(await call(url, 'GET', '/api/auth/me'), 'UNAUTHORIZED');
    expectError(await call(url, 'GET', '/api/auth/me', { cookie: 'x'.repeat(43) }), 'UNAUTHORIZED');
    expectError(await call(url, 'GET', '/api/auth/me', { cookie: 'garbage' }), 'UNAUTHORIZED');
    await new Promise((r) => setTimeout(r, 1100));
    expectError(await call(url, 'GET', '/api/auth/me', { cookie }), 'UNAUTHORIZED');
  });

  it('ACC5 signout revokes the session and clears the cookie; unauthenticated signout is 401', async () => {
    const { url } = await startServer();
    const { cookie } = await signUp(url);
    const other = await signIn(url);
    const out = await call(url, 'POST', '/api/auth/signout', { cookie });
    expect(out.status).toBe(200);
    expect(out.setCookie).toMatch(/^coderoom_session=; .*Max-Age=0/);
    expectError(await call(url, 'GET', '/api/auth/me', { cookie }), 'UNAUTHORIZED');
    expect((await call(url, 'GET', '/api/auth/me', { cookie: other })).status).toBe(200);
    expectError(await call(url, 'POST', '/api/auth/signout', { cookie }), 'UNAUTHORIZED');
    expectError(await call(url, 'POST', '/api/auth/signout'), 'UNAUTHORIZED');
  });

  it('ACC6 sessions: list marks the current one; revoking one makes its cookie useless; other accounts are out of reach', async () => {
    const { url } = await startServer();
    const { cookie: laptop } = await signUp(url);
    const phone = await call(url, 'POST', '/api/auth/signin', { body: { email: 'ann@example.com', password: PASSWORD }, headers: { 'user-agent': 'Phone/1.0' } });
    const { cookie: bo } = await signUp(url, 'bo@example.com', 'Bo');
    const list = await call(url, 'GET', '/api/auth/sessions', { cookie: laptop });
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    const current = list.body.sessions.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    const phoneSession = list.body.sessions.find((s: { current: boolean }) => !s.current);
    expect(phoneSession.userAgent).toBe('Phone/1.0');
    expect(JSON.stringify(list.body)).not.toContain(laptop);
    expect(JSON.stringify(list.body)).not.toContain(phone.session);

    expectError(await call(url, 'POST', `/api/auth/sessions/${phoneSession.id}/revoke`, { cookie: bo }), 'NOT_FOUND');
    expect((await call(url, 'GET', '/api/auth/me', { cookie: phone.session! })).status).toBe(200);
    const revoked = await call(url, 'POST', `/api/auth/sessions/${phoneSession.id}/revoke`, { cookie: laptop });
    expect(revoked.status).toBe(200);
    expectError(await call(url, 'GET', '/api/auth/me', { cookie: phone.session! }), 'UNAUTHORIZED');
    expectError(await call(url, 'POST', `/api/auth/sessions/${phoneSession.id}/revoke`, { cookie: laptop }), 'NOT_FOUND');
    expectError(await call(url, 'POST', '/api/auth/sessions/nosuchsession/revoke', { cookie: laptop }), 'NOT_FOUND');
    expect((await call(url, 'GET', '/api/auth/sessions', { cookie: laptop })).body.sessions).toHaveLength(1);
    expectError(await call(url, 'GET', '/api/auth/sessions'), 'UNAUTHORIZED');
    expectError(await call(url, 'POST', `/api/auth/sessions/${phoneSession.id}/revoke`), 'UNAUTHORIZED');
  });

  it('ACC7 password change needs the current password, revokes the other sessions and keeps this one', async () => {
    const { url } = await startServer();
    const { cookie } = await signUp(url);
    const other = await signIn(url);
    const NEW = 'a brand new passphrase';
    expectError(await call(url, 'POST', '/api/auth/password', { body: { currentPassword: 'not my password', newPassword: NEW } }), 'UNAUTHORIZED');
    expectError(await call(url, 'POST', '/api/auth/password', { cookie, body: { currentPassword: 'not my password', newPassword: NEW } }), 'UNAUTHORIZED');
    expectError(await call(url, 'POST', '/api/auth/password', { cookie, body: { currentPassword: PASSWORD, newPassword: 'short' } }), 'BAD_REQUEST');
    expect((await call(url, 'GET', '/api/auth/me', { cookie: other })).status).toBe(200);

    const changed = await call(url, 'POST', '/api/auth/password', { cookie, body: { currentPassword: PASSWORD, newPassword: NEW } });
    expect(changed.status).toBe(200);
    expect(changed.body.revokedSessions).toBe(1);
    expect((await call(url, 'GET', '/api/auth/me', { cookie })).status).toBe(200);
    expectError(await call(url, 'GET', '/api/auth/me', { cookie: other }), 'UNAUTHORIZED');
    expectError(await call(url, 'POST', '/api/auth/signin', { body: { email: 'ann@example.com', password: PASSWORD } }), 'UNAUTHORIZED');
    expect(await signIn(url, 'ann@example.com', NEW)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('ACC8 failed sign-ins are rate limited per email (429 even with the right password) and per IP', async () => {
    const { url } = await startServer();
    await signUp(url);
    for (let i = 0; i < SIGNIN_FAILURES_PER_EMAIL; i++) {
      expectError(await call(url, 'POST', '/api/auth/signin', { body: { email: 'ann@example.com', password: `wrong password ${i}` } }), 'UNAUTHORIZED');
    }
    const limited = await call(url, 'POST', '/api/auth/signin', { body: { email: 'ann@example.com', password: PASSWORD } });
    expectError(limited, 'RATE_LIMITED');
    expect(limited.setCookie).toBeNull();

    const { url: url2 } = await startServer();
    await signUp(url2);
    for (let i = 0; i < SIGNIN_FAILURES_PER_IP; i++) {
      expectError(await call(url2, 'POST', '/api/auth/signin', { body: { email: `guess${i}@example.com`, password: PASSWORD } }), 'UNAUTHORIZED');
    }
    expectError(await call(url2, 'POST', '/api/auth/signin', { body: { email: 'ann@example.com', password: PASSWORD } }), 'RATE_LIMITED');
  });

  it('ACC8 the limiter counts per key and forgets a key when its window has passed or on reset', () => {
    const limiter = new RateLimiter(2, 1000);
    limiter.hit('a', 0);
    expect(limiter.isLimited('a', 10)).toBe(false);
    limiter.hit('a', 20);
    expect(limiter.isLimited('a', 30)).toBe(true);
    expect(limiter.isLimited('b', 30)).toBe(false);
    expect(limiter.isLimited('a', 1000)).toBe(false);
    limiter.hit('a', 1000);
    expect(limiter.isLimited('a', 1001)).toBe(false);
    limiter.hit('a', 1002);
    expect(limiter.isLimited('a', 1003)).toBe(true);
    limiter.reset('a');
    expect(limiter.isLimited('a', 1004)).toBe(false);
  });

  it('ACC9 CSRF: a foreign Origin gets 403 on every state-changing route and changes nothing; same origin passes', async () => {
    const { url } = await startServer();
    const evil = 'https://evil.example';
    expectError(await call(url, 'POST', '/api/auth/signup', { origin: evil, body: { email: 'a@example.com', password: PASSWORD, displayName: 'A' } }), 'FORBIDDEN');
    expectError(await call(url, 'POST', '/api/auth/signup', { origin: 'null', body: { email: 'a@example.com', password: PASSWORD, displayName: 'A' } }), 'FORBIDDEN');
    const { cookie } = await signUp(url, 'a@example.com', 'A');
    const other = await signIn(url, 'a@example.com');
    const sessions = (await call(url, 'GET', '/api/auth/sessions', { cookie })).body.sessions as { id: string; current: boolean }[];
    const otherId = sessions.find((s) => !s.current)!.id;

    expectError(await call(url, 'POST', '/api/auth/signin', { origin: evil, body: { email: 'a@example.com', password: PASSWORD } }), 'FORBIDDEN');
    expectError(await call(url, 'POST', '/api/auth/password', { origin: evil, cookie, body: { currentPassword: PASSWORD, newPassword: 'attacker chosen pw' } }), 'FORBIDDEN');
    expectError(await call(url, 'POST', `/api/auth/sessions/${otherId}/revoke`, { origin: evil, cookie }), 'FORBIDDEN');
    expectError(await call(url, 'POST', '/api/auth/signout', { origin: evil, cookie }), 'FORBIDDEN');
    // A body a cross-site form could send (no JSON content type) is refused too.
    expectError(await call(url, 'POST', '/api/auth/signout', { cookie, contentType: 'application/x-www-form-urlencoded' }), 'BAD_REQUEST');
    expectError(await call(url, 'POST', '/api/auth/signout', { cookie, contentType: null }), 'BAD_REQUEST');
    expect((await call(url, 'GET', '/api/auth/me', { cookie })).status).toBe(200);
    expect((await call(url, 'GET', '/api/auth/me', { cookie: other })).status).toBe(200);
    expect(await signIn(url, 'a@example.com')).toBeTruthy();

    const sameOrigin = await call(url, 'POST', '/api/auth/signout', { origin: url, cookie });
    expect(sameOrigin.status).toBe(200);
  });

  it('ACC10 audit rows for signup, signin, failed signin (email, no password), signout, password change, session revoke', async () => {
    const { url, dataDir } = await startServer();
    const { cookie, user } = await signUp(url);
    await call(url, 'POST', '/api/auth/signin', { body: { email: 'ann@example.com', password: 'wrong password!' } });
    const other = await signIn(url);
    const otherId = ((await call(url, 'GET', '/api/auth/sessions', { cookie })).body.sessions as { id: string; current: boolean }[]).find((s) => !s.current)!.id;
    await call(url, 'POST', `/api/auth/sessions/${otherId}/revoke`, { cookie });
    await call(url, 'POST', '/api/auth/password', { cookie, body: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' } });
    await call(url, 'POST', '/api/auth/signout', { cookie });
    expect(other).toBeTruthy();

    const rows = auditRows(dataDir);
    expect(rows.map((r) => r.action)).toEqual(['auth.signup', 'auth.signin_failed', 'auth.signin', 'auth.session_revoke', 'auth.password_change', 'auth.signout']);
    const actor = `user:${user.id}`;
    expect(rows.filter((r) => r.action !== 'auth.signin_failed').every((r) => r.actor === actor)).toBe(true);
    const failed = rows.find((r) => r.action === 'auth.signin_failed')!;
    expect(failed).toMatchObject({ actor: 'anonymous', target: 'ann@example.com' });
    expect(rows.find((r) => r.action === 'auth.session_revoke')!.target).toBe(otherId);
    const all = JSON.stringify(rows);
    expect(all).not.toContain('wrong password!');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(cookie);
  });
});
